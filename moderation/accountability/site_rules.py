"""The site's rules as data: the defaults a fresh install starts with (seeded by migration 0011),
which rule a label, worker rule or moderator's reason falls under (``site_rule_key_for``,
``site_rule_pick``: pure), and the one write (``site_rule_save``: a new version, as policy
versions are)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from moderation.accountability.models import TDB_CATEGORIES, SiteRule
from moderation.permissions import CHANGE_POLICY

PREMODERATION = "premoderation"
CLASSIFICATION_FAILED = "classification_failed"

# code, title, text, category, matches, fallback. Each model label and each worker rule is in
# exactly one (tests/moderation/accountability/test_site_rules.py holds it).
DEFAULT_RULES: list[dict] = [
    {"code": "respect", "title": "Be respectful",
     "text": "Disagree with ideas, not people: no insults, name-calling or contempt for other readers or the author.",
     "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE", "matches": ["toxicity", "insult", "severe_toxicity"]},
    {"code": "no-threats", "title": "No threats",
     "text": "Never threaten or wish harm on anyone, not even as a joke.",
     "category": "STATEMENT_CATEGORY_VIOLENCE", "matches": ["threat"]},
    {"code": "no-hate", "title": "No attacks on who people are",
     "text": "No attacks on people for their origin, religion, gender, sexuality, disability or any other part of who they are.",
     "category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "matches": ["identity_attack"]},
    {"code": "clean-language", "title": "Keep it clean",
     "text": "No obscene or sexually explicit language.",
     "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "matches": ["obscene", "sexual_explicit"]},
    {"code": "no-spam", "title": "No spam",
     "text": "No copy-pasted, junk or link-only comments: write for the discussion you are in.",
     "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
     "matches": ["repeated_text", "one_character", "links_from_new_account"]},
    {"code": "languages", "title": "Languages we can moderate",
     "text": "Comments in a language our checks do not read wait for a moderator who does.",
     "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "matches": ["unread_language"]},
    {"code": "review-first", "title": "Some comments are reviewed before they appear",
     "text": "On some articles, for some accounts, or when our checks fail, a moderator reads a comment before it is published.",
     "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "matches": [PREMODERATION, CLASSIFICATION_FAILED]},
    {"code": "guidelines", "title": "The discussion guidelines",
     "text": "Comments must stay on topic, civil and lawful; moderators apply these guidelines and say why.",
     "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "matches": [], "fallback": True},
]


def site_rules_current() -> list[SiteRule]:
    """The rules in force. A database whose rules are gone (a test's flush, a hand-emptied table)
    gets the defaults back rather than a decision that cannot cite a rule."""
    rules = list(SiteRule.objects.filter(is_current=True).order_by("position", "code"))
    if not any(r.is_fallback for r in rules):
        rules = site_rules_seed_defaults()
    return rules


def site_rules_seed_defaults() -> list[SiteRule]:
    """Add each default rule whose code has no current version (migration 0011 did this once)."""
    with transaction.atomic():
        have = set(SiteRule.objects.select_for_update().filter(is_current=True).values_list("code", flat=True))
        for position, rule in enumerate(DEFAULT_RULES):
            if rule["code"] not in have:
                version = (SiteRule.objects.filter(code=rule["code"]).order_by("-version").values_list("version", flat=True).first() or 0) + 1
                SiteRule.objects.create(code=rule["code"], version=version, title=rule["title"], text=rule["text"],
                                        category=rule["category"], matches=rule["matches"],
                                        is_fallback=rule.get("fallback", False), position=position)
    return list(SiteRule.objects.filter(is_current=True).order_by("position", "code"))


def site_rule_pick(rules: list[SiteRule], *, key: str = "", reason: str = "") -> SiteRule:
    """The rule ``key`` (a label, worker rule, PREMODERATION or CLASSIFICATION_FAILED) or a
    moderator's ``reason`` falls under, else the fallback rule. Pure: ``rules`` are the current ones."""
    if key:
        for rule in rules:
            if key in (rule.matches or []):
                return rule
    folded = reason.strip().casefold()
    if folded:
        for rule in rules:
            if any(folded == t.strip().casefold() or folded.startswith(t.strip().casefold()) for t in rule.reason_texts or [] if t.strip()):
                return rule
    fallback = next((r for r in rules if r.is_fallback), None)
    if fallback is None:
        raise SiteRule.DoesNotExist("No fallback site rule: run the migrations (0011 seeds the defaults).")
    return fallback


# How the worker's rules word their reasons (moderation.rules.worker_rule_reasons): a piece of each.
WORKER_RULE_MARKERS = {
    "unread_language": "which the toxicity model does not read",
    "repeated_text": "the same text was posted",
    "one_character": "characters are one character repeated",
    "links_from_new_account": "mostly links (",
}


def site_rule_key_for(*, event_reason: str, explanation: dict | None, scores: dict | None, thresholds: dict | None) -> str:
    """Which key an automatic decision rests on: the marked label, else the highest label over its
    hold cut-off, else the worker rule or pre-moderation named in the audit entry's reason."""
    if explanation and explanation.get("label"):
        return explanation["label"]
    if scores and thresholds:
        crossing = [(float(v), k) for k, v in scores.items() if k in thresholds and float(v) >= thresholds[k]["hold"]]
        if crossing:
            return max(crossing)[1]
    for name, words in WORKER_RULE_MARKERS.items():
        if words and words in (event_reason or ""):
            return name
    if "pre-moderated" in (event_reason or "") or "pre-moderation" in (event_reason or ""):
        return PREMODERATION
    return ""


def site_rule_save(*, admin, code: str, title: str, text: str, category: str, matches: list[str] | None = None,
                   reason_texts: list[str] | None = None, is_fallback: bool | None = None) -> SiteRule:
    """Add a rule, or a new version of rule ``code`` (the old one stays, for the statements that
    cite it). Admins only (``moderation.change_policy``). ValidationError names the field."""
    if admin is None or not admin.is_authenticated or not admin.has_perm(CHANGE_POLICY):
        raise PermissionDenied("Only admins may change the site's rules.")
    errors = {}
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        errors["title"] = "Give a title of 1 to 120 characters."
    if not isinstance(text, str) or not text.strip():
        errors["text"] = "A rule needs its words."
    if category not in dict(TDB_CATEGORIES):
        errors["category"] = f"Unknown category '{category}'."
    if not isinstance(code, str) or not code.strip():
        errors["code"] = "A rule needs a code."
    if errors:
        raise ValidationError(errors)
    from moderation.rules import policy_active  # noqa: PLC0415 - only when the defaults must be seeded again

    with transaction.atomic():
        previous = SiteRule.objects.select_for_update().filter(code=code, is_current=True).first()
        if previous is not None:
            SiteRule.objects.filter(pk=previous.pk).update(is_current=False)
        return SiteRule.objects.create(
            code=code, version=(previous.version + 1) if previous else 1, title=title.strip(), text=text.strip(),
            category=category,
            matches=list(matches if matches is not None else (previous.matches if previous else [])),
            reason_texts=list(reason_texts if reason_texts is not None else (previous.reason_texts if previous else [])),
            is_fallback=bool(is_fallback if is_fallback is not None else (previous.is_fallback if previous else False)),
            position=previous.position if previous else SiteRule.objects.filter(is_current=True).count(),
            policy_version=policy_active().version, created_by=admin,
        )
