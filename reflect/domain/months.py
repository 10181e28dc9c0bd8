"""Month arithmetic: months as ``YYYY-MM`` text, checked, counted and stepped through.

>>> add_months("2026-01", -1), month_start("2026-10"), days_in("2026-02"), last_months("2026-02", 3)
('2025-12', datetime.date(2026, 10, 1), 28, ['2025-12', '2026-01', '2026-02'])
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from reflect.errors import ValidationError

#: The earliest year a check-in, a ritual or a report can be for.
MIN_YEAR = 1900
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: Any, *, field: str = "month", earliest: int = MIN_YEAR) -> str:
    """A month as ``YYYY-MM``, checked (``2026-13`` is an error, and so is one before ``earliest``)."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip() if value is not None else ""
    m = _MONTH_RE.match(text)
    if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1:
        raise ValidationError(
            f"{text!r} is not a month in the form YYYY-MM (for example 2026-10)", field=field
        )
    if int(m[1]) < earliest:
        raise ValidationError(f"{text} is too early: months start in {earliest}", field=field)
    return text


def month_start(month: str) -> dt.date:
    """The first day of a ``YYYY-MM`` month."""
    month = parse_month(month, earliest=1)
    return dt.date(int(month[:4]), int(month[5:]), 1)


def month_of(day: dt.date) -> str:
    """The ``YYYY-MM`` month of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    """``add_months("2026-01", -1) == "2025-12"``."""
    start = month_start(month)
    index = start.year * 12 + start.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def days_in(month: str) -> int:
    """How many days ``month`` has."""
    start = month_start(month)
    return calendar.monthrange(start.year, start.month)[1]


def last_months(month: str, n: int) -> list[str]:
    """The ``n`` months ending with ``month``, oldest first."""
    return [add_months(month, -i) for i in range(n - 1, -1, -1)]
