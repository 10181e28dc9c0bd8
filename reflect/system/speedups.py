"""Start-up speed: skip one optional import that costs seconds in every process.

``jsonschema`` (imported by altair, nbformat, nbclient, papermill and nbconvert) imports the
optional ``rfc3987_syntax`` when it is installed, and that compiles dozens of Lark grammars at
import time: about two seconds in each process that touches jsonschema, the report kernel
included. JupyterLab's ``jupyter-events`` installs it (through ``jsonschema[format-nongpl]``) to
check the ``iri`` string format, which none of the specs the kit validates use. jsonschema wraps
that import in ``suppress(ImportError)``, so marking the module as unavailable before jsonschema
is first imported makes jsonschema skip just that format check. Reported upstream as jsonschema
issue 1428.
"""

from __future__ import annotations

import sys

_SLOW_OPTIONAL = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Mark the slow optional modules as unavailable, unless something already imported them."""
    for name in _SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
