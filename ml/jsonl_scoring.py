"""Offline scoring of JSONL files (`manage.py score`): validate every line first, then score in
batches through the same classifiers the worker uses."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO


class InputLineError(ValueError):
    def __init__(self, line_number: int, message: str):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number


@dataclass(frozen=True)
class ScoreRequest:
    text: str
    claim: str | None = None
    parent: str | None = None


_ALLOWED = {"text", "claim", "parent"}


def read_score_requests(lines: Iterable[str]) -> list[ScoreRequest]:
    """Parse `{"text": ..., "claim": ..., "parent": ...}` lines (claim and parent optional;
    blank lines skipped). Raises InputLineError naming the first bad line and why."""
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputLineError(number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise InputLineError(number, "must be a JSON object")
        unknown = set(obj) - _ALLOWED
        if unknown:
            raise InputLineError(number, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: text, claim, parent")
        for key in _ALLOWED:
            if key in obj and obj[key] is not None and not isinstance(obj[key], str):
                raise InputLineError(number, f"'{key}' must be a string")
        if not (obj.get("text") or "").strip():
            raise InputLineError(number, "'text' is required and must not be empty")
        requests.append(ScoreRequest(text=obj["text"], claim=obj.get("claim") or None, parent=obj.get("parent") or None))
    return requests


def score_requests(requests: list[ScoreRequest], *, toxicity, stance, batch_size: int = 64, progress=None) -> Iterator[dict]:
    """Yield one result dict per request, in order: every toxicity label's score, and the stance
    (label + probabilities) toward the claim and toward the parent where given."""
    for start in range(0, len(requests), batch_size):
        batch = requests[start : start + batch_size]
        tox = toxicity.score([r.text for r in batch])
        claim_idx = [i for i, r in enumerate(batch) if r.claim]
        parent_idx = [i for i, r in enumerate(batch) if r.parent]
        to_claim = dict(zip(claim_idx, stance.score([(batch[i].text, batch[i].claim) for i in claim_idx]))) if claim_idx else {}
        to_parent = dict(zip(parent_idx, stance.score([(batch[i].text, batch[i].parent) for i in parent_idx]))) if parent_idx else {}
        for i, request in enumerate(batch):
            result = {"text": request.text, "toxicity_model": toxicity.name, "scores": {k: round(float(v), 6) for k, v in tox[i].items()}}
            for key, found in (("stance_claim", to_claim.get(i)), ("stance_parent", to_parent.get(i))):
                if found is not None:
                    result[key] = {"label": max(found, key=found.get), "probabilities": {k: round(float(v), 6) for k, v in found.items()}}
            if to_claim or to_parent:
                result["stance_model"] = stance.name
            yield result
        if progress is not None:
            progress.update(len(batch))


def write_jsonl(results: Iterable[dict], out: TextIO) -> int:
    n = 0
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        n += 1
    return n
