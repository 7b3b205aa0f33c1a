"""Policy version 2: the default cut-offs retuned for Parley's own toxicity model (parley-minilm).

Chosen on held-out training rows only (``python -m ml.training.policy_tuning``, written to
``ml/weights/toxicity/policy.json``): hold where the label's recall on those rows reaches its target
(threats and identity attacks 90 %, the rest 80 %) unless that would hold more than a small share
of the rows without the label (toxicity 6 %, insult 3 %, obscene 2 %, identity attack and severe
1 %, threat 0.2 %), reject only where 98 % of what is rejected is abuse, and never below 0.90. The values are copied here, not imported, so this migration means the
same thing forever. It becomes the active version only over the untouched version 1: a site whose
admins already tuned their thresholds keeps theirs (version 2 is then stored inactive, to compare).
"""
from django.db import migrations

THRESHOLDS_V2 = {
    "toxicity": {"hold": 0.38, "reject": 0.98},
    "severe_toxicity": {"hold": 0.26, "reject": 1.0},
    "obscene": {"hold": 0.54, "reject": 0.98},
    "threat": {"hold": 0.18, "reject": 0.9},
    "insult": {"hold": 0.31, "reject": 0.96},
    "identity_attack": {"hold": 0.17, "reject": 0.9},
    "sexual_explicit": {"hold": 0.5, "reject": 0.95},
}
NOTE = ("Default policy v2, tuned for parley-minilm on held-out training rows: disagreement is published, "
        "abuse is held, only near-certain abuse is rejected without a human.")


def install_v2(apps, schema_editor):
    Policy = apps.get_model("moderation", "Policy")
    if Policy.objects.filter(note=NOTE, created_by__isnull=True).exists():
        return
    untouched = not Policy.objects.exclude(version=1).exists() and Policy.objects.filter(
        version=1, is_active=True, created_by__isnull=True).exists()
    if not Policy.objects.exists():
        untouched = True
    if untouched:
        Policy.objects.filter(is_active=True).update(is_active=False)
    top = Policy.objects.order_by("-version").values_list("version", flat=True).first() or 1
    Policy.objects.create(version=max(2, top + 1), thresholds=THRESHOLDS_V2, is_active=untouched, note=NOTE)


def remove_v2(apps, schema_editor):
    Policy = apps.get_model("moderation", "Policy")
    v2 = Policy.objects.filter(note=NOTE, created_by__isnull=True).first()
    if v2 is None:
        return
    was_active = v2.is_active
    v2.delete()
    if was_active:
        Policy.objects.filter(version=1).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0005_analysis_language_explanation_policy_rules")]
    operations = [migrations.RunPython(install_v2, remove_v2)]
