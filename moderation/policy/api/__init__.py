"""/api/moderation/ endpoints of the policy, the discussions ranking and the viewpoint audit:
views.py, serializers.py, urls.py."""
