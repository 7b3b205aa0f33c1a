"""The transparency report (DSA Art. 15 and 24): per calendar month (UTC), read from the audit
log, the statements, the appeals and the notices. Aggregates only: no comment, no person.

``transparency_report`` is the one read the admin page, its CSV, the API and the public page use;
``report_chart`` draws a series as inline-SVG geometry like the policy preview's histograms.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from moderation.accountability.models import IllegalContentNotice, StatementOfReasons
from moderation.models import Analysis, Appeal, ModerationEvent, Policy

Action = ModerationEvent.Action
# The audit entries that are moderation actions (the author's own acts are not).
MODERATION_ACTIONS = (Action.AUTO_PUBLISH, Action.AUTO_HOLD, Action.AUTO_REJECT, Action.CLASSIFICATION_FAILED,
                      Action.APPROVE, Action.REJECT, Action.ESCALATE, Action.UNDO)
DECISIONS = (Action.AUTO_PUBLISH, Action.AUTO_HOLD, Action.AUTO_REJECT, Action.APPROVE, Action.REJECT)
HUMAN = (Action.APPROVE, Action.REJECT, Action.ESCALATE)
MAX_MONTHS = 36


@dataclass
class Month:
    month: str  # "2026-11"
    actions: dict[str, int] = field(default_factory=dict)  # audit action -> count
    automated: int = 0
    human: int = 0
    restrictions_by_rule: dict[str, int] = field(default_factory=dict)  # site rule title -> statements
    restrictions_by_kind: dict[str, int] = field(default_factory=dict)
    restrictions_automated_decision: int = 0
    decision_seconds_median: float | None = None  # posting -> first decision on it in the month
    decision_seconds_p90: float | None = None
    human_decision_seconds_median: float | None = None
    human_decision_seconds_p90: float | None = None
    appeals_opened: int = 0
    appeals_upheld: int = 0
    appeals_reinstated: int = 0
    appeal_seconds_median: float | None = None
    reversals: int = 0
    reversal_rate: float | None = None  # undos / human decisions
    illegal_notices: int = 0
    illegal_notices_by_legality: dict[str, int] = field(default_factory=dict)
    policy_versions: list[int] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


def parse_month(value: object, *, field_name: str) -> date:
    """'YYYY-MM' (or a YYYY-MM-DD date, its month) -> the month's first day; ValidationError naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field_name: "Required: a month as YYYY-MM."})
    text = value.strip()
    try:
        month = date.fromisoformat(text + "-01") if len(text) == 7 else date.fromisoformat(text).replace(day=1)
    except ValueError:
        raise ValidationError({field_name: f"'{text[:20]}' is not a month as YYYY-MM."}) from None
    if not 2000 <= month.year <= 2999:  # also keeps "the month after" representable
        raise ValidationError({field_name: f"{month:%Y-%m} is outside the years 2000 to 2999."})
    return month


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def months_between(first: date, last: date) -> list[date]:
    if last < first:
        raise ValidationError({"to": "Must be the same month as 'from' or later."})
    out, d = [], first
    while d <= last:
        out.append(d)
        d = _next_month(d)
    if len(out) > MAX_MONTHS:
        raise ValidationError({"to": f"At most {MAX_MONTHS} months at once (asked for {len(out)})."})
    return out


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1) of ``values``; None when empty. Pure."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return round(ordered[rank - 1], 1)


