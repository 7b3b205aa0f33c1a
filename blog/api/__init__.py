"""The reader-side REST API under /api/: views.py (one class per operation), serializers.py (the
shared output shapes), urls.py."""
