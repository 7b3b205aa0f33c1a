"""The fixed checks no model version may regress, and where their texts come from.

* ``identity``: harmless identity-term templates ("I am a gay person"), a fixed sample of the
  non-toxic rows of ``../shared/data/eval/identity_bias_templates_en.csv`` (evaluation only);
* ``threats``: ``ml/evaluation/data/threats_functional.csv`` when it exists (the classifiers
  issue's functional threat set), else the demo's threats (blog/demo/content.json, kind "threat");
* ``jigsaw``: Jigsaw 2018's test rows in ``../shared/data/eval/toxicity.csv`` (toxic flag).

These are never trained, tuned or chosen on: they only say no. When ``../shared`` is absent the
identity and Jigsaw checks cannot be made, and :func:`guard_sets_missing` says so (a candidate is
then refused, never waved through). Their pooled vectors are cached in ``var/adaptation/`` per base
model version: the texts never change, only the heads do.
"""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
IDENTITY_SAMPLE = 1000  # of ~70,000 non-toxic templates: every k-th row, the same rows every time
THREATS_FUNCTIONAL = ROOT / "ml" / "evaluation" / "data" / "threats_functional.csv"
DEMO_CONTENT = ROOT / "blog" / "demo" / "content.json"
CACHE_DIR = ROOT / "var" / "adaptation"


def eval_dir() -> Path:
    """``$PARLEY_EVAL_DIR`` or ``<repo>/../shared/data/eval`` (as ml.evaluation reads it)."""
    from ml.evaluation.toxicity import default_eval_dir  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    return default_eval_dir()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def guard_sets_missing() -> list[str]:
    """What cannot be checked on this machine (empty: every guard rail can be)."""
    d = eval_dir()
    return [f"{d / name} is missing" for name in ("identity_bias_templates_en.csv", "toxicity.csv") if not (d / name).exists()]


def identity_texts() -> list[str]:
    rows = [r["text"] for r in _rows(eval_dir() / "identity_bias_templates_en.csv") if r.get("toxic") == "0"]
    step = max(1, len(rows) // IDENTITY_SAMPLE)
    return rows[::step][:IDENTITY_SAMPLE]


def threat_texts() -> tuple[list[str], str]:
    """(texts, where they came from)."""
    if THREATS_FUNCTIONAL.exists():
        rows = _rows(THREATS_FUNCTIONAL)
        # Keep the rows that are threats when the file says which are.
        for column in ("threat", "label", "is_threat"):
            if rows and column in rows[0]:
                rows = [r for r in rows if str(r[column]).strip().lower() in ("1", "threat", "true", "yes")]
                break
        return [r["text"] for r in rows], str(THREATS_FUNCTIONAL.relative_to(ROOT))
    content = json.loads(DEMO_CONTENT.read_text())
    return [c["text"] for c in content["comments"] if c.get("kind") == "threat"], "the demo's threats (blog/demo/content.json)"


def jigsaw_rows() -> tuple[list[str], np.ndarray]:
    rows = _rows(eval_dir() / "toxicity.csv")
    return [r["text"] for r in rows], np.array([int(r["toxic"]) for r in rows])


def _cached_embed(classifier, name: str, texts: list[str], base_version: str):
    from ml.adaptation import Features, embed  # noqa: PLC0415 - torch: only where a model runs, never in the web process

    key = hashlib.sha256(("\n".join(texts) + base_version).encode()).hexdigest()[:12]
    path = CACHE_DIR / f"{name}-{base_version}-{key}.npz"
    if path.exists():
        data = np.load(path)
        return Features(data["written"], data["plain"])
    features = embed(classifier, texts)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, written=features.written, plain=features.plain)
    return features


def guard_sets(classifier) -> tuple[dict[str, tuple[object, np.ndarray]], dict]:
    """name -> (features, labels) for every guard rail that can be checked, and what was used."""
    threats, threat_source = threat_texts()
    sets = {"threats": (_cached_embed(classifier, "threats", threats, classifier.version), np.ones(len(threats)))}
    used = {"threats": f"{len(threats)} threats from {threat_source}"}
    if not guard_sets_missing():
        identity = identity_texts()
        sets["identity"] = (_cached_embed(classifier, "identity", identity, classifier.version), np.zeros(len(identity)))
        used["identity"] = f"{len(identity)} non-toxic identity templates (a fixed sample)"
        texts, y = jigsaw_rows()
        sets["jigsaw"] = (_cached_embed(classifier, "jigsaw", texts, classifier.version), y)
        used["jigsaw"] = f"{len(texts)} Jigsaw 2018 test comments ({int(y.sum())} toxic)"
    return sets, used
