"""The review desk's service functions: the queue, a letter's view, a review's plan and its save.

Routes call these and only render; nothing here knows about HTTP. The review of one letter is
planned from the stored record plus the reviewer's form (``plan_review``) — the same plan serves the
route preview and the save, so the preview shows exactly what saving will do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from models.record import CATEGORIES, DOMAINS, REVIEW_REASONS, Classification, LetterRecord, Petitioner, Route
from models.rows import ReviewResult, ReviewRow
from models.store import Store
from petitions.settings import Settings
from review.auth import Viewer
from review.i18n import ACTION_LABELS, REASON_LABELS, condition_text
from review.identity import extraction_of

STATUS_FILTERS: dict[str, tuple[str, ...] | None] = {
    "open": ("needs_review", "routed"),
    "needs_review": ("needs_review",),
    "routed": ("routed",),
    "quarantined": ("quarantined",),
    "all": None,
}
ROUTING_FIELDS = ("category", "mixed", "secondary_category", "complaint_round", "domain", "crime_signs",
                  "party_discipline")
BOOL_FIELDS = ("mixed", "crime_signs", "party_discipline")
MANUAL_RULE = "manual"
_DEFAULT_ACTIONS = {"luu_don": "file", "cong_an_tinh": "transfer_police", "uy_ban_kiem_tra_tinh_uy": "transfer_party",
                    "ngoai_tinh": "guide"}


class ReviewError(ValueError):
    """The reviewer's form cannot be saved as it is (message in Vietnamese)."""


# ---- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    reason: str | None = None
    category: str | None = None
    agency: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QueueFilters:
        """Filters from a query string; unknown values are ignored (never passed to the store)."""
        status = params.get("status") or "open"
        reason = params.get("reason") or None
        category = params.get("category") or None
        agency = (params.get("agency") or "").strip()[:200] or None
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            reason=reason if reason in REVIEW_REASONS or reason in REASON_LABELS else None,
            category=category if category in CATEGORIES else None,
            agency=agency,
        )

    def query(self) -> str:
        values = {"status": self.status if self.status != "open" else None, "reason": self.reason,
                  "category": self.category, "agency": self.agency}
        return urlencode({k: v for k, v in values.items() if v})


PAGE_SIZES: tuple[int, ...] = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Paging:
    """Which page of the queue: 1-based ``page`` of ``size`` letters (from ?page=&size=)."""

    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Paging:
        def number(name: str) -> int | None:
            raw = (params.get(name) or "").strip()
            return int(raw) if raw.isdigit() and len(raw) <= 7 else None

        size = number("size")
        return cls(page=max(number("page") or 1, 1), size=size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE)


