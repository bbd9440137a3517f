"""The dashboard's numbers: letters in, categories, agency queues, overdue, backlog, agreement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from markupsafe import Markup

from models.store import REVIEW_ACTIONS, Store
from review.charts import bar_chart, line_chart

DAYS = 30


@dataclass
class Dashboard:
    summary: dict[str, Any]
    letters_chart: Markup
    letters_in_period: int
    overdue: int
    backlog: int
    oldest_backlog_due: dt.date | None
    agreement_chart: Markup
    agreement_overall: float | None
    reviews: int
    model_version: str | None


def agreement_by_week(store: Store, tz: tzinfo) -> list[tuple[str, float, int]]:
    """Per ISO week: the share of reviewed letters whose category the reviewer kept."""
    weeks: dict[tuple[int, int], list[int]] = {}
    for action in REVIEW_ACTIONS:
        for row in store.audit(action=action):
            local = row.at.astimezone(tz).date()
            year, week, _ = local.isocalendar()
            changed = "category" in (row.before or {})
            weeks.setdefault((year, week), []).append(0 if changed else 1)
    return [(f"T{week}/{year}", sum(v) / len(v), len(v)) for (year, week), v in sorted(weeks.items())]


def build_dashboard(store: Store, tz: tzinfo) -> Dashboard:
    from classifiers.versions import active_version

    today = store.today()
    summary = store.summary(today)
    since = today - dt.timedelta(days=DAYS - 1)
    per_day = store.letters_per_day(since)
    points = [((since + dt.timedelta(days=i)).strftime("%d/%m"), per_day.get(since + dt.timedelta(days=i), 0))
              for i in range(DAYS)]
    # the review queue's order puts the earliest due date first: one row, not the whole backlog
    backlog = store.review_page(statuses=("needs_review",), limit=1)
    dues = [r.due_date for r in backlog.rows if r.due_date]
    weekly = agreement_by_week(store, tz)
    total = sum(n for _, _, n in weekly)
    agreed = sum(rate * n for _, rate, n in weekly)
    return Dashboard(
        summary=summary,
        letters_chart=bar_chart(points, f"Đơn nhận theo ngày ({DAYS} ngày gần nhất)"),
        letters_in_period=sum(per_day.values()),
        overdue=sum(q["overdue"] for q in summary["queues"].values()),
        backlog=backlog.total,
        oldest_backlog_due=min(dues) if dues else None,
        agreement_chart=line_chart(weekly, "Tỷ lệ người kiểm tra giữ nguyên loại đơn của mô hình, theo tuần"),
        agreement_overall=agreed / total if total else None,
        reviews=total,
        model_version=active_version(),
    )
