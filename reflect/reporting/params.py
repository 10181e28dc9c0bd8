"""The report's parameters, checked before anything heavy is imported or started."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reflect.analytics.phrases import months_span_words, sealed_words
from reflect.domain.months import add_months, month_of, parse_month
from reflect.errors import NoData, ValidationError


def resolve_month(value: Any, months: list[str], *, today: dt.date | None = None, sealed: int = 0) -> str:
    """The report's month from a parameter: ``None`` or ``"latest"`` (the latest month with
    check-ins), ``"last"`` (last calendar month), or ``"YYYY-MM"``; it must have check-ins.
    ``sealed``: how many check-ins are saved but not shown yet, said when there is nothing to show."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "latest")):
        if not months:
            raise NoData(f"there are no check-ins to show yet, so there is nothing to report{sealed_words(sealed)}")
        return months[-1]
    if isinstance(value, str) and value.strip().lower() == "last":
        month = add_months(month_of(today or dt.date.today()), -1)
    else:
        month = parse_month(value, field="month")
    if month not in months:
        span = f" (check-ins cover {months_span_words(months[0], months[-1])})" if months else ""
        raise NoData(f"there are no check-ins in {month}{span}{sealed_words(sealed)}")
    return month


def parse_flag(value: Any, *, field: str) -> bool:
    """A yes/no parameter: a bool, or true/false, yes/no, 1/0 as text."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise ValidationError(f"{value!r} is not true or false", field=field)
