"""Life events in the store: the couple's, shown to both, every version kept."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reflect.domain.checkin import parse_date
from reflect.domain.lifeevents import LifeEvent, parse_event_kind
from reflect.errors import ValidationError
from reflect.storage.records import Records, SaveStatus, now_stamp

if TYPE_CHECKING:
    import pandas as pd

_TABLE, _VERSIONS = "life_events", "life_event_versions"


def _event(row: sqlite3.Row) -> LifeEvent:
    return LifeEvent(day=dt.date.fromisoformat(row["day"]), kind=row["kind"], words=row["words"],
                     active=bool(row["active"]))


class LifeEventRecords(Records):
    """The store's life events (a mixin of :class:`~reflect.storage.store.Store`)."""

    def mark_event(self, event: LifeEvent, *, source: str | None = None) -> SaveStatus:
        """Mark one life event (or change its words, or take it back) in one transaction."""
        added, updated, _ = self.mark_events([event], source=source)
        return "added" if added else "updated" if updated else "unchanged"

    def mark_events(self, events: Iterable[LifeEvent], *, source: str | None = None) -> tuple[int, int, int]:
        """Mark life events in one transaction, all of them or none: (added, updated, unchanged)."""
        items = list(events)
        if items:
            self.require_someone_signed_in("mark a life event")
        counts = [0, 0, 0]

        def work(conn: sqlite3.Connection) -> None:
            counts[:] = [0, 0, 0]
            stamp = now_stamp()
            for e in items:
                key = {"day": e.day.isoformat(), "kind": e.kind}
                current = self._current(conn, _TABLE, _VERSIONS, key)
                if current is None and not e.active:
                    raise ValidationError(f"there is no {e.kind} on {e.day.isoformat()} to take back", field="kind")
                if current is not None and (not e.active and not current["active"]
                                            or _event(current).content() == e.content()):
                    counts[2] += 1
                    continue
                self._put(conn, _TABLE, _VERSIONS, key, {"words": e.words, "active": int(e.active)}, stamp, source)
                counts[0 if current is None else 1] += 1

        self.write(work)
        return counts[0], counts[1], counts[2]

    def life_events(self, *, include_taken_back: bool = False) -> list[LifeEvent]:
        """The current life events, oldest first."""
        if self._hidden_from_visitors():
            return []
        sql = (f"SELECT v.* FROM {_TABLE} c JOIN {_VERSIONS} v ON v.id = c.version_id"
               + ("" if include_taken_back else " WHERE v.active = 1") + " ORDER BY c.day, c.kind")
        return [_event(r) for r in self._conn.execute(sql)]

    def life_event(self, day: Any, kind: Any = None) -> LifeEvent | None:
        """The current event of ``kind`` on ``day`` (taken back ones too), if any."""
        if self._hidden_from_visitors():
            return None
        row = self._current(self._conn, _TABLE, _VERSIONS,
                            {"day": parse_date(day).isoformat(), "kind": parse_event_kind(kind)})
        return _event(row) if row is not None else None

    def event_history(self, day: Any, kind: Any = None) -> list[tuple[str, str | None, LifeEvent]]:
        """Every version of one life event, oldest first: (saved_at, source, event)."""
        key = {"day": parse_date(day).isoformat(), "kind": parse_event_kind(kind)}
        return [(r["saved_at"], r["source"], _event(r)) for r in self._history(_VERSIONS, key)]

    def event_frame(self) -> pd.DataFrame:
        """The current life events: ``day`` (datetime64), ``month``, ``kind``, ``words``, ``name``
        (how the words refer to it: "the birth")."""
        import pandas as pd

        rows = [(e.day, e.kind, e.words, e.name) for e in self.life_events()]
        df = pd.DataFrame(rows, columns=["day", "kind", "words", "name"])
        df["day"] = pd.to_datetime(df["day"])
        df.insert(1, "month", df["day"].dt.strftime("%Y-%m"))
        return df
