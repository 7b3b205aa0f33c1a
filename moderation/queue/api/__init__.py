"""/api/moderation/ endpoints of the review queue: views.py (one class per operation),
serializers.py (card and audit output), urls.py."""
