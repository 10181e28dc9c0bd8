"""The reminders file: the couple's rhythm as an iCalendar file (RFC 5545) that any calendar imports.

``reflect remind`` writes it beside the store (``data/reflect.db`` -> ``data/reflect-reminders.ics``),
readable by its owner only, through an exclusive temporary file renamed into place
(:func:`~reflect.system.paths.write_private`).

**Updating, not duplicating.** A calendar tells an update from a new event by its UID, and takes an
update only when its ``SEQUENCE`` is higher than the one it has (RFC 5545, 3.8.7.4). So each event
keeps the UID it has in the file already (a store moved with its reminders file, or restored elsewhere,
keeps its events); a kind that is not in the file yet gets one derived from the store's path and the
kind (``reflection``, ``daily``, ``weekly``, ``special``), the same on every run for a store that stays
where it is (a file deleted and written again names the same events). The ``SEQUENCE`` never goes down:
it is the number of seconds since 2020 at the time of the run (:func:`sequence_at`), or the file's
highest plus one if that is higher, so a file deleted and written again still carries a higher one
than any a calendar has seen. ``DTSTAMP`` is the time of the run. A kind chosen before and left out now
stays in the file as a cancelled event (``STATUS:CANCELLED``), so calendars that import the file
again drop it.

**Only beside a store.** The store named must be a Reflect store (or not be there yet: the reminders
wait for it); a file that is something else is refused, and nothing is written beside it.

**Where the kit finds the schedule later.** The file beside the store *is* the record of what the couple
chose: the form and the report read the monthly reflection's start and recurrence rule back from it
(:func:`next_reflection`) and say when the next one is. Keeping it there rather than in the SQLite store
means no schema change for a setting that lives in the calendar anyway, and deleting the file turns
the mention off. A file written elsewhere with ``--out`` is not read back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import stat
from pathlib import Path
from typing import Any

from reflect.domain.reminders import KINDS, Schedule, next_from_rule, next_reflection_words
from reflect.errors import ReflectError
from reflect.system.paths import write_private

log = logging.getLogger(__name__)

PRODID = "-//Reflect//reflect remind//EN"
CALENDAR_NAME = "Reflect: our rhythm"
#: Minutes before each event that a calendar shows its alert.
ALERT_MINUTES = 15


class RemindersError(ReflectError):
    """The reminders file could not be written or read."""


def default_path(store_path: str | os.PathLike[str]) -> Path:
    """The reminders file beside the store: ``us.db`` -> ``us-reminders.ics``."""
    store = Path(store_path)
    return store.with_name(f"{store.stem}-reminders.ics")


def uid(store_path: str | os.PathLike[str], kind: str) -> str:
    """A stable UID for the store's ``kind`` of event (the same on every run for the same store), for
    an event the reminders file does not hold yet."""
    digest = hashlib.sha256(f"{Path(store_path).expanduser().resolve()}\0{kind}".encode()).hexdigest()[:24]
    return f"{kind}-{digest}@reflect.local"


#: Where :func:`sequence_at` counts from. In seconds, a SEQUENCE (a 32-bit integer in RFC 5545) lasts
#: until 2088.
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def sequence_at(stamp: dt.datetime) -> int:
    """The SEQUENCE of a file written at ``stamp`` (UTC): seconds since :data:`SEQUENCE_EPOCH`, so that
    a later run always has a higher one, even when the file it would have counted from was deleted."""
    return max(0, int((stamp - SEQUENCE_EPOCH).total_seconds()))


def _kept_uid(event: Any) -> str | None:
    """The UID of an event of the earlier file, if it is one a calendar can take again."""
    found = str(event.get("UID", "")).strip()
    return found if 0 < len(found) <= 255 and found.isprintable() else None


@dataclasses.dataclass(frozen=True)
class Written:
    """What :func:`write_reminders` did: where, which events, and whether it replaced an earlier file."""

    path: Path
    kinds: list[str]
    cancelled: list[str]
    sequence: int
    updated: bool


#: A reminders file is a few kilobytes; anything larger is not one, and is not read.
MAX_FILE_BYTES = 1 << 20


def _refuse_special(path: Path, mode: int) -> None:
    """:class:`RemindersError` if ``mode`` is not a regular file's (a device, a FIFO, a folder...)."""
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
        raise RemindersError(f"{path} is {kind}, not a reminders file; choose a file with --out; "
                             "nothing was read or written")


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of the file at ``path`` (None if there is none), never reading a device, a FIFO or a
    folder: its kind is checked before it is opened, and again on what was opened (no blocking open,
    in case it changed meanwhile); a file too large to be a reminders file is not read either."""
    try:
        _refuse_special(path, os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RemindersError(f"{path}: cannot read it ({exc.strerror}); nothing was written") from None
    try:
        found = os.fstat(fd)
        _refuse_special(path, found.st_mode)
        if found.st_size > MAX_FILE_BYTES:
            raise RemindersError(f"{path} is there already and is too large to be a Reflect reminders file; "
                                 "choose another file with --out, or move it away; nothing was written")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RemindersError(f"{path}: cannot read it ({exc.strerror}); nothing was written") from None
    finally:
        os.close(fd)


def _read_calendar(path: Path) -> Any | None:
    """The calendar in ``path``; None if there is no file; :class:`RemindersError` if it is not Reflect's
    (a device, a FIFO or a folder included, which are refused without being read)."""
    import icalendar

    data = _read_bytes(path)
    if data is None:
        return None
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError:
        calendar = None
    if calendar is None or str(calendar.get("PRODID", "")) != PRODID:
        raise RemindersError(f"{path} is there already and is not a Reflect reminders file; "
                             "choose another file with --out, or move it away; nothing was written")
    return calendar


def _previous_events(calendar: Any | None) -> dict[str, Any]:
    if calendar is None:
        return {}
    return {str(e.get("X-REFLECT-KIND")): e for e in calendar.walk("VEVENT") if e.get("X-REFLECT-KIND")}


def calendar_bytes(schedule: Schedule, *, store_path: str | os.PathLike[str], now: dt.datetime,
                   previous: dict[str, Any] | None = None) -> tuple[bytes, list[str], list[str], int]:
    """The iCalendar file for ``schedule``: its bytes, the kinds in it, the kinds cancelled, the sequence.

    ``now`` is local time without a zone: events start at the chosen wall-clock time wherever the
    calendar is (floating times), and each starts at its first occurrence from ``now`` on.
    """
    import icalendar

    previous = previous or {}
    stamp = now.astimezone(dt.UTC) if now.tzinfo else now.astimezone().astimezone(dt.UTC)
    sequence = max([sequence_at(stamp), *(_sequence_of(e) + 1 for e in previous.values())])

    def uid_of(kind: str) -> str:  # the one the file has, else the store's own
        return (_kept_uid(previous[kind]) if kind in previous else None) or uid(store_path, kind)

    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", CALENDAR_NAME)
    local_now = now.replace(tzinfo=None, second=0, microsecond=0)
    chosen = schedule.reminders()
    for reminder in chosen:
        event = icalendar.Event()
        event.add("UID", uid_of(reminder.kind))
        event.add("DTSTAMP", stamp)
        event.add("LAST-MODIFIED", stamp)
        event.add("SEQUENCE", sequence)
        event.add("SUMMARY", reminder.summary)
        event.add("DESCRIPTION", reminder.description)
        start = reminder.first(local_now)
        event.add("DTSTART", start)
        event.add("DURATION", dt.timedelta(minutes=reminder.minutes))
        event.add("RRULE", icalendar.vRecur(reminder.rule))
        event.add("TRANSP", "OPAQUE" if reminder.kind in ("reflection", "special") else "TRANSPARENT")
        if schedule.address:
            event.add("URL", schedule.address)
        event.add("X-REFLECT-KIND", reminder.kind)
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", reminder.summary)
        alarm.add("TRIGGER", dt.timedelta(minutes=-ALERT_MINUTES))
        event.add_component(alarm)
        cal.add_component(event)
    kinds = [r.kind for r in chosen]
    cancelled = [k for k in KINDS if k in previous and k not in kinds]
    for kind in cancelled:  # chosen before, not now: calendars that import the file again drop it
        old = previous[kind]
        event = icalendar.Event()
        event.add("UID", uid_of(kind))
        event.add("DTSTAMP", stamp)
        event.add("SEQUENCE", sequence)
        event.add("STATUS", "CANCELLED")
        event.add("SUMMARY", str(old.get("SUMMARY", kind)))
        event.add("DTSTART", old.decoded("DTSTART"))
        if old.get("RRULE") is not None:
            event.add("RRULE", old.get("RRULE"))
        event.add("X-REFLECT-KIND", kind)
        cal.add_component(event)
    return cal.to_ical(), kinds, cancelled, sequence


def _sequence_of(event: Any) -> int:
    try:
        return max(0, int(event.get("SEQUENCE", 0)))
    except (TypeError, ValueError):
        return 0


def _check_store(store_path: str | os.PathLike[str]) -> None:
    """:class:`RemindersError` unless ``store_path`` is a Reflect store, or nothing yet (read without
    opening it with SQLite: nothing there changes)."""
    from reflect.errors import StoreError, StoreTooNew
    from reflect.storage import migrations, storefile

    try:
        storefile.identify(Path(store_path).expanduser(), application_id=migrations.APPLICATION_ID,
                           newest=migrations.SCHEMA_VERSION)
    except StoreTooNew:
        return  # a Reflect store all the same
    except StoreError as exc:
        said = str(exc).removesuffix("; it was left untouched")
        raise RemindersError(f"{said}; no reminders were written beside it") from None


def write_reminders(schedule: Schedule, store_path: str | os.PathLike[str], *,
                    out: str | os.PathLike[str] | None = None, now: dt.datetime | None = None) -> Written:
    """Write (or update) the reminders file for the store at ``store_path``; ``out`` to choose the file.

    Nothing is written if the file there is not an earlier Reflect reminders file, or cannot be written.
    """
    _check_store(store_path)
    target = Path(out).expanduser() if out is not None else default_path(store_path)
    if not target.parent.is_dir():
        why = "is not a folder" if target.parent.exists() else "does not exist"
        raise RemindersError(f"{target.parent} {why}; nothing was written")
    old = _read_calendar(target)
    previous = _previous_events(old)
    data, kinds, cancelled, sequence = calendar_bytes(
        schedule, store_path=store_path, now=now or dt.datetime.now(), previous=previous)
    write_private(target, data)
    log.debug("wrote %s (%s)", target, ", ".join(kinds))
    return Written(path=target, kinds=kinds, cancelled=cancelled, sequence=sequence, updated=old is not None)


def next_reflection(store_path: str | os.PathLike[str] | None, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next monthly reflection is, from the reminders file beside the store; None when there is
    none (no reminders set, a store in memory, or a file the kit cannot read, which is logged)."""
    if store_path is None:
        return None
    path = default_path(store_path)
    if not path.is_file():
        return None
    try:
        event = _previous_events(_read_calendar(path)).get("reflection")
        if event is None or str(event.get("STATUS", "")).upper() == "CANCELLED":
            return None
        start = event.decoded("DTSTART")
        rule = event.get("RRULE").to_ical().decode()
    except (RemindersError, ValueError, AttributeError, KeyError) as exc:
        log.warning("could not read the reminders in %s: %s", path, exc)
        return None
    if not isinstance(start, dt.datetime):
        return None
    local_now = (now or dt.datetime.now()).replace(tzinfo=None)
    return next_from_rule(rule, start.replace(tzinfo=None), after=local_now)


def next_reflection_line(store_path: str | os.PathLike[str] | None, *, now: dt.datetime | None = None) -> str:
    """"Your next reflection: Sunday 27 December, 20:00" when reminders are set for the store, else ""."""
    now = now or dt.datetime.now()
    when = next_reflection(store_path, now=now)
    return next_reflection_words(when, today=now.date()) if when is not None else ""
