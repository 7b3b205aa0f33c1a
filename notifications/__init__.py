"""Telling readers what happened while they were away: a reply to their comment, a moderator's
decision on their comment or appeal, the outcome of a report they made. In-app (the bell and
/notifications/) always; by email through Django's email backend when the reader turned it on.

moderation calls ``notifications.services``; blog never imports this app (the bell's count
reaches every page through ``notifications.context_processors``).
"""
