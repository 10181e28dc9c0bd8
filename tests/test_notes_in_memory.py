"""Notes never touch the disk in plain text: `reflect report --include-notes` hands the notes of the
people who sign in to the report in memory, only those of the report's month, and a report killed
at any moment (kill -9) leaves no note in any file. A report folder a failed run made and left empty
(a full disk) is removed.

Every run here has a private TMPDIR of its own, and the months are fixed ones in the past."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from reflect.errors import ValidationError
from reflect.reporting import handover, publish
from reflect.reporting.handover import Handover
from reflect.reporting.report import MonthlyReport
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, descendant_processes, make_checkin, wait_for

MARCH, APRIL = "2025-03", "2025-04"
#: Robin's sealed notes: one in each month. Only April's may reach April's report.
APRIL_NOTE = "the quiet walk by the canal in April"
MARCH_NOTE = "what I never said in March about the move"
SAM_NOTE = "Sam keeps this one for April"
SCORES = ["--passion", "6", "--emotional", "7", "--physical", "5", "--intellectual", "8",
          "--experiential", "6", "--spiritual", "7"]
NOTES = (APRIL_NOTE, MARCH_NOTE, SAM_NOTE)


def _run(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(REFLECT_BIN), *args], capture_output=True, text=True, cwd=home, env=_env(home),
                          timeout=300)
    if check:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REFLECT_DB", "TMPDIR", "TEMP", "TMP")}
    return {**env, "REFLECT_HOME": str(home), "TMPDIR": str(home / "tmp")}


@pytest.fixture
def couple_home(tmp_path):
    """Robin and Sam, each with a passphrase, in a home of their own (its own TMPDIR): Robin's notes
    in March and April, Sam's in April, all sealed in the store."""
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True, mode=0o700)
    secrets = {}
    for name, words in (("Robin", "robin's long words"), ("Sam", "sam's own long words")):
        path = tmp_path / f"{name.lower()}.pass"
        path.write_text(words + "\n")
        path.chmod(0o600)
        secrets[name] = str(path)
        _run(home, "person", "add", name, "--passphrase-file", secrets[name])
    for person, date, note in (("Robin", f"{MARCH}-01", MARCH_NOTE), ("Sam", f"{MARCH}-01", ""),
                               ("Robin", f"{APRIL}-01", APRIL_NOTE), ("Sam", f"{APRIL}-01", SAM_NOTE)):
        _run(home, "add", "-p", person, "-d", date, *SCORES, *(["--note", note] if note else []),
             "--passphrase-file", secrets[person])
    return home, secrets


def _files_holding_notes(root: Path, *, except_pages: bool = True) -> list[str]:
    """Every file under ``root`` that holds a note's text (the report pages themselves aside)."""
    found = []
    for path in root.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if except_pages and path.suffix == ".html" and path.parent.parent.name == "reports":
            continue
        data = path.read_bytes()
        found += [f"{path.relative_to(root)}: {note}" for note in NOTES if note.encode() in data]
    return found


def _signed_in(secrets: dict[str, str]) -> list[str]:
    return ["--passphrase-for", "Robin", secrets["Robin"], "--passphrase-for", "Sam", secrets["Sam"]]


# -- as a user runs it ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_notes_report_writes_no_note_anywhere_but_its_page(couple_home):
    home, secrets = couple_home
    assert _files_holding_notes(home) == []  # sealed in the store: no note in plain text
    _run(home, "report", "--month", APRIL, "--include-notes", *_signed_in(secrets))
    folder = home / "reports" / "reflect"
    page = (folder / f"{APRIL}.html").read_text(encoding="utf-8")
    assert APRIL_NOTE in page and SAM_NOTE in page and "In your own words" in page
    assert MARCH_NOTE not in page  # another month's note is never handed to this report
    assert _files_holding_notes(home) == []  # TMPDIR, the store's folder, the reports folder
    assert sorted(p.name for p in (home / "tmp").iterdir()) == []
    kept = nbformat.read(folder / f"{APRIL}.ipynb", as_version=4)
    assert set(kept.metadata["papermill"]["parameters"]) == {"month", "db", "include_notes"}
    assert "Left out of this notebook: the notes are in 2025-04.html only." in nbformat.writes(kept)
    assert "robin's long words" not in nbformat.writes(kept)


