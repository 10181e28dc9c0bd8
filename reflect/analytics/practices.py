"""The practices as the analyses read them: agreements, repairs (without their words), life events.

>>> Practices.none().events.empty
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Practices:
    """What the trends and the report show of the practices: the agreements and their answers
    (:meth:`~reflect.storage.store.Store.agreement_frame`), the repairs without their words
    (:meth:`~reflect.storage.store.Store.repair_frame`) and the life events
    (:meth:`~reflect.storage.store.Store.event_frame`). Nothing private."""

    agreements: pd.DataFrame
    repairs: pd.DataFrame
    events: pd.DataFrame

    @classmethod
    def read(cls, store: Any) -> Practices:
        return cls(store.agreement_frame(), store.repair_frame(), store.event_frame())

    @classmethod
    def none(cls) -> Practices:
        return cls(pd.DataFrame(columns=["month", "number", "text", "dimension", "ritual", "person", "answer"]),
                   pd.DataFrame(columns=["person", "day", "month", "number", "happened", "days", "shared"]),
                   pd.DataFrame(columns=["day", "month", "kind", "words", "name"]))
