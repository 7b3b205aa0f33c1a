"""Install the documented default policy as version 1 (see moderation/policy.py DEFAULT_THRESHOLDS).

The values are copied here, not imported, so this migration means the same thing forever.
"""
from django.db import migrations

DEFAULT_THRESHOLDS_V1 = {
    "toxicity": {"hold": 0.15, "reject": 0.97},
    "severe_toxicity": {"hold": 0.30, "reject": 0.80},
    "obscene": {"hold": 0.60, "reject": 0.97},
    "threat": {"hold": 0.30, "reject": 0.90},
    "insult": {"hold": 0.50, "reject": 0.95},
    "identity_attack": {"hold": 0.30, "reject": 0.90},
    "sexual_explicit": {"hold": 0.50, "reject": 0.95},
}


def install_default_policy(apps, schema_editor):
    Policy = apps.get_model("moderation", "Policy")
    if not Policy.objects.exists():
        Policy.objects.create(
            version=1,
            thresholds=DEFAULT_THRESHOLDS_V1,
            is_active=True,
            note="Default policy shipped with Parley: disagreement is published, abuse is held, "
            "only unambiguous abuse is rejected without a human.",
        )


def remove_default_policy(apps, schema_editor):
    apps.get_model("moderation", "Policy").objects.filter(version=1, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(install_default_policy, remove_default_policy)]
