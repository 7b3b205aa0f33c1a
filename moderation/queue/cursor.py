"""A position in the review queue (rank, id): keyset paging's cursor, opaque to clients."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from blog.models import Comment


@dataclass(frozen=True)
class Cursor:
    """A position in the queue: the last card's (queue_rank, id). Opaque to clients."""

    rank: float
    id: int

    def encode(self) -> str:
        raw = f"{self.rank.hex()}|{self.id}".encode()  # float.hex round-trips exactly
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Raises ValueError for anything this class did not encode."""
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            rank, _, pk = raw.partition("|")
            cursor = cls(float.fromhex(rank), int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
            raise ValueError("Invalid cursor.") from None
        if cursor.id <= 0 or cursor.rank != cursor.rank or abs(cursor.rank) == float("inf"):
            raise ValueError("Invalid cursor.")
        return cursor

    @classmethod
    def of(cls, comment: Comment) -> Cursor:
        return cls(comment.queue_rank, comment.pk)
