"""/api/moderation/: urls.py joins the queue's (queue/api/) and the policy's (policy/api/) endpoints."""
