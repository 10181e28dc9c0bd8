"""Start-up speed: skip one optional import that costs seconds in every process.

``jsonschema`` (imported by altair, nbformat, nbclient, papermill and nbconvert) imports the
optional ``rfc3987_syntax`` when it is installed, and that compiles dozens of Lark grammars at
import time: about two seconds in each process that touches jsonschema, the report kernel
included. JupyterLab's ``jupyter-events`` installs it (through ``jsonschema[format-nongpl]``) to
check the ``iri`` string format, which none of the specs the kit validates use. jsonschema wraps
that import in ``suppress(ImportError)``, so marking the module as unavailable before jsonschema
is first imported makes jsonschema skip just that format check. Reported upstream as jsonschema
issue 1428.

The processes the kit starts (Voila, its kernels, JupyterLab and its kernels) do the same through
the start-up file ``startup/sitecustomize.py``, which :func:`child_environment` puts first on their
``PYTHONPATH``; kernels inherit their server's environment.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

_SLOW_OPTIONAL = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Mark the slow optional modules as unavailable, unless something already imported them."""
    for name in _SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


#: The folder of the kit's start-up file (``sitecustomize.py``), put first on children's ``PYTHONPATH``.
STARTUP_DIR = Path(str(resources.files("reflect.system") / "startup"))


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process the kit starts (a server, and the kernels it starts in turn), with the
    kit's start-up file first on ``PYTHONPATH``, so that the child skips the same slow import as
    this process. Whatever ``PYTHONPATH`` held stays after it."""
    out = dict(env)
    paths = [str(STARTUP_DIR), *filter(None, out.get("PYTHONPATH", "").split(os.pathsep))]
    out["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return out
