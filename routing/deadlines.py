"""Processing deadlines in working days, counted from the date of receipt.

The day of receipt itself is not counted (Civil Code art. 147: a period in days starts on the next
day); the deadline is the N-th working day after it. Working days are Monday to Friday, minus the
Vietnamese public holidays known to the ``holidays`` package, plus the weekend make-up days it knows
(``weekend_workdays``), adjusted by the declared changes in ``routing/calendar.yaml`` or a
:class:`WorkCalendar` passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import holidays
import yaml

from petitions.errors import BadConfigError

CALENDAR_FILE = Path(__file__).with_name("calendar.yaml")
_MAX_DAYS = 366  # a deadline is never more than a year of working days away


@dataclass(frozen=True)
class WorkCalendar:
    """Declared exceptions to the statutory calendar: extra days off and make-up working days."""

    extra_days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def from_file(cls, path: Path) -> WorkCalendar:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise BadConfigError(f"cannot read the working calendar {path}: {exc}") from exc
        unknown = set(raw) - {"extra_days_off", "extra_working_days"}
        if unknown:
            raise BadConfigError(f"{path}: unknown keys {sorted(unknown)}")
        try:
            return cls(
                extra_days_off=frozenset(_as_date(d) for d in raw.get("extra_days_off") or []),
                extra_working_days=frozenset(_as_date(d) for d in raw.get("extra_working_days") or []),
            )
        except ValueError as exc:
            raise BadConfigError(f"{path}: {exc}") from exc


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return WorkCalendar.from_file(CALENDAR_FILE)


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(public holidays, weekend make-up working days) of one year."""
    vn = holidays.country_holidays("VN", years=year)
    workdays = getattr(vn, "weekend_workdays", set()) or set()
    return frozenset(vn.keys()), frozenset(d for d in workdays if d.year == year)


def is_working_day(day: dt.date, calendar: WorkCalendar | None = None) -> bool:
    calendar = calendar or default_calendar()
    if day in calendar.extra_days_off:
        return False
    if day in calendar.extra_working_days:
        return True
    public, make_up = _vn_holidays(day.year)
    if day in public:
        return False
    return day.weekday() < 5 or day in make_up


def due_date(received: dt.date, working_days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The ``working_days``-th working day after ``received`` (``received`` itself when 0)."""
    if working_days < 0:
        raise ValueError("working_days must be >= 0")
    if working_days > _MAX_DAYS:
        raise ValueError(f"working_days must be <= {_MAX_DAYS}")
    day, left = received, working_days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, calendar):
            left -= 1
    return day
