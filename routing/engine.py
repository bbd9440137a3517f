"""The routing engine: load the routing table (data), match a letter's facts, build its Route.

``route_letter`` is the stage's one entry point. The decisions live in ``table.yaml``; this module only
validates the table, evaluates conditions in order, resolves the outcome to a queue of the agency
directory, enforces the "never to the accused" guard and computes the deadline.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.record import CATEGORIES, DOMAINS, Action, Category, Classification, Extraction, Route
from petitions.errors import BadConfigError
from petitions.settings import Settings
from petitions.text import slug
from routing import agencies
from routing.agencies import AGENCY_KINDS, COMMUNE_KIND, DEPARTMENT_KINDS, OTHER_PROVINCE_KIND
from routing.deadlines import WorkCalendar, due_date
from routing.facts import AccusedLevel, RoutingFacts, derive_facts

DEFAULT_TABLE = Path(__file__).with_name("table.yaml")
DEPARTMENT = "department"  # outcome placeholder: the competent Sở from the facts
REVIEW = "review"  # outcome placeholder: no queue, a reviewer decides
UnitSource = Literal[
    "accused_commune", "incident_commune", "petitioner_commune", "office_province", "other_province", "none"
]
COMMUNE_UNITS = ("accused_commune", "incident_commune", "petitioner_commune")
# Where a commune-level outcome looks for its commune, in order.
_COMMUNE_FALLBACK: dict[str, tuple[str, ...]] = {
    "accused_commune": ("accused_commune", "incident_commune", "petitioner_commune"),
    "incident_commune": ("incident_commune", "accused_commune", "petitioner_commune"),
    "petitioner_commune": ("petitioner_commune", "incident_commune"),
}
_OUTCOME_KINDS = frozenset(AGENCY_KINDS) | {DEPARTMENT, REVIEW}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Conditions(_Strict):
    """All given conditions must hold; a list holds when the fact is one of its values."""

    category: list[Category] | None = None
    complaint_round: list[Literal[1, 2] | None] | None = None
    accused: list[AccusedLevel] | None = None
    domain: list[str] | None = None
    crime_signs: bool | None = None
    party_discipline: bool | None = None
    anonymous: bool | None = None
    has_evidence: bool | None = None
    names_accused: bool | None = None
    other_province: bool | None = None
    former_district: bool | None = None
    scope: Literal["local", "province_wide"] | None = None
    department_known: bool | None = None
    accused_head: bool | None = None

    @field_validator("domain")
    @classmethod
    def _domains(cls, v: list[str] | None) -> list[str] | None:
        bad = sorted(set(v or []) - set(DOMAINS))
        if bad:
            raise ValueError(f"unknown domain(s) {bad}")
        return v

    def holds(self, facts: RoutingFacts) -> bool:
        values: dict[str, Any] = {
            "category": facts.category,
            "complaint_round": facts.complaint_round,
            "accused": facts.accused_level,
            "domain": facts.domain,
            "crime_signs": facts.crime_signs,
            "party_discipline": facts.party_discipline,
            "anonymous": facts.anonymous,
            "has_evidence": facts.has_evidence,
            "names_accused": facts.names_accused,
            "other_province": facts.other_province,
            "former_district": facts.former_district,
            "scope": facts.scope,
            "department_known": facts.department_known,
            "accused_head": facts.accused_head,
        }
        for name in type(self).model_fields:
            expected = getattr(self, name)
            if expected is None:
                continue
            actual = values[name]
            if isinstance(expected, list):
                if actual not in expected:
                    return False
            elif actual != expected:
                return False
        return True

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)


class Outcome(_Strict):
    agency_kind: str
    unit: UnitSource
    action: Action | dict[str, Action] | None = None
    uncertain: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Outcome:
        kind = self.agency_kind
        if kind not in _OUTCOME_KINDS:
            raise ValueError(f"agency_kind {kind!r} is not in the vocabulary {sorted(_OUTCOME_KINDS)}")
        if kind == COMMUNE_KIND and self.unit not in COMMUNE_UNITS:
            raise ValueError(f"{kind} needs a commune unit ({', '.join(COMMUNE_UNITS)}), not {self.unit!r}")
        if kind == OTHER_PROVINCE_KIND and self.unit != "other_province":
            raise ValueError("ngoai_tinh needs unit: other_province")
        if kind == REVIEW and self.unit != "none":
            raise ValueError("review needs unit: none")
        if kind not in {COMMUNE_KIND, OTHER_PROVINCE_KIND, REVIEW} and self.unit != "office_province":
            raise ValueError(f"{kind} is a provincial agency: unit must be office_province")
        if kind != REVIEW and self.action is None:
            raise ValueError(f"{kind} needs an action")
        if isinstance(self.action, dict):
            bad = sorted(set(self.action) - set(CATEGORIES) - {"default"})
            if bad:
                raise ValueError(f"action mapping has unknown categories {bad}")
            if "default" not in self.action and set(self.action) != set(CATEGORIES):
                raise ValueError("an action mapping needs a 'default' or every category")
        return self

    def action_for(self, category: Category) -> Action | None:
        if isinstance(self.action, dict):
            return self.action.get(category, self.action.get("default"))
        return self.action


class Rule(_Strict):
    id: str = Field(pattern=r"^R[1-9][0-9]*$")
    description: str = Field(min_length=10)
    when: Conditions
    then: Outcome

    @model_validator(mode="after")
    def _department_needs_known(self) -> Rule:
        if self.then.agency_kind == DEPARTMENT and self.when.department_known is not True:
            raise ValueError(f"{self.id}: a 'department' outcome needs the condition department_known: true")
        return self


class Escalation(_Strict):
    """One level up from an agency kind, and what that level does with the letter."""

    to: str
    action: Action | None = None

    @model_validator(mode="after")
    def _check(self) -> Escalation:
        if self.to not in _OUTCOME_KINDS - {COMMUNE_KIND, OTHER_PROVINCE_KIND}:
            raise ValueError(f"escalation target {self.to!r} must be a provincial agency kind or review")
        if self.to != REVIEW and self.action is None:
            raise ValueError(f"escalation to {self.to} needs an action")
        return self


class DeadlineOverride(_Strict):
    key: str
    received_before: dt.date
    days: int = Field(ge=0, le=60)


class RoutingTable(_Strict):
    version: int
    domain_departments: dict[str, str] = Field(default_factory=dict)
    leads: dict[AccusedLevel, list[str]] = Field(default_factory=dict)
    head_leads: dict[AccusedLevel, list[str]] = Field(default_factory=dict)
    escalation: dict[str, Escalation] = Field(default_factory=dict)
    # action -> the settings.deadlines key, for every category or per category (others: the category's)
    deadline_keys: dict[Action, str | dict[Category, str]] = Field(default_factory=dict)
    deadline_overrides: list[DeadlineOverride] = Field(default_factory=list)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> RoutingTable:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule ids {dupes}")
        if not self.rules[-1].when.is_empty or self.rules[-1].then.agency_kind != REVIEW:
            raise ValueError("the last rule must be a catch-all (no conditions) that sends to review")
        for domain, kind in self.domain_departments.items():
            if domain not in DOMAINS:
                raise ValueError(f"domain_departments: unknown domain {domain!r}")
            if kind not in DEPARTMENT_KINDS:
                raise ValueError(f"domain_departments: {kind!r} is not a department kind")
        for section in (self.leads, self.head_leads):
            for level, kinds in section.items():
                bad = sorted(set(kinds) - set(AGENCY_KINDS) - {DEPARTMENT})
                if bad:
                    raise ValueError(f"leads/{level}: unknown agency kinds {bad}")
        for src in self.escalation:
            if src not in _OUTCOME_KINDS - {REVIEW}:
                raise ValueError(f"escalation: unknown agency kind {src!r}")
            chain, node = [src], self.escalation[src].to
            while node in self.escalation:  # one level up must end, in review or a top agency
                if node in chain:
                    raise ValueError(f"escalation loops: {' -> '.join([*chain, node])}")
                chain.append(node)
                node = self.escalation[node].to
        return self

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def parse_table(raw: Any, source: str = "<table>") -> RoutingTable:
    """Validate an already-parsed table; raise BadConfigError naming what is wrong."""
    try:
        return RoutingTable.model_validate(raw)
    except ValidationError as exc:
        raise BadConfigError(f"invalid routing table {source}: {exc}") from exc


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> RoutingTable:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BadConfigError(f"cannot read routing table {path}: {exc}") from exc
    return parse_table(raw, path)


def load_table(path: Path | None = None) -> RoutingTable:
    """Load and validate the routing table (default: routing/table.yaml); cached per file version."""
    p = (path or DEFAULT_TABLE).resolve()
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise BadConfigError(f"cannot read routing table {p}: {exc}") from exc
    return _load(str(p), mtime)


# ---- deciding ------------------------------------------------------------------------------------------


class RoutingDecision(BaseModel):
    """The routing stage's output: a route (or none: the review queue) and why."""

    model_config = ConfigDict(extra="forbid")

    route: Route | None
    review_reasons: list[str] = Field(default_factory=list)
    rule: str | None = None  # the rule that fired, also when no route could be built
    due_date: dt.date | None = None  # processing deadline, also for letters left to review
    facts: RoutingFacts
    notes: list[str] = Field(default_factory=list)  # human-readable trail (guard, fallbacks)