@pytest.mark.slow
def test_every_month_in_parallel_processes_each_with_its_own_notes(couple_home):
    """With --jobs 2 the reports are made in other processes: each receives its month's notes
    through a pipe, and still nothing is written but the pages."""
    home, secrets = couple_home
    _run(home, "report", "--all", "--jobs", "2", "--include-notes", *_signed_in(secrets))
    folder = home / "reports" / "reflect"
    march = (folder / f"{MARCH}.html").read_text(encoding="utf-8")
    april = (folder / f"{APRIL}.html").read_text(encoding="utf-8")
    assert MARCH_NOTE in march and APRIL_NOTE not in march and SAM_NOTE not in march
    assert APRIL_NOTE in april and SAM_NOTE in april and MARCH_NOTE not in april
    assert _files_holding_notes(home) == []


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_no_note_in_any_file(couple_home):
    home, secrets = couple_home
    folder = home / "reports" / "reflect"
    page = folder / f"{APRIL}.html"
    # deterministic moments (waiting for what the run leaves to see), then moments in time
    moments: list[tuple[str, object]] = [
        ("at once", lambda: True),
        ("when the helper processes are forked", lambda: bool(descendant_processes(proc.pid))),
        ("when the report folder is claimed", lambda: (folder / publish.FOLDER_MARKER).exists()),
        ("when the page is written", page.exists),
        ("after 0.5 s", 0.5), ("after 1 s", 1.0), ("after 1.5 s", 1.5), ("after 2 s", 2.0), ("after 3 s", 3.0),
    ]
    reached = []
    for moment, ready in moments:
        shutil.rmtree(home / "reports", ignore_errors=True)
        proc = subprocess.Popen([str(REFLECT_BIN), "report", "--month", APRIL, "--include-notes",
                                 *_signed_in(secrets)], cwd=home, env=_env(home),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if isinstance(ready, float):
            time.sleep(ready)
            hit = proc.poll() is None
        else:
            hit = wait_for(ready, 60, step=0.005, process=proc)
        helpers = descendant_processes(proc.pid)
        proc.kill()
        proc.wait(timeout=30)
        psutil.wait_procs(helpers, timeout=30)  # they end with the report (and hold nothing on disk)
        if hit:
            reached.append(moment)
        assert _files_holding_notes(home) == [], moment
        assert not page.exists() or page.read_text(encoding="utf-8").rstrip().endswith("</html>"), moment
        leftovers = [p.name for p in folder.glob(".reflect-*") if p.name != publish.FOLDER_MARKER] \
            if folder.exists() else []
        assert leftovers == [], (moment, leftovers)
        assert list((home / "tmp").iterdir()) == [], moment
    # the moments that matter most were caught while the report was running
    assert {"at once", "when the helper processes are forked", "when the report folder is claimed"} <= set(reached)


# -- what is handed over (the library) -----------------------------------------------------------


@pytest.fixture
def two_months(tmp_path):
    db = tmp_path / "us.db"
    with Store(db) as s:
        for m in (MARCH, APRIL):
            s.save(make_checkin("Ana", f"{m}-01", passion=6))
            s.save(make_checkin("Ben", f"{m}-01", passion=7))
    return db


def _handed() -> Handover:
    return Handover.of(
        notes=[{"person": "Ana", "cadence": "monthly", "date": f"{MARCH}-01", "note": MARCH_NOTE},
               {"person": "Ana", "cadence": "monthly", "date": f"{APRIL}-01", "note": APRIL_NOTE}],
        left_out=["Ben"])


def test_each_report_is_handed_its_own_months_notes_only(two_months, tmp_path):
    jobs, failed = publish.plan([two_months], all_months=True, out_dir=tmp_path / "out", include_notes=True,
                                handed={two_months: _handed()})
    assert failed == [] and [j.month for j in jobs] == [MARCH, APRIL]
    by_month = {j.month: j.handover for j in jobs}
    assert [n["note"] for n in by_month[MARCH].notes] == [MARCH_NOTE]
    assert [n["note"] for n in by_month[APRIL].notes] == [APRIL_NOTE]
    assert by_month[APRIL].left_out == ("Ben",)
    assert APRIL_NOTE not in repr(jobs) and MARCH_NOTE not in repr(jobs)  # never in a log line
    # without --include-notes nothing is handed, whatever is given
    jobs, _ = publish.plan([two_months], month=APRIL, out_dir=tmp_path / "out", handed={two_months: _handed()})
    assert jobs[0].handover is None


def test_the_report_process_receives_only_its_month_in_memory(two_months, tmp_path, monkeypatch):
    taken = []
    real_take = handover.take

    def spy(store, month):
        got = real_take(store, month)
        taken.append(got)
        return got

    monkeypatch.setattr(handover, "take", spy)
    monkeypatch.setenv("REFLECT_HELPERS", "0")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    out = tmp_path / "out"
    jobs, _ = publish.plan([two_months], month=APRIL, out_dir=out, include_notes=True,
                           handed={two_months: _handed()})
    (result,) = publish.run(jobs)
    assert result.status == "made", result.error
    (given,) = taken
    assert [n["note"] for n in given.notes] == [APRIL_NOTE]
    assert handover.take(two_months, APRIL) is None  # nothing is left behind in the process
    page = (out / f"{APRIL}.html").read_text(encoding="utf-8")
    assert APRIL_NOTE in page and MARCH_NOTE not in page and "The notes of Ben are left out" in page
    kept = (out / f"{APRIL}.ipynb").read_text(encoding="utf-8")
    assert APRIL_NOTE not in kept and "notes_file" not in kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("reflect-notes")] == []


