import pytest


@pytest.fixture(autouse=True)
def _shipped_model_version(request):
    """Migration 0010's shipped-model row, back after a transactional test's flush (as
    tests/conftest.py puts the default policy back)."""
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if (m := request.node.get_closest_marker("django_db")) and m.kwargs.get("transaction") else "db")
    from moderation.models import ModelVersion

    if not ModelVersion.objects.filter(kind="shipped").exists():
        ModelVersion.objects.create(kind="shipped", is_active=not ModelVersion.objects.filter(is_active=True).exists())