def deadline_key(table: RoutingTable, action: Action, category: Category) -> str:
    """Which settings.deadlines key a letter's deadline uses: the action's, else its category's."""
    keys = table.deadline_keys.get(action, category)
    return keys if isinstance(keys, str) else keys.get(category, category)


def deadline_days(table: RoutingTable, settings: Settings, key: str, received: dt.date) -> int | None:
    for override in table.deadline_overrides:
        if override.key == key and received < override.received_before:
            return override.days
    return settings.deadlines.get(key)


def match_rule(table: RoutingTable, facts: RoutingFacts) -> Rule | None:
    return next((r for r in table.rules if r.when.holds(facts)), None)


def _concrete_kind(kind: str, facts: RoutingFacts) -> str | None:
    return facts.department if kind == DEPARTMENT else kind


def _led_by_accused(table: RoutingTable, facts: RoutingFacts, kind: str, commune: str | None) -> bool:
    """True when the queue ``kind`` (for ``commune``) is the accused or a unit the accused leads."""
    led = list(table.leads.get(facts.accused_level, []))
    if facts.accused_head:
        led += table.head_leads.get(facts.accused_level, [])
    for entry in led:
        if entry == DEPARTMENT:
            # The accused's own department; when it could not be read, any department is suspect.
            if kind in DEPARTMENT_KINDS and facts.accused_department in (None, kind):
                return True
        elif entry == kind:
            if kind != COMMUNE_KIND:
                return True
            # A commune queue is the accused's only if it is their commune (or theirs is unknown).
            if facts.accused_commune is None or commune is None:
                return True
            if slug(facts.accused_commune) == slug(commune):
                return True
    return False


