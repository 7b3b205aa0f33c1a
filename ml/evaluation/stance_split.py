"""The unseen-topic split of Parley's stance training data, and the claims a model was trained on.

Stance scored on a claim the model trained on says little about a new article's claim: the shipped
model's ARC test figure (0.64) shares training's claims, and the same model scores ~0.40 on ARC
claims held out of training. So every training-side stance file (``*train*``, ``*_dev.csv``,
``*_val.csv`` in ``<data>/stance/``) is split here **by claim**, never by row: a claim goes to the
dev side when a hash of its normalised text says so, the same on every machine and every run, and
a claim that occurs in several files (IAM's questions repeat across its train and dev files) lands
on one side only.

A model's *unseen-topic dev* is the dev side minus every claim that model ever trained on: its
weights folder lists those as hashes (``claims_seen.txt``, written by :func:`write_claims_seen`),
so the figure stays honest for a model trained before this split existed. No Django, no torch.
"""
from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

# A share of claims, not rows: 40 % leaves the shipped model ~2,000 unseen-topic dev pairs over
# three sources (ARC reader comments, IBM-ArgQ, PERSPECTRUM); 30 % left ARC with 9 claims.
DEV_PERCENT = 40
CLAIMS_SEEN_FILE = "claims_seen.txt"

_GOLD = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}


def claim_key(claim: str) -> str:
    """The claim as the split sees it: lower case, letters and digits only, single spaces."""
    return " ".join(re.findall(r"[a-z0-9]+", claim.lower()))


def claim_hash(claim: str) -> str:
    return hashlib.sha1(claim_key(claim).encode("utf-8")).hexdigest()[:12]


def claim_in_dev(claim: str) -> bool:
    return int(claim_hash(claim)[:8], 16) % 100 < DEV_PERCENT


def split_files(data_dir: Path | str) -> list[Path]:
    """The training-side stance files (never ``*_test.csv``, never ``eval/``)."""
    d = Path(data_dir) / "stance"
    files = [p for p in sorted(d.glob("*.csv"))
             if "_test" not in p.stem and ("train" in p.stem or p.stem.endswith(("_dev", "_val")))]
    return files


def source_of(path: Path | str) -> str:
    """``perspectrum_dev.csv`` -> ``perspectrum``; ``arc_nyt_comments_train.csv`` -> ``arc_nyt_comments``."""
    return re.sub(r"_(train|dev|val)$", "", Path(path).stem)


def read_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(text, target, gold label) rows, whitespace collapsed as the classifier reads them."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [(" ".join(r["text"].split()), " ".join(r["target"].split()), _GOLD[r["stance"].strip().upper()])
                for r in csv.DictReader(fh)]


def read_claims_seen(weights_dir: Path | str) -> frozenset[str]:
    """Hashes of the claims a model trained on (empty when its folder does not list them)."""
    p = Path(weights_dir) / CLAIMS_SEEN_FILE
    if not p.exists():
        return frozenset()
    return frozenset(line.strip() for line in p.read_text().splitlines() if line.strip() and not line.startswith("#"))


def write_claims_seen(weights_dir: Path | str, claims: Iterable[str], note: str,
                      extra_hashes: Iterable[str] = ()) -> int:
    hashes = sorted({claim_hash(c) for c in claims} | set(extra_hashes))
    Path(weights_dir, CLAIMS_SEEN_FILE).write_text(
        f"# sha1(claim_key(claim))[:12] of every claim this model trained on ({len(hashes)}); {note}\n"
        + "\n".join(hashes) + "\n")
    return len(hashes)


def unseen_topic_split(data_dir: Path | str, claims_seen: frozenset[str] = frozenset()):
    """``(train, dev)``: dicts source -> [(text, target, gold)] over every training-side file.

    ``dev`` holds the dev side's claims that are not in ``claims_seen``; ``train`` the train side's.
    Dev-side claims a model has seen are in neither (they cannot measure it and must not train it).
    """
    train: dict[str, list] = {}
    dev: dict[str, list] = {}
    for path in split_files(data_dir):
        src = source_of(path)
        for row in read_pairs(path):
            if claim_in_dev(row[1]):
                if claim_hash(row[1]) not in claims_seen:
                    dev.setdefault(src, []).append(row)
            else:
                train.setdefault(src, []).append(row)
    return train, dev


def dev_sources(data_dir: Path | str) -> list[str]:
    """Every source with a training-side file, in a fixed order (a source may have no unseen dev rows)."""
    return sorted({source_of(p) for p in split_files(data_dir)})


_AUX = r"(should|must|is|are|was|were|can|could|will|would|does|do|did|has|have|had|may|might)"
_NEG_CONTRACTED = {"don't": "do", "doesn't": "does", "isn't": "is", "aren't": "are", "shouldn't": "should",
                   "can't": "can", "won't": "will", "mustn't": "must", "wasn't": "was", "weren't": "were",
                   "didn't": "did", "wouldn't": "would", "couldn't": "could", "hasn't": "has", "haven't": "have"}


def negate_claim(claim: str) -> str | None:
    """The claim's negation, by rule, for counterfactual training pairs (the same comment is *against*
    the negation of a claim it favours); None for a bare noun phrase ("Atheism"), whose negation
    would be a guess."""
    words = claim.split()
    for i, w in enumerate(words):
        lw = w.lower().replace("\u2019", "'")
        if lw in _NEG_CONTRACTED:
            fixed = _NEG_CONTRACTED[lw]
            words[i] = fixed.capitalize() if w[0].isupper() else fixed
            return " ".join(words)
        if re.fullmatch(_AUX, lw):
            if i + 1 < len(words) and words[i + 1].lower() == "not":
                return " ".join(words[: i + 1] + words[i + 2:])
            if i == 0:  # a question: "Should we ban X" -> "Should we not ban X"
                return " ".join(words[:2] + ["not"] + words[2:]) if len(words) > 2 else None
            return " ".join(words[: i + 1] + ["not"] + words[i + 1:])
    if len(words) >= 4:
        return "It is not true that " + claim[0].lower() + claim[1:]
    return None
