"""Migration 0006 installs the cut-offs tuned for parley-minilm without overriding an admin's own."""
import importlib

import pytest
from django.apps import apps

from moderation.models import Policy
from tests.factories import UserFactory

migration = importlib.import_module("moderation.migrations.0006_policy_v2_for_parley_minilm")
pytestmark = pytest.mark.django_db


def test_an_untouched_version_1_gives_way_to_version_2():
    Policy.objects.all().delete()
    Policy.objects.create(version=1, thresholds={"toxicity": {"hold": 0.15, "reject": 0.97}}, is_active=True)
    migration.install_v2(apps, None)
    active = Policy.objects.get(is_active=True)
    assert (active.version, active.thresholds) == (2, migration.THRESHOLDS_V2)
    migration.remove_v2(apps, None)
    assert Policy.objects.get(is_active=True).version == 1


def test_a_site_whose_admins_tuned_their_policy_keeps_it_active():
    Policy.objects.all().delete()
    Policy.objects.create(version=1, thresholds={"toxicity": {"hold": 0.15, "reject": 0.97}})
    mine = Policy.objects.create(version=2, thresholds={"toxicity": {"hold": 0.6, "reject": 0.9}}, is_active=True,
                                 created_by=UserFactory())
    migration.install_v2(apps, None)
    assert Policy.objects.get(is_active=True) == mine
    assert Policy.objects.filter(version=3, is_active=False, thresholds=migration.THRESHOLDS_V2).exists()