def test_an_offer_is_for_one_store_and_month_and_gone_after(two_months, tmp_path):
    given = _handed().for_month(APRIL)
    with handover.offered(two_months, APRIL, given):
        assert handover.take(two_months, MARCH) is None
        assert handover.take(tmp_path / "other.db", APRIL) is None
    assert handover.take(two_months, APRIL) is None
    with pytest.raises(RuntimeError), handover.offered(two_months, APRIL, given):
        raise RuntimeError("the notebook failed")
    assert handover.take(two_months, APRIL) is None
    with handover.offered(two_months, APRIL, given):
        assert handover.take(two_months, APRIL) is given
        assert handover.take(two_months, APRIL) is None  # taken once


def test_a_notes_file_is_refused(two_months):
    with pytest.raises(ValidationError, match="notes_file is no longer taken"):
        MonthlyReport.open(month=APRIL, db=str(two_months), include_notes=True, notes_file="/tmp/notes.json")


# -- a full disk -----------------------------------------------------------------------------------


def _full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_report_folder_left_empty_by_a_full_disk_is_removed(two_months, tmp_path, monkeypatch):
    monkeypatch.setenv("REFLECT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFLECT_HELPERS", "0")
    monkeypatch.setattr(publish, "write_unseen", _full_disk)  # the page cannot be written
    jobs, failed = publish.plan([two_months], month=APRIL)
    folder = jobs[0].out_dir
    assert failed == [] and (folder / publish.FOLDER_MARKER).exists()
    (result,) = publish.run(jobs)
    assert result.status == "failed" and "No space left on device" in result.error
    assert not folder.exists() and not folder.parent.exists()  # reports/<store>/ and reports/, both made by it


