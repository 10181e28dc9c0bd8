"""Reflect: a private kit for reflecting, month by month, on passion and the five dimensions of
intimacy, and for seeing it.

The library is built in layers, each a subpackage that imports only from the layers before it
(``tests/test_architecture.py`` checks it):

1. :mod:`reflect.errors` and :mod:`reflect.system`: the kit's errors; where files live and how
   private files are written, child processes that die with the kit, the home-network address.
2. :mod:`reflect.domain`: what is rated and how a check-in, a month, a ritual, the practices and the CSV
   formats are validated.
3. :mod:`reflect.storage`: the SQLite store, its migrations, people and their keys, imports and
   the demo couple.
4. :mod:`reflect.analytics`: what the ratings say, in figures and in words.
5. :mod:`reflect.views`: the charts, and the widgets of the notebooks (form, quick log, trends).
6. :mod:`reflect.reporting`: the monthly report, its papermill engine and its pages.
7. :mod:`reflect.servers`: app mode (Voila, also on the home network over HTTPS) and JupyterLab,
   started by the kit.
8. :mod:`reflect.cli`: the command line, a thin face over all of it.
"""

from __future__ import annotations

import logging
import time as _time

#: When this process first imported the kit (``time.perf_counter()``): ``reflect report`` says how long
#: it took from here, so a script that sets the kit up and then ``exec``s the command (``scripts/monthly``)
#: does not count the set-up in it (the process's own start time would).
LOADED_AT = _time.perf_counter()

from reflect.system.speedups import skip_slow_optional_imports  # noqa: E402

skip_slow_optional_imports()

__version__ = "0.1.0"

from reflect.domain.checkin import CheckIn  # noqa: E402
from reflect.domain.dimensions import CADENCES, DIMENSIONS, INTIMACY_KEYS, KEYS  # noqa: E402
from reflect.errors import ReflectError, ValidationError  # noqa: E402
from reflect.storage.store import Store, open_store  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CADENCES",
    "DIMENSIONS",
    "INTIMACY_KEYS",
    "KEYS",
    "CheckIn",
    "ReflectError",
    "Store",
    "ValidationError",
    "__version__",
    "open_store",
]
