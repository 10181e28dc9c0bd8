"""Reflect: a private kit for reflecting, month by month, on passion and the five dimensions of
intimacy, and for seeing it.

The library is organised one module per job: :mod:`reflect.dimensions` (what is rated),
:mod:`reflect.checkin` (one check-in, validated), :mod:`reflect.store` (the SQLite store),
:mod:`reflect.csvio` (the CSV format), :mod:`reflect.demo` (the demo couple) and
:mod:`reflect.cli` (the command line).
"""

from __future__ import annotations

import logging

from .speedups import skip_slow_optional_imports

skip_slow_optional_imports()

__version__ = "0.1.0"

from .checkin import CheckIn  # noqa: E402
from .dimensions import CADENCES, DIMENSIONS, INTIMACY_KEYS, KEYS  # noqa: E402
from .errors import ReflectError, ValidationError  # noqa: E402
from .store import Store, open_store  # noqa: E402

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
