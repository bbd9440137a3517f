"""Working-day deadlines: weekends, Vietnamese public holidays, declared swaps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from petitions.errors import BadConfigError
from routing.deadlines import WorkCalendar, due_date, is_working_day

D = dt.date
EMPTY = WorkCalendar()


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # The day of receipt is not counted.
        (D(2026, 11, 25), 0, D(2026, 11, 25)),
        (D(2026, 11, 25), 1, D(2026, 11, 26)),
        # Across a weekend: Thu 5/11 + 2 -> Fri 6, Mon 9.
        (D(2026, 11, 5), 2, D(2026, 11, 9)),
        # Received on a Saturday: counting starts on Monday.
        (D(2026, 11, 7), 1, D(2026, 11, 9)),
        (D(2026, 11, 25), 7, D(2026, 12, 4)),
        (D(2026, 11, 25), 5, D(2026, 12, 2)),
        # Tết 2027 (4/2-10/2 off): Wed 3/2 + 5 -> Thu 11, Fri 12, Mon 15, Tue 16, Wed 17.
        (D(2027, 2, 3), 5, D(2027, 2, 17)),
        (D(2027, 2, 3), 1, D(2027, 2, 11)),
        # 30/4 and 1/5 2026 (Thu, Fri), then the weekend: Wed 29/4 + 3 -> Mon 4, Tue 5, Wed 6.
        (D(2026, 4, 29), 3, D(2026, 5, 6)),
        # 2027: 30/4 Fri, 1/5 Sat with the day off carried to Mon 3/5: Thu 29/4 + 1 -> Tue 4/5.
        (D(2027, 4, 29), 1, D(2027, 5, 4)),
        # Hùng Kings 2026 falls on Sunday 26/4, observed Monday 27/4.
        (D(2026, 4, 24), 1, D(2026, 4, 28)),
    ],
)
def test_due_date(received: dt.date, days: int, expected: dt.date) -> None:
    assert due_date(received, days, EMPTY) == expected


def test_make_up_saturday_from_holidays_package_is_a_working_day() -> None:
    # Saturday 22/8/2026 is worked to give Monday 31/8/2026 off (before 2/9).
    assert is_working_day(D(2026, 8, 22), EMPTY)
    assert not is_working_day(D(2026, 8, 31), EMPTY)
    assert due_date(D(2026, 8, 21), 1, EMPTY) == D(2026, 8, 22)


def test_declared_extra_day_off_and_make_up_day() -> None:
    cal = WorkCalendar(extra_days_off=frozenset({D(2026, 11, 9)}), extra_working_days=frozenset({D(2026, 11, 7)}))
    assert not is_working_day(D(2026, 11, 9), cal)
    assert is_working_day(D(2026, 11, 7), cal)
    assert due_date(D(2026, 11, 6), 2, cal) == D(2026, 11, 10)  # Sat 7 worked, Mon 9 off, Tue 10


def test_calendar_file(tmp_path: Path) -> None:
    good = tmp_path / "cal.yaml"
    good.write_text("extra_days_off: [2026-11-09]\nextra_working_days: ['2026-11-07']\n", encoding="utf-8")
    cal = WorkCalendar.from_file(good)
    assert cal.extra_days_off == {D(2026, 11, 9)} and cal.extra_working_days == {D(2026, 11, 7)}
    bad = tmp_path / "bad.yaml"
    bad.write_text("days_off: []\n", encoding="utf-8")
    with pytest.raises(BadConfigError):
        WorkCalendar.from_file(bad)


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError):
        due_date(D(2026, 1, 5), -1)
