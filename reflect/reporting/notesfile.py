"""Notes handed from ``reflect report --include-notes`` to the report notebook.

A protected person's notes open only with their passphrase, and the report notebook runs in a
process of its own (a kernel, or papermill's engine). So the command line signs each person in who
agrees, writes the notes they may read to a private temporary file (0600, through
:func:`reflect.system.paths.write_private`, in a 0700 folder made by :mod:`tempfile`), passes the file's
path as the notebook's ``notes_file`` parameter, and removes it when the report is made. No
passphrase or key leaves the command's own process.

The same file carries, for the people who signed in, what each couple both see of their consent
lists (:meth:`reflect.storage.store.Store.consent_shared_views`: the items both said yes to, and
"not now" where both show it): never anyone's list, never a no.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from reflect.errors import ValidationError
from reflect.system.paths import write_private

FORMAT = "reflect-notes-1"


@contextmanager
def notes_file(notes: list[dict[str, str]], left_out: list[str],
               consent: list[dict[str, Any]] | None = None) -> Iterator[Path]:
    """A private file holding ``notes`` (person, cadence, date, note) and the shared ``consent``
    views (``people``: the two names, ``items``: [item, "yes" or "not now"]) while the block runs."""
    folder = Path(tempfile.mkdtemp(prefix="reflect-notes-"))  # 0700, unpredictable
    try:
        path = write_private(folder / "notes.json",
                             json.dumps({"format": FORMAT, "notes": notes, "left_out": left_out,
                                         "consent": consent or []}, ensure_ascii=False))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read(path: Any) -> tuple[list[dict[str, str]], list[str]]:
    """The notes and the names left out, from a file :func:`notes_file` wrote."""
    data = _load(path)
    return list(data.get("notes", [])), list(data.get("left_out", []))


def read_consent(path: Any) -> list[dict[str, Any]]:
    """The shared consent views, from a file :func:`notes_file` wrote."""
    views = _load(path).get("consent", [])
    return [{"people": list(v["people"]), "items": [tuple(i) for i in v["items"]]} for v in views]


def _load(path: Any) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ValidationError(f"cannot read the notes file {path} ({exc})", field="notes_file") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(f"{path} is not a notes file written by `reflect report`", field="notes_file")
    return data


def overlay(frame: pd.DataFrame, notes: list[dict[str, str]]) -> pd.DataFrame:
    """``frame`` (with a ``note`` column) with the given notes filled in where its rows are."""
    if not notes:
        return frame
    by_key = {(n["person"], n["cadence"], n["date"]): n["note"] for n in notes}
    out = frame.copy()
    keys = zip(out["person"], out["cadence"], out["date"].dt.strftime("%Y-%m-%d"), strict=True)
    filled = [by_key.get(k) for k in keys]
    out["note"] = [f if f is not None else n for f, n in zip(filled, out["note"], strict=True)]
    return out