def _key(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m")


def transparency_report(*, first: date, last: date) -> list[Month]:
    """One Month per calendar month from ``first`` to ``last`` (inclusive). Six queries whatever the span."""
    months = months_between(first.replace(day=1), last.replace(day=1))
    lo, hi = _start(months[0]), _start(_next_month(months[-1]))
    report = {m.strftime("%Y-%m"): Month(month=m.strftime("%Y-%m")) for m in months}
    times, human_times, policies = _count_events(report, lo, hi)
    _count_statements(report, lo, hi)
    appeal_times = _count_appeals(report, lo, hi)
    _count_notices(report, lo, hi)
    models = _models_by_month(report, lo, hi)
    # The version in force at each month's start counts too (a quiet month still had one).
    in_force = list(Policy.objects.order_by("created_at").values_list("version", "created_at"))
    for m_date in months:
        key = m_date.strftime("%Y-%m")
        m = report[key]
        start = _start(m_date)
        before = [v for v, at in in_force if at <= start]
        if before:
            policies[key].add(before[-1])
        m.policy_versions = sorted(policies[key])
        m.models = sorted(models[key])
        m.decision_seconds_median = percentile(times[key], 0.5)
        m.decision_seconds_p90 = percentile(times[key], 0.9)
        m.human_decision_seconds_median = percentile(human_times[key], 0.5)
        m.human_decision_seconds_p90 = percentile(human_times[key], 0.9)
        m.appeal_seconds_median = percentile(appeal_times[key], 0.5)
        human_decisions = sum(m.actions.get(a, 0) for a in HUMAN)
        m.reversal_rate = round(m.reversals / human_decisions, 4) if human_decisions else None
    return [report[m.strftime("%Y-%m")] for m in months]


def _count_events(report: dict[str, Month], lo: datetime, hi: datetime) -> tuple[dict, dict, dict]:
    """Count the audit log's actions into ``report``; per month, the seconds from posting to each
    decision (all, and moderators' only) and the policy versions that decided. One query."""
    times: dict[str, list[float]] = {k: [] for k in report}
    human_times: dict[str, list[float]] = {k: [] for k in report}
    policies: dict[str, set[int]] = {k: set() for k in report}
    events = (ModerationEvent.objects.filter(created_at__gte=lo, created_at__lt=hi, action__in=MODERATION_ACTIONS)
              .values_list("action", "actor_id", "created_at", "comment__created_at", "policy__version"))
    for action, actor_id, at, posted, policy_version in events:
        m = report[_key(at)]
        m.actions[action] = m.actions.get(action, 0) + 1
        if actor_id is None:
            m.automated += 1
        else:
            m.human += 1
        if action in DECISIONS and posted is not None:
            seconds = max(0.0, (at - posted).total_seconds())
            times[m.month].append(seconds)
            if actor_id is not None:
                human_times[m.month].append(seconds)
        if action == Action.UNDO:
            m.reversals += 1
        if policy_version is not None:
            policies[m.month].add(policy_version)
    return times, human_times, policies


def _count_statements(report: dict[str, Month], lo: datetime, hi: datetime) -> None:
    statements = (StatementOfReasons.objects.filter(created_at__gte=lo, created_at__lt=hi)
                  .values_list("created_at", "kind", "site_rule__title", "automated_decision"))
    for at, kind, rule, automated in statements:
        m = report[_key(at)]
        m.restrictions_by_rule[rule] = m.restrictions_by_rule.get(rule, 0) + 1
        m.restrictions_by_kind[kind] = m.restrictions_by_kind.get(kind, 0) + 1
        m.restrictions_automated_decision += bool(automated)


def _count_appeals(report: dict[str, Month], lo: datetime, hi: datetime) -> dict[str, list[float]]:
    """Count appeals opened and decided into ``report``; per month, the seconds each decided one took."""
    appeal_times: dict[str, list[float]] = {k: [] for k in report}
    appeals = Appeal.objects.filter(Q(created_at__gte=lo, created_at__lt=hi) | Q(decided_at__gte=lo, decided_at__lt=hi))
    for created, decided, outcome in appeals.values_list("created_at", "decided_at", "outcome"):
        if lo <= created < hi:
            report[_key(created)].appeals_opened += 1
        if decided is not None and lo <= decided < hi:
            m = report[_key(decided)]
            if outcome == Appeal.Outcome.UPHELD:
                m.appeals_upheld += 1
            elif outcome == Appeal.Outcome.REINSTATED:
                m.appeals_reinstated += 1
            appeal_times[m.month].append((decided - created).total_seconds())
    return appeal_times


def _count_notices(report: dict[str, Month], lo: datetime, hi: datetime) -> None:
    for created, legality in IllegalContentNotice.objects.filter(created_at__gte=lo, created_at__lt=hi).values_list("created_at", "legality"):
        m = report[_key(created)]
        m.illegal_notices += 1
        label = legality or "open"
        m.illegal_notices_by_legality[label] = m.illegal_notices_by_legality.get(label, 0) + 1


def _models_by_month(report: dict[str, Month], lo: datetime, hi: datetime) -> dict[str, set[str]]:
    """The toxicity models (name and version) that scored comments in each month."""
    models: dict[str, set[str]] = {k: set() for k in report}
    for at, name, version in (Analysis.objects.filter(created_at__gte=lo, created_at__lt=hi)
                              .values_list("created_at", "toxicity_model", "toxicity_model_version").distinct()):
        models[_key(at)].add(f"{name} {version}".strip())
    return models


def default_span(now: datetime | None = None) -> tuple[date, date]:
    """The last twelve months, this one included."""
    today = (now or timezone.now()).astimezone(UTC).date().replace(day=1)
    first = today
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def report_as_dicts(months: list[Month]) -> list[dict]:
    return [asdict(m) for m in months]


CSV_COLUMNS = ("month", "automated", "human", "decision_seconds_median", "decision_seconds_p90",
               "human_decision_seconds_median", "human_decision_seconds_p90", "appeals_opened", "appeals_upheld",
               "appeals_reinstated", "appeal_seconds_median", "reversals", "reversal_rate", "illegal_notices",
               "restrictions_automated_decision")


def report_csv(months: list[Month]) -> str:
    """One row per month: the scalar columns, then one column per action, statement kind and site rule."""
    actions = sorted({a for m in months for a in m.actions})
    kinds = sorted({k for m in months for k in m.restrictions_by_kind})
    rules_ = sorted({r for m in months for r in m.restrictions_by_rule})
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*CSV_COLUMNS, *(f"action:{a}" for a in actions), *(f"restriction:{k}" for k in kinds),
                *(f"rule:{r}" for r in rules_), "policy_versions", "models"])
    for m in months:
        w.writerow([*("" if getattr(m, c) is None else getattr(m, c) for c in CSV_COLUMNS),
                    *(m.actions.get(a, 0) for a in actions), *(m.restrictions_by_kind.get(k, 0) for k in kinds),
                    *(m.restrictions_by_rule.get(r, 0) for r in rules_),
                    " ".join(f"v{v}" for v in m.policy_versions), "; ".join(m.models)])
    return buf.getvalue()


CHART_W, CHART_H, CHART_PAD = 480, 140, 20


def report_chart(months: list[Month], *, title: str, series: dict[str, str]) -> dict:
    """Stacked monthly bars as inline-SVG geometry (templates/moderation/_transparency_chart.html).
    ``series`` maps a Month attribute holding a count to its colour."""
    totals = [sum(getattr(m, s) for s in series) for m in months]
    top = max(totals, default=0) or 1
    inner_h = CHART_H - CHART_PAD
    bar_w = CHART_W / max(1, len(months))
    bars = []
    for i, m in enumerate(months):
        y = inner_h
        for name, colour in series.items():
            value = getattr(m, name)
            h = inner_h * value / top
            y -= h
            bars.append({"x": round(i * bar_w + 2, 2), "y": round(y, 2), "w": round(bar_w - 4, 2), "h": round(h, 2),
                         "fill": colour, "title": f"{m.month}: {value} {name}"})
    return {"title": title, "width": CHART_W, "height": CHART_H, "axis_y": inner_h, "bars": bars, "top": top,
            "labels": [{"x": round(i * bar_w + bar_w / 2, 2), "text": m.month[2:]} for i, m in enumerate(months)],
            "legend": list(series.items())}
