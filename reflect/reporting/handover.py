"""Notes handed from ``reflect report --include-notes`` to the report, in memory only.

A protected person's notes open only with their passphrase, which only the command line asks for.
So the command signs in each person who agrees, reads the notes they may read and what each couple
both see of their consent lists (:meth:`reflect.storage.store.Store.consent_shared_views`: the items
both said yes to, and "not now" where both show it; never anyone's list, never a no), and hands
them on as a :class:`Handover`. No passphrase or key leaves the command's own process, and the
notes never touch the disk on the way:

- each report (a :class:`~reflect.reporting.publish.ReportJob`) carries only the notes of its own
  month (:meth:`Handover.for_month`: the report shows no other month's notes); with ``--jobs`` a
  job reaches its process pickled through a pipe;
- while papermill's ``reflect`` engine runs the report notebook in that same process, the handover
  is :func:`offered` for that store and month, and :meth:`~reflect.reporting.report.MonthlyReport.open`
  takes it (:func:`take`); nothing goes into the notebook's parameters;
- the sections that show notes are marked private (:data:`PRIVATE`), and the executed notebook
  written beside the report page leaves them out (:func:`without_private`).

A real kernel (plain papermill) is handed nothing: it reads the notes kept without a passphrase
from the store itself, and says whose notes are left out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is not needed to plan a report: ``reflect report`` starts its helpers before it loads
    import pandas as pd

#: The output metadata that marks a section showing notes (or what a couple both said yes to).
PRIVATE = {"reflect": {"private": True}}


@dataclass(frozen=True)
class Handover:
    """What the people who signed in hand to a report: their ``notes`` (person, cadence, date,
    note), the names of those who did not sign in (``left_out``), and the shared ``consent`` views
    (``people``: the two names, ``items``: (item, "yes" or "not now") pairs)."""

    notes: tuple[Mapping[str, str], ...] = field(default=(), repr=False)
    left_out: tuple[str, ...] = ()
    consent: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    #: The appreciations the two of you wrote each other (``writer``, ``to``, ``date``, ``text``), handed
    #: over only when both signed in: "this month last year" shows them back.
    appreciations: tuple[Mapping[str, str], ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, notes: Sequence[Mapping[str, str]] = (), left_out: Sequence[str] = (),
           consent: Sequence[Mapping[str, Any]] = (), appreciations: Sequence[Mapping[str, str]] = ()) -> Handover:
        return cls(
            tuple(dict(n) for n in notes), tuple(left_out),
            tuple({"people": list(v["people"]), "items": [tuple(i) for i in v["items"]]} for v in consent),
            tuple(dict(a) for a in appreciations),
        )

    def for_month(self, month: str) -> Handover:
        """Only the notes of ``month`` (``YYYY-MM``: the period starts in it, as the report counts it), and
        only the appreciations of the same month a year before (what "this month last year" shows)."""
        from reflect.domain.months import add_months

        year_ago = add_months(month, -12)
        return Handover(tuple(n for n in self.notes if str(n["date"])[:7] == month), self.left_out, self.consent,
                        tuple(a for a in self.appreciations if str(a["date"])[:7] == year_ago))


_OFFERS: dict[tuple[str, str], Handover] = {}


def _key(store: Any, month: str) -> tuple[str, str]:
    return str(Path(store).resolve()), month


@contextmanager
def offered(store: Any, month: str, handover: Handover) -> Iterator[None]:
    """Hold ``handover`` for the report of ``store`` and ``month`` run in this process while the
    block runs (taken at most once, and gone afterwards however the block ends)."""
    key = _key(store, month)
    _OFFERS[key] = handover
    try:
        yield
    finally:
        _OFFERS.pop(key, None)


def take(store: Any, month: str) -> Handover | None:
    """The handover offered for the report of ``store`` and ``month``, once; None if there is none."""
    return _OFFERS.pop(_key(store, month), None)


def without_private(nb: Any, page: str) -> Any:
    """A copy of the executed notebook ``nb`` with the outputs marked :data:`PRIVATE` replaced by a
    line that says they are in the report's ``page`` only."""
    import nbformat

    kept = copy.deepcopy(nb)
    for cell in kept.cells:
        if cell.get("cell_type") != "code":
            continue
        for i, output in enumerate(cell.get("outputs", [])):
            if output.get("metadata", {}).get("reflect", {}).get("private"):
                line = f"Left out of this notebook: the notes are in {page} only."
                cell.outputs[i] = nbformat.from_dict({"output_type": "display_data", "metadata": {},
                                                      "data": {"text/plain": line, "text/html": f"<p>{line}</p>"}})
    return kept


#: The temporary folders in which earlier versions handed notes over (``$TMPDIR/reflect-notes-*``).
LEGACY_PREFIX = "reflect-notes-"


def sweep_legacy_files(*, older_than: float = 600) -> list[Path]:
    """Remove what earlier versions of ``reflect report --include-notes`` left in the temporary
    folder when they were killed (``kill -9``): folders named ``reflect-notes-*`` that are this
    user's, hold nothing but ``notes.json`` (notes in plain text) and have not been touched for
    ``older_than`` seconds (so that a report of an earlier version running now is left alone).
    Returns what was removed."""
    import os
    import shutil
    import stat
    import tempfile
    import time

    removed: list[Path] = []
    base = Path(tempfile.gettempdir())
    try:
        names = [n for n in os.listdir(base) if n.startswith(LEGACY_PREFIX)]
    except OSError:
        return removed
    for name in names:
        folder = base / name
        try:
            info = os.lstat(folder)
            if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                    or time.time() - info.st_mtime <= older_than or set(os.listdir(folder)) - {"notes.json"}):
                continue
            shutil.rmtree(folder)
            removed.append(folder)
        except OSError:  # not ours to remove, or gone meanwhile: leave it
            continue
    return removed


def overlay(frame: pd.DataFrame, notes: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    """``frame`` (with a ``note`` column) with the given notes filled in where its rows are."""
    if not notes:
        return frame
    by_key = {(n["person"], n["cadence"], n["date"]): n["note"] for n in notes}
    out = frame.copy()
    keys = zip(out["person"], out["cadence"], out["date"].dt.strftime("%Y-%m-%d"), strict=True)
    filled = [by_key.get(k) for k in keys]
    out["note"] = [f if f is not None else n for f, n in zip(filled, out["note"], strict=True)]
    return out