def _commune_for(unit: str, facts: RoutingFacts) -> str | None:
    for source in _COMMUNE_FALLBACK[unit]:
        value = getattr(facts, source)
        if value:
            return value
    return None


def _resolve_agency(
    kind: str,
    unit_source: str,
    facts: RoutingFacts,
    settings: Settings,
) -> tuple[agencies.Agency | None, list[str], list[str]]:
    """The queue for an outcome: (agency or None, review reasons, notes)."""
    province = agencies.office_province(settings)
    reasons: list[str] = []
    notes: list[str] = []
    if kind == COMMUNE_KIND:
        commune = _commune_for(unit_source, facts)
        if commune is None:
            return None, ["address_not_found"], ["commune-level route but no commune is known"]
        agency = agencies.find_commune(commune, settings)
        if agency is None:
            reasons.append("address_not_found")
            notes.append(f"{commune!r} is not a current unit of {province.name}")
            unit = agencies.strip_level_word(commune)
            agency = agencies.Agency(
                id=agencies.agency_id(COMMUNE_KIND, unit),
                kind=COMMUNE_KIND,
                unit=unit,
                name=agencies.commune_agency_name("xã", unit),
                level="commune",
                division="xã",
            )
    elif kind == OTHER_PROVINCE_KIND:
        other = agencies.resolve_province(facts.matter_province)
        if other is None:
            return None, ["no_route"], [f"unknown province {facts.matter_province!r}"]
        agency = agencies.other_province_agency(other)
    else:
        agency = agencies.provincial_agency(kind, province)
    return agency, reasons, notes