def test_a_folder_that_cannot_even_be_claimed_is_removed(two_months, tmp_path, monkeypatch):
    monkeypatch.setenv("REFLECT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(os, "fsync", _full_disk)  # the folder's marker cannot be written
    jobs, failed = publish.plan([two_months], month=APRIL)
    assert jobs == [] and "No space left on device" in failed[0].error
    assert not (tmp_path / "home" / "reports").exists()


def test_a_folder_that_was_there_before_is_kept(two_months, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("REFLECT_HELPERS", "0")
    jobs, _ = publish.plan([two_months], month=MARCH, out_dir=out)
    assert publish.run(jobs)[0].status == "made"
    monkeypatch.setattr(publish, "write_unseen", _full_disk)
    jobs, _ = publish.plan([two_months], month=APRIL, out_dir=out)
    assert publish.run(jobs)[0].status == "failed"
    assert sorted(p.name for p in out.iterdir()) == [f"{MARCH}.html", f"{MARCH}.ipynb"]
    out2 = tmp_path / "empty-but-mine"
    out2.mkdir()
    jobs, _ = publish.plan([two_months], month=APRIL, out_dir=out2)
    assert publish.run(jobs)[0].status == "failed" and out2.is_dir()  # not made by this run: kept


def test_the_sections_with_notes_are_marked_and_left_out_of_the_kept_notebook(tmp_path):
    from reflect.storage import demo

    db = tmp_path / "demo.db"
    with Store(db) as s:
        demo.fill(s, end="2026-10")
    plain = MonthlyReport.open(month="2026-10", db=str(db))
    assert not plain.practices_section().private and not plain.notes().private
    report = MonthlyReport.open(month="2026-10", db=str(db), include_notes=True)
    notes, practices, opening = report.notes(), report.practices_section(), report.cover()
    assert notes.private and practices.private and not opening.private
    assert "both said yes to" in practices.html
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x") for _ in range(3)])
    for cell, section in zip(nb.cells, (opening, practices, notes), strict=True):
        data, metadata = section._repr_mimebundle_() if section.private else (section._repr_mimebundle_(), {})
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    kept = handover.without_private(nb, "2026-10.html")
    shown = [c.outputs[0]["data"]["text/html"] for c in kept.cells]
    line = "<p>Left out of this notebook: the notes are in 2026-10.html only.</p>"
    assert shown == [opening._repr_html_(), line, line]
    assert kept.cells[1].outputs[0]["metadata"] == {}
    assert nb.cells[2].outputs[0]["data"]["text/html"] == notes._repr_html_()  # the page is made from this one


def test_notes_files_left_by_earlier_versions_are_swept(tmp_path, monkeypatch):
    """An earlier version killed during a notes report left `$TMPDIR/reflect-notes-*/notes.json`
    for good: the next `reflect report` removes such folders, and only such (never one in use)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = time.time() - 3600

    def leftover(name: str, *files: str, age: float = old) -> Path:
        folder = tmp_path / name
        folder.mkdir(mode=0o700)
        for f in files:
            (folder / f).write_text(f'{{"format": "reflect-notes-1", "notes": [{{"note": "{APRIL_NOTE}"}}]}}')
        os.utime(folder, (age, age))
        return folder

    stale = leftover("reflect-notes-abc123", "notes.json")
    empty = leftover("reflect-notes-def456")
    running = leftover("reflect-notes-ghi789", "notes.json", age=time.time())  # a report running now
    other = leftover("reflect-notes-jkl000", "notes.json", "mine.txt")  # not only what the kit wrote
    unrelated = leftover("something-else", "notes.json")
    assert sorted(handover.sweep_legacy_files()) == sorted([stale, empty])
    assert not stale.exists() and running.exists() and other.exists() and unrelated.exists()


@pytest.mark.slow
def test_reflect_report_sweeps_them(couple_home):
    home, _ = couple_home
    stale = home / "tmp" / "reflect-notes-x1y2z3"
    stale.mkdir(mode=0o700)
    (stale / "notes.json").write_text(APRIL_NOTE)
    os.utime(stale, (time.time() - 3600,) * 2)
    _run(home, "report", "--month", APRIL)
    assert not stale.exists() and _files_holding_notes(home) == []


def test_a_report_made_again_with_other_people_signed_in_is_made_again(couple_home):
    """Who handed over their notes is part of what a report is: made with Robin's notes alone, then
    with Sam's too, it is made again (not "unchanged"), and the other way round."""
    home, secrets = couple_home
    robin_only = ["--passphrase-for", "Robin", secrets["Robin"]]
    page = home / "reports" / "reflect" / f"{APRIL}.html"
    first = _run(home, "report", "--month", APRIL, "--include-notes", *robin_only)
    assert "Made " in first.stdout and SAM_NOTE not in page.read_text(encoding="utf-8")
    both = _run(home, "report", "--month", APRIL, "--include-notes", *_signed_in(secrets))
    assert "Made " in both.stdout and "Skipped" not in both.stdout
    assert SAM_NOTE in page.read_text(encoding="utf-8")
    assert "Skipped" in _run(home, "report", "--month", APRIL, "--include-notes", *_signed_in(secrets)).stdout
    again = _run(home, "report", "--month", APRIL, "--include-notes", *robin_only)
    assert "Made " in again.stdout and SAM_NOTE not in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_year_on_a_report_both_signed_in_for_shows_what_you_appreciated(tmp_path):
    """"This month last year" shows the appreciations you wrote each other a year before, only in a
    report with notes that both of you signed in for; the kept notebook and every other file hold none."""
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True, mode=0o700)
    secrets = {}
    for name, words in (("Robin", "robin's long words"), ("Sam", "sam's own long words")):
        path = tmp_path / f"{name.lower()}.pass"
        path.write_text(words + "\n")
        path.chmod(0o600)
        secrets[name] = str(path)
        _run(home, "person", "add", name, "--passphrase-file", secrets[name])
    for person in ("Robin", "Sam"):
        for date in ("2025-04-01", "2026-04-01"):
            _run(home, "add", "-p", person, "-d", date, *SCORES, "--passphrase-file", secrets[person])
    words = "You carried the shopping up four floors in the rain"
    _run(home, "appreciation", "add", words, "-p", "Robin", "-d", "2025-04-10", "--passphrase-file",
         secrets["Robin"])
    folder = home / "reports" / "reflect"
    _run(home, "report", "--month", "2026-04", "--include-notes", *_signed_in(secrets))
    page = (folder / "2026-04.html").read_text(encoding="utf-8")
    assert "What you appreciated in each other, April 2025" in page and words in page
    kept = nbformat.read(folder / "2026-04.ipynb", as_version=4)
    assert words not in nbformat.writes(kept)  # the section is private: left out of the kept notebook
    robin_only = ["--passphrase-for", "Robin", secrets["Robin"]]
    _run(home, "report", "--month", "2026-04", "--include-notes", *robin_only)
    assert words not in (folder / "2026-04.html").read_text(encoding="utf-8")  # both, or nobody's words
    _run(home, "report", "--month", "2026-04", "--force")
    assert words not in (folder / "2026-04.html").read_text(encoding="utf-8")  # never without notes
