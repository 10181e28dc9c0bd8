"""`reflect remind`: the rhythm as an iCalendar file, parsed back with the library; stable UIDs on a
re-run; the next reflection computed right around month ends; the form and the report mention it."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import time
from pathlib import Path

import icalendar
import pytest
from dateutil.rrule import rrulestr

from reflect.domain.reminders import Schedule, next_occurrence, next_reflection_words, parse_monthly_day
from reflect.errors import ValidationError
from reflect.storage.reminders import (
    PRODID,
    RemindersError,
    default_path,
    next_reflection,
    next_reflection_line,
    write_reminders,
)
from reflect.storage.store import Store

from .helpers import REFLECT_BIN, make_checkin

NOW = dt.datetime(2026, 12, 5, 23, 0)


def events(path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(calendar["PRODID"]) == PRODID and str(calendar["VERSION"]) == "2.0"
    return {str(e["X-REFLECT-KIND"]): e for e in calendar.walk("VEVENT")}


def rule(event) -> str:
    return event["RRULE"].to_ical().decode()


def full(tmp_path, **changes):
    chosen = dict(day="last-sunday", time="20:00", daily="21:30", weekly="sunday 19:00",
                  special="first-saturday 19:30")
    chosen.update(changes)
    return Schedule.create(**chosen)


# -- the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("last-sunday", {"FREQ": "MONTHLY", "BYDAY": "-1SU"}),
    ("first saturday", {"FREQ": "MONTHLY", "BYDAY": "1SA"}),
    ("2nd-fri", {"FREQ": "MONTHLY", "BYDAY": "2FR"}),
    ("Fourth-Wednesday", {"FREQ": "MONTHLY", "BYDAY": "4WE"}),
    ("28", {"FREQ": "MONTHLY", "BYMONTHDAY": 28}),
])
def test_monthly_days_become_recurrence_rules(text, expected):
    assert parse_monthly_day(text).rrule() == expected


@pytest.mark.parametrize("field, value, words", [
    ("day", "lastsunday", "is not a day of the month"),
    ("day", "fifth-monday", "is not a day of the month"),
    ("day", "31", "is not a day every month has"),
    ("day", "0", "is not a day every month has"),
    ("time", "25:00", "is not a time of day"),
    ("time", "8pm", "is not a time of day"),
    ("daily", "7.30", "is not a time of day"),
    ("weekly", "sunday", "needs a day and a time"),
    ("weekly", "someday 19:00", "is not a day of the week"),
    ("special", "first-saturday 19:61", "is not a time of day"),
    ("address", "192.168.1.2:8866", "is not a web address"),
])
def test_bad_choices_are_named(field, value, words):
    with pytest.raises(ValidationError, match=words) as caught:
        Schedule.create(**{field: value})
    assert caught.value.field == field


@pytest.mark.parametrize("after, expected", [
    (dt.datetime(2026, 12, 5, 23, 0), dt.datetime(2026, 12, 27, 20, 0)),
    (dt.datetime(2026, 12, 27, 19, 59), dt.datetime(2026, 12, 27, 20, 0)),   # the same day, before
    (dt.datetime(2026, 12, 27, 20, 0), dt.datetime(2027, 1, 31, 20, 0)),    # just missed: next month
    (dt.datetime(2026, 12, 31, 23, 59), dt.datetime(2027, 1, 31, 20, 0)),   # over the year's end
    (dt.datetime(2027, 1, 31, 21, 0), dt.datetime(2027, 2, 28, 20, 0)),     # February's last Sunday is the 28th
    (dt.datetime(2027, 2, 28, 21, 0), dt.datetime(2027, 3, 28, 20, 0)),
])
def test_the_next_last_sunday_around_month_ends(after, expected):
    reflection = Schedule.create(day="last-sunday", time="20:00").reminders()[0]
    assert next_occurrence(reflection, after=after) == expected


def test_the_next_day_of_the_month_and_first_weekday():
    on_28 = Schedule.create(day="28", time="08:00").reminders()[0]
    assert next_occurrence(on_28, after=dt.datetime(2027, 1, 28, 9, 0)) == dt.datetime(2027, 2, 28, 8, 0)
    assert next_occurrence(on_28, after=dt.datetime(2028, 2, 27, 9, 0)) == dt.datetime(2028, 2, 28, 8, 0)
    first_saturday = Schedule.create(day="first-saturday", time="10:00").reminders()[0]
    assert next_occurrence(first_saturday, after=dt.datetime(2026, 12, 5, 11, 0)) == dt.datetime(2027, 1, 2, 10, 0)


def test_the_words_for_the_next_reflection():
    assert next_reflection_words(dt.datetime(2026, 12, 27, 20, 0), today=dt.date(2026, 12, 5)) == \
        "Your next reflection: Sunday 27 December, 20:00"
    assert next_reflection_words(dt.datetime(2027, 1, 31, 20, 0), today=dt.date(2026, 12, 28)) == \
        "Your next reflection: Sunday 31 January 2027, 20:00"
    assert next_reflection_words(dt.datetime(2026, 12, 27, 20, 0), today=dt.date(2026, 12, 27)) == \
        "Your next reflection: today, Sunday 27 December, 20:00"


# -- the file ------------------------------------------------------------------------------------


def test_the_file_parses_back_with_the_rules_and_kind_lines(tmp_path):
    db = tmp_path / "us.db"
    written = write_reminders(full(tmp_path, address="https://192.168.1.20:8866/?token=secret"), db, now=NOW)
    assert written.path == tmp_path / "us-reminders.ics" == default_path(db)
    assert stat.S_IMODE(os.stat(written.path).st_mode) == 0o600
    found = events(written.path)
    assert list(found) == ["reflection", "daily", "weekly", "special"]
    assert rule(found["reflection"]) == "FREQ=MONTHLY;BYDAY=-1SU"
    assert rule(found["daily"]) == "FREQ=DAILY"
    assert rule(found["weekly"]) == "FREQ=WEEKLY;BYDAY=SU"
    assert rule(found["special"]) == "FREQ=MONTHLY;BYDAY=1SA"
    # each starts at its first occurrence from now on, at the chosen wall-clock time
    assert found["reflection"].decoded("DTSTART") == dt.datetime(2026, 12, 27, 20, 0)
    assert found["daily"].decoded("DTSTART") == dt.datetime(2026, 12, 6, 21, 30)
    assert found["weekly"].decoded("DTSTART") == dt.datetime(2026, 12, 6, 19, 0)
    assert found["special"].decoded("DTSTART") == dt.datetime(2027, 1, 2, 19, 30)
    assert found["special"].decoded("DURATION") == dt.timedelta(hours=3)
    for event in found.values():
        assert str(event["SUMMARY"]) and len(str(event["DESCRIPTION"])) < 300
        assert "https://192.168.1.20:8866/" in str(event["DESCRIPTION"])
        assert str(event["URL"]) == "https://192.168.1.20:8866/"
        assert event.walk("VALARM"), "each event has an alert"
    assert b"secret" not in written.path.read_bytes()  # the token never goes on a calendar
    # dateutil reads the rule back the same way: the reflection is on the last Sunday of each month
    start = found["reflection"].decoded("DTSTART")
    dates = list(rrulestr(rule(found["reflection"]), dtstart=start)[:3])
    assert dates == [dt.datetime(2026, 12, 27, 20), dt.datetime(2027, 1, 31, 20), dt.datetime(2027, 2, 28, 20)]


def test_running_again_updates_the_same_events(tmp_path):
    db = tmp_path / "us.db"
    made = write_reminders(full(tmp_path), db, now=NOW)
    first = events(default_path(db))
    later = NOW + dt.timedelta(days=3)
    again = write_reminders(full(tmp_path, time="21:00"), db, now=later)
    second = events(default_path(db))
    assert again.updated and again.sequence > made.sequence  # higher: calendars take the change
    assert {k: str(e["UID"]) for k, e in first.items()} == {k: str(e["UID"]) for k, e in second.items()}
    assert len({str(e["UID"]) for e in second.values()}) == 4
    assert all(int(e["SEQUENCE"]) == again.sequence for e in second.values())
    pairs = zip(second.values(), first.values(), strict=True)
    assert all(e.decoded("DTSTAMP") > f.decoded("DTSTAMP") for e, f in pairs)
    assert second["reflection"].decoded("DTSTART") == dt.datetime(2026, 12, 27, 21, 0)

    # the weekly hour left out: it stays in the file, cancelled, so calendars drop it
    third = write_reminders(full(tmp_path, weekly=None), db, now=later)
    assert third.cancelled == ["weekly"] and third.sequence == again.sequence + 1  # the same moment: one up
    found = events(default_path(db))
    assert str(found["weekly"]["STATUS"]) == "CANCELLED" and str(found["weekly"]["UID"]) == str(first["weekly"]["UID"])
    assert int(found["weekly"]["SEQUENCE"]) == third.sequence

    # another store, other events
    other = write_reminders(full(tmp_path), tmp_path / "them.db", now=NOW)
    assert str(events(other.path)["reflection"]["UID"]) != str(first["reflection"]["UID"])


def test_a_file_that_is_not_reflects_is_never_replaced(tmp_path):
    mine = tmp_path / "holidays.ics"
    mine.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Someone//EN\nEND:VCALENDAR\n")
    with pytest.raises(RemindersError, match="is not a Reflect reminders file"):
        write_reminders(full(tmp_path), tmp_path / "us.db", out=mine, now=NOW)
    assert "Someone" in mine.read_text()


def test_the_next_reflection_is_read_back_from_beside_the_store(tmp_path):
    db = tmp_path / "us.db"
    assert next_reflection(db) is None and next_reflection_line(db) == "" and next_reflection(None) is None
    write_reminders(Schedule.create(day="last-sunday", time="20:00"), db, now=NOW)
    assert next_reflection(db, now=dt.datetime(2026, 12, 28, 9, 0)) == dt.datetime(2027, 1, 31, 20, 0)
    assert next_reflection_line(db, now=NOW) == "Your next reflection: Sunday 27 December, 20:00"
    default_path(db).write_text("not a calendar")  # spoiled: said nowhere, logged
    assert next_reflection_line(db, now=NOW) == ""


# -- the form and the report ---------------------------------------------------------------------


def test_the_form_mentions_the_next_reflection_only_when_set(tmp_path):
    from reflect.views.widgets import CheckInForm

    db = tmp_path / "us.db"
    with Store(db) as store:
        assert CheckInForm(store).upcoming.value == ""
        write_reminders(Schedule.create(day="last-sunday", time="20:00"), db)
        shown = CheckInForm(store).upcoming.value
    assert "Your next reflection: Sunday" in shown and "20:00" in shown


def test_the_report_mentions_the_next_reflection_only_when_set(tmp_path):
    from reflect.reporting.report import MonthlyReport

    db = tmp_path / "us.db"
    with Store(db) as store:
        store.save(make_checkin("Ana", "2026-10-01"))
    assert "next reflection" not in str(MonthlyReport.open("2026-10", str(db)).closing())
    write_reminders(Schedule.create(day="first-saturday", time="10:30"), db)
    closing = str(MonthlyReport.open("2026-10", str(db)).closing())
    assert "Your next reflection: Saturday" in closing and "10:30" in closing


# -- the command ---------------------------------------------------------------------------------


def _remind(tmp_path, *args):
    return subprocess.run([str(REFLECT_BIN), "remind", "--db", str(tmp_path / "us.db"), *args],
                          capture_output=True, text=True, timeout=60)


def test_the_command_writes_and_updates(tmp_path):
    done = _remind(tmp_path, "--day", "last-sunday", "--time", "19:30", "--daily", "8:00",
                   "--weekly", "sunday 18:00", "--special", "first-saturday 19:30")
    assert done.returncode == 0, done.stderr
    assert f"Wrote {tmp_path / 'us-reminders.ics'}" in done.stdout and "Your next reflection:" in done.stdout
    assert rule(events(tmp_path / "us-reminders.ics")["weekly"]) == "FREQ=WEEKLY;BYDAY=SU"
    again = _remind(tmp_path)
    assert again.returncode == 0 and "Updated" in again.stdout
    assert ("Taken off the calendar: a moment for us (--daily), our phone-free hour (--weekly), our special "
            "evening (--special)") in again.stdout


@pytest.mark.parametrize("args, words", [
    (["--day", "lastsunday"], "Invalid value for --day: 'lastsunday' is not a day of the month"),
    (["--time", "24:00"], "Invalid value for --time: '24:00' is not a time of day"),
    (["--weekly", "sunday"], "Invalid value for --weekly: 'sunday' needs a day and a time"),
])
def test_the_command_refuses_bad_choices_and_writes_nothing(tmp_path, args, words):
    done = _remind(tmp_path, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_command_says_when_the_folder_is_missing(tmp_path):
    done = _remind(tmp_path, "--out", str(tmp_path / "nowhere" / "r.ics"))
    assert done.returncode == 1 and f"{tmp_path / 'nowhere'} does not exist; nothing was written" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/full"),
                    reason="needs FIFOs and /dev/full (Linux)")
@pytest.mark.parametrize("kind, words, code", [
    ("fifo", "is a FIFO, not a reminders file", 1),
    ("folder", "is a directory", 2),  # click's own check on --out (a usage error), before the library's
    ("device", "is a device, not a reminders file", 1),
])
def test_the_command_refuses_a_device_a_fifo_or_a_folder_without_reading_it(tmp_path, kind, words, code):
    """`--out /dev/full` once read until memory ran out; a FIFO would block for ever. Each is refused in
    one line, at once, without being opened, and nothing is written anywhere."""
    if kind == "fifo":
        out = tmp_path / "r.ics"
        os.mkfifo(out)
    elif kind == "folder":
        out = tmp_path / "r.ics"
        out.mkdir()
    else:
        out = Path("/dev/full")
    before = sorted(p.name for p in tmp_path.iterdir())
    started = time.monotonic()
    done = _remind(tmp_path, "--out", str(out))
    took = time.monotonic() - started
    assert done.returncode == code, done
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert words in done.stderr and str(out) in done.stderr
    assert took < 30  # a blocked FIFO or an endless device would have hit the subprocess's 60 s timeout
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no store, no temporary file, nothing
    if kind == "folder":
        assert list(out.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/full"),
                    reason="needs FIFOs and /dev/full (Linux)")
def test_the_library_refuses_a_device_a_fifo_or_a_folder_without_reading_it(tmp_path):
    db = tmp_path / "us.db"
    fifo = tmp_path / "fifo.ics"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.ics"
    folder.mkdir()
    for out, kind in ((fifo, "a FIFO"), (folder, "a folder"), (Path("/dev/full"), "a device")):
        with pytest.raises(RemindersError, match=f"is {kind}, not a reminders file.*nothing was read or written"):
            write_reminders(Schedule.create(day="last-sunday", time="20:00"), db, out=out, now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.ics", "folder.ics"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and list(folder.iterdir()) == []