@dataclass
class QueueView:
    rows: list[ReviewRow]
    reason_counts: dict[str, int]
    agencies: list[tuple[str, str]]  # (agency_id, agency_name) with letters under the status/category filters
    total: int  # letters matching the filters (all pages)
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    filters: QueueFilters = field(default_factory=QueueFilters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """1-based position of the page's first letter (0 when the queue is empty)."""
        return (self.page - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.size + len(self.rows)

    def page_query(self, page: int, size: int | None = None) -> str:
        """The query string of another page (or page size) under the same filters."""
        size = size or self.size
        extra = {"page": page if page > 1 else None, "size": size if size != DEFAULT_PAGE_SIZE else None}
        parts = [self.filters.query(), urlencode({k: v for k, v in extra.items() if v})]
        return "&".join(p for p in parts if p)

    @property
    def prev_query(self) -> str | None:
        return self.page_query(self.page - 1) if self.page > 1 else None

    @property
    def next_query(self) -> str | None:
        return self.page_query(self.page + 1) if self.page < self.pages else None

    def reason_query(self, reason: str) -> str:
        """The first page of the queue filtered by ``reason`` (other filters and page size kept)."""
        other = QueueView([], {}, [], 0, 1, self.size, replace(self.filters, reason=reason))
        return other.page_query(1)


def _store_filters(filters: QueueFilters) -> dict[str, Any]:
    return {"statuses": STATUS_FILTERS[filters.status], "category": filters.category,
            "agency_id": filters.agency, "reason": filters.reason}


def queue_view(store: Store, filters: QueueFilters, paging: Paging | None = None) -> QueueView:
    """One page of the filtered queue; a page past the end shows the last page."""
    paging = paging or Paging()
    page = paging.page
    result = store.review_page(**_store_filters(filters), limit=paging.size, offset=(page - 1) * paging.size)
    last_page = max(1, -(-result.total // paging.size))
    if page > last_page:
        page = last_page
        result = store.review_page(**_store_filters(filters), limit=paging.size, offset=(page - 1) * paging.size)
    agencies = sorted(result.agencies.items(), key=lambda kv: kv[1])
    return QueueView(result.rows, result.reason_counts, agencies, result.total, page, paging.size, filters)


def neighbours(store: Store, filters: QueueFilters, letter_id: str) -> tuple[str | None, str | None]:
    """The letters before and after this one in the filtered queue (next: the first if it is not there)."""
    return store.review_neighbours(letter_id, **_store_filters(filters))


# ---- a review's plan ----------------------------------------------------------------------------


@dataclass
class ReviewPlan:
    """What saving the reviewer's form would do."""

    changes: dict[str, Any]
    derived: set[str]  # changed fields that follow from others (a re-computed route)
    route: Route | None
    rerouted: bool
    manual_route: bool
    rule_text: list[str] = field(default_factory=list)

    @property
    def corrections(self) -> list[str]:
        return [k for k in self.changes if k in (*ROUTING_FIELDS, "petitioners", "route") and k not in self.derived]


def _classification(record: LetterRecord, values: Mapping[str, Any]) -> Classification:
    return Classification(
        category=values["category"], category_confidence=record.category_confidence or 0.0,
        title_category=record.title_category, mixed=values["mixed"],
        secondary_category=values["secondary_category"], complaint_round=values["complaint_round"],
        domain=values["domain"], crime_signs=values["crime_signs"], party_discipline=values["party_discipline"],
        signals=record.category_signals, model_version=record.model_version or "",
    )


def _form_classification(record: LetterRecord, form: Mapping[str, Any]) -> dict[str, Any]:
    def pick(name: str, allowed: tuple[Any, ...], current: Any) -> Any:
        raw = form.get(name)
        if raw is None:
            return current
        raw = str(raw).strip()
        if raw == "":
            return None
        if raw not in {str(a) for a in allowed}:
            raise ReviewError(f"Giá trị không hợp lệ cho trường {name}.")
        return next(a for a in allowed if str(a) == raw)

    values: dict[str, Any] = {
        "category": pick("category", CATEGORIES, record.category),
        "secondary_category": pick("secondary_category", CATEGORIES, record.secondary_category),
        "complaint_round": pick("complaint_round", (1, 2), record.complaint_round),
        "domain": pick("domain", DOMAINS, record.domain) or "khac",
    }
    if values["category"] is None:
        raise ReviewError("Hãy chọn loại đơn.")
    for name in BOOL_FIELDS:  # checkboxes: present means yes (the form always sends the section)
        values[name] = str(form.get(name, "")).strip() in ("1", "on", "true")
    if not values["mixed"]:
        values["secondary_category"] = None
    return values


def _form_petitioners(form: Mapping[str, Any], count: int) -> list[Petitioner]:
    people = []
    for i in range(count + 1):
        parts = {k: str(form.get(f"p{i}_{k}", "")).strip()[:500] or None for k in ("name", "id_number", "address")}
        if any(parts.values()):
            people.append(Petitioner(**parts))
    return people


def _manual_route(agency_id: str, base: Route | None, action: str | None, settings: Settings,
                  due: dt.date | None) -> Route:
    from routing.agencies import find_agency

    agency = find_agency(agency_id, settings)
    if agency is None:
        raise ReviewError("Cơ quan đã chọn không có trong danh mục.")
    chosen = action or (base.action if base and base.agency_kind == agency.kind else None)
    return Route(agency_kind=agency.kind, unit=agency.unit, agency_id=agency.id, agency_name=agency.name,
                 action=chosen or _DEFAULT_ACTIONS.get(agency.kind, "forward"), rule=MANUAL_RULE,
                 due_date=due, uncertain=False)


def plan_review(record: LetterRecord, form: Mapping[str, Any], viewer: Viewer, settings: Settings,
                *, may_edit_identity: bool) -> ReviewPlan:
    """The changes the form asks for, with the route re-computed when the classification changed."""
    from routing.engine import route_letter

    if record.status == "quarantined" or record.category is None:
        raise ReviewError("Đơn bị cách ly (lỗi tệp) không thể kiểm tra ở đây: hãy quét lại đơn.")
    values = _form_classification(record, form)
    changes = {k: v for k, v in values.items() if getattr(record, k) != v}
    petitioners = record.petitioners
    sent = form.get("petitioners_section") == "1" and any(f"p{i}_name" in form for i in range(len(petitioners) + 1))
    if may_edit_identity and sent:
        people = _form_petitioners(form, len(record.petitioners))
        if people != record.petitioners:
            changes["petitioners"] = [p.model_dump(mode="json") for p in people]
            petitioners = people
    route, rerouted, rule_id = record.route, False, record.route.rule if record.route else None
    if changes:
        extraction = extraction_of(record).model_copy(update={"petitioners": petitioners})
        received = record.received_date or dt.date.today()
        decision = route_letter(extraction, _classification(record, values), received, settings, text=record.text)
        route, rerouted, rule_id = decision.route, True, decision.rule
        due = decision.due_date
    else:
        due = record.route.due_date if record.route else None
    agency = str(form.get("agency") or "").strip()
    action = str(form.get("action") or "").strip() or None
    if action is not None and action not in ACTION_LABELS:
        raise ReviewError("Hình thức xử lý không hợp lệ.")
    manual = bool(agency) and (route is None or agency != route.agency_id or (action and action != route.action))
    if not agency and action and route is not None and action != route.action:
        agency, manual = route.agency_id, True
    if manual:
        route = _manual_route(agency, route, action, settings, due or (route.due_date if route else None))
        rule_id = MANUAL_RULE
    derived: set[str] = set()
    new_route = route.model_dump(mode="json") if route else None
    old_route = record.route.model_dump(mode="json") if record.route else None
    if new_route != old_route:
        changes["route"] = new_route
        if not manual:
            derived.add("route")
    return ReviewPlan(changes, derived, route, rerouted, manual, rule_explanation(rule_id, settings))


def rule_explanation(rule_id: str | None, settings: Settings) -> list[str]:
    """The conditions of the routing rule that fired, in Vietnamese."""
    if rule_id is None:
        return []
    if rule_id == MANUAL_RULE:
        return ["Cơ quan do người kiểm tra chọn."]
    from routing.engine import load_table

    try:
        rule = load_table(settings.routing_table).rule(rule_id)
    except KeyError:
        return []
    conditions = rule.when.model_dump(exclude_none=True)
    if not conditions:
        return ["Không quy tắc nào khác khớp: cần người kiểm tra quyết định."]
    return [condition_text(name, value) for name, value in conditions.items()]


def save_review(store: Store, record: LetterRecord, plan: ReviewPlan, expected_version: int, viewer: Viewer,
                comment: str | None) -> ReviewResult:
    """Save the plan (a reviewed letter is routed: it enters its agency queue) or raise a conflict."""
    if plan.route is None:
        raise ReviewError("Chưa có cơ quan nhận đơn: hãy chọn cơ quan trước khi lưu.")
    changes = dict(plan.changes)
    changes.update(status="routed", needs_review=False, review_reasons=[])
    action = "reviewed" if plan.corrections else "confirmed"
    return store.save_review(record.id, expected_version, changes, viewer.name, comment or None,
                             derived=plan.derived, action=action)


def route_summary(plan: ReviewPlan, record: LetterRecord) -> dict[str, Any]:
    """The preview's JSON: the route that saving would give."""
    route = plan.route
    return {
        "changed": "route" in plan.changes,
        "manual": plan.manual_route,
        "agency_id": route.agency_id if route else None,
        "agency_name": route.agency_name if route else "Chưa xác định được cơ quan — hãy chọn cơ quan",
        "action": ACTION_LABELS.get(route.action, route.action) if route else "—",
        "rule": route.rule if route else "—",
        "rule_text": plan.rule_text,
        "due_date": route.due_date.strftime("%d/%m/%Y") if route and route.due_date else "—",
        "corrections": plan.corrections,
    }
