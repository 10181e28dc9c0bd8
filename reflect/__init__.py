"""Reflect: a private kit for reflecting, month by month, on passion and the five dimensions of
intimacy, and for seeing it.

The library is organised one module per job: :mod:`reflect.dimensions` (what is rated),
:mod:`reflect.checkin` (one check-in, validated), :mod:`reflect.months` (month arithmetic),
:mod:`reflect.text` (names, and text shown in a terminal), :mod:`reflect.keys` (passphrases, keys
and sealed notes), :mod:`reflect.store`, :mod:`reflect.storefile` and :mod:`reflect.migrations`
(the SQLite store), :mod:`reflect.csvio` and :mod:`reflect.importing` (the CSV format, imports),
:mod:`reflect.paths` (where things live, private files), :mod:`reflect.children` (child
processes that die with the kit), :mod:`reflect.rituals` (the ritual log), :mod:`reflect.demo`
(the demo couple), :mod:`reflect.analysis`, :mod:`reflect.rhythm` and :mod:`reflect.insights`
(what the ratings say), :mod:`reflect.phrases` (how figures read in a sentence),
:mod:`reflect.charts` (the altair charts), :mod:`reflect.trends` (the trends explorer's view
model), :mod:`reflect.widgets`, :mod:`reflect.glance`, :mod:`reflect.quicklog` and
:mod:`reflect.explorer` (the notebooks' widgets),
:mod:`reflect.report` (with its templates) and :mod:`reflect.notesfile` (notes handed to it),
:mod:`reflect.params`, :mod:`reflect.publish`, :mod:`reflect.engine` (the ``reflect`` papermill
engine), :mod:`reflect.execute`, :mod:`reflect.pages`, :mod:`reflect.rendering` and
:mod:`reflect.workers` (the monthly report), :mod:`reflect.app` (app mode) and :mod:`reflect.cli`
(the command line).
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