def decide(
    facts: RoutingFacts,
    received: dt.date,
    settings: Settings,
    table: RoutingTable,
    calendar: WorkCalendar | None = None,
) -> RoutingDecision:
    """Route from already-derived facts (see ``route_letter``)."""
    rule = match_rule(table, facts)
    category_days = deadline_days(table, settings, facts.category, received)
    review_due = due_date(received, category_days, calendar) if category_days is not None else None
    if rule is None:
        return RoutingDecision(route=None, review_reasons=["no_route"], facts=facts, due_date=review_due,
                               notes=["no rule matched"])
    outcome = rule.then
    notes: list[str] = []
    reasons: list[str] = []
    uncertain = outcome.uncertain
    kind = _concrete_kind(outcome.agency_kind, facts)
    action = outcome.action_for(facts.category)
    unit_source: str = outcome.unit

    # The guard: a denunciation never goes to the accused or to a unit the accused leads. A mixed
    # letter is routed by its dominant category (and reviewed, to be split): when only its secondary
    # content denounces the recipient, the route stands and the reviewer is told.
    denunciation = facts.category == "to_cao"
    if (facts.secondary_category == "to_cao" and not denunciation and kind not in (None, REVIEW)
            and _led_by_accused(table, facts, kind, _commune_for(unit_source, facts)
                                if kind == COMMUNE_KIND else None)):
        notes.append(f"the letter also denounces {kind}: split it before forwarding the denunciation")
    seen: set[str] = set()
    while denunciation and kind not in (None, REVIEW) and kind not in seen:
        seen.add(kind)
        commune = _commune_for(unit_source, facts) if kind == COMMUNE_KIND else None
        if not _led_by_accused(table, facts, kind, commune):
            break
        up = table.escalation.get(DEPARTMENT if kind in DEPARTMENT_KINDS else kind, Escalation(to=REVIEW))
        notes.append(f"guard: {kind} is the accused or a unit the accused leads; escalated to {up.to}")
        kind = _concrete_kind(up.to, facts)
        unit_source = "office_province"
        action = up.action

    if kind is None or kind == REVIEW or action is None:
        reasons = ["route_uncertain"] if uncertain or notes else ["no_route"]
        if kind is None:
            notes.append("the competent department is unknown")
        return RoutingDecision(route=None, review_reasons=reasons, rule=rule.id, facts=facts,
                               due_date=review_due, notes=notes)

    agency, build_reasons, build_notes = _resolve_agency(kind, unit_source, facts, settings)
    reasons += build_reasons
    notes += build_notes
    key = deadline_key(table, action, facts.category)
    days = deadline_days(table, settings, key, received)
    due = due_date(received, days, calendar) if days is not None else None
    route = None
    if agency is not None:
        route = Route(
            agency_kind=agency.kind,
            unit=agency.unit,
            agency_id=agency.id,
            agency_name=agency.name,
            action=action,
            rule=rule.id,
            due_date=due,
            uncertain=uncertain,
        )
    if uncertain:
        reasons.insert(0, "route_uncertain")
    return RoutingDecision(route=route, review_reasons=list(dict.fromkeys(reasons)), rule=rule.id,
                           due_date=due if route else review_due, facts=facts, notes=notes)


def route_letter(
    extraction: Extraction,
    classification: Classification,
    received: dt.date,
    settings: Settings,
    table: RoutingTable | None = None,
    calendar: WorkCalendar | None = None,
    *,
    text: str | None = None,
) -> RoutingDecision:
    """Route one letter: its competent agency queue, action, rule and deadline (or review and why).

    ``text`` (the letter's text) lets the routing facts read the scope, place and judicial matter from
    the letter's body; without it they come from the extracted fields and the subject only.
    """
    table = table or load_table(settings.routing_table)
    facts = derive_facts(extraction, classification, settings, table.domain_departments, text=text)
    return decide(facts, received, settings, table, calendar)
