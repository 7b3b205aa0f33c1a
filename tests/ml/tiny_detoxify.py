"""A tiny, random-weight Detoxify checkpoint plus the offline Hugging Face cache it needs.

This exercises the real loading path (``detoxify.Detoxify(checkpoint=...)`` -> transformers'
``BertConfig/BertForSequenceClassification/BertTokenizer.from_pretrained("bert-base-uncased")``
resolved from a local cache with ``HF_HUB_OFFLINE=1``) without downloading anything. The
weights are random: the scores mean nothing, only their shape, range and order do.

Layout written under ``tmp_dir``::

    toxic_tiny.ckpt                               torch.save({"config": ..., "state_dict": ...})
    hf_home/hub/models--bert-base-uncased/
        refs/main                                 -> "<rev>"
        snapshots/<rev>/config.json, vocab.txt, tokenizer_config.json, special_tokens_map.json

which is the same layout a production air-gapped host uses with the real files.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

HF_REPO = "bert-base-uncased"  # what Detoxify's "original" checkpoint names in config.arch.args.model_type
REVISION = "0" * 40  # any 40-hex string: refs/main just has to point at the snapshot folder
JIGSAW_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
MAX_LEN = 64

_WORDS = (
    "the a an and or but is are was you your i me my we he she it they this that what "
    "post article comment read reading enjoyed very informative would love more good great "
    "stupid idiot hope die pathetic worthless piece garbage writing shut up hate people "
    "think agree disagree because not no yes thanks please"
).split()
_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _vocab() -> list[str]:
    # A WordPiece vocab: specials, punctuation, single letters (with ## continuations so any
    # ASCII word can be split), then whole words.
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    punctuation = list(".,!?'\"-:;()")
    return _SPECIAL + punctuation + letters + [f"##{c}" for c in letters] + _WORDS


def _bert_config(vocab_size: int, num_classes: int) -> dict:
    return {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 37,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": MAX_LEN,
        "type_vocab_size": 2,
        # Far above BERT's 0.02 so random scores actually differ between texts (otherwise every
        # output sits at 0.5 and order/batching tests would pass vacuously).
        "initializer_range": 0.5,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "num_labels": num_classes,
    }


def write_hf_snapshot(hf_home: Path, repo: str, files: dict[str, str], revision: str = REVISION) -> Path:
    """Lay out ``files`` as the Hugging Face hub cache does for ``repo`` at ``revision``."""
    repo_dir = Path(hf_home) / "hub" / f"models--{repo.replace('/', '--')}"
    snapshot = repo_dir / "snapshots" / revision
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(revision)
    for name, text in files.items():
        (snapshot / name).write_text(text, encoding="utf-8")
    return snapshot


def make_tiny_detoxify_checkpoint(tmp_dir: str | Path, *, seed: int = 0) -> tuple[Path, Path]:
    """Build the checkpoint and the offline HF cache; returns ``(checkpoint_path, hf_home)``.

    Point ``HF_HOME`` at ``hf_home`` and set ``HF_HUB_OFFLINE=1`` before huggingface_hub is
    imported, or (in a running process) use :func:`use_offline_hf_cache`.
    """
    from transformers import BertConfig, BertForSequenceClassification

    tmp_dir = Path(tmp_dir)
    hf_home = tmp_dir / "hf_home"
    vocab = _vocab()
    config = _bert_config(len(vocab), len(JIGSAW_CLASSES))
    write_hf_snapshot(
        hf_home,
        HF_REPO,
        {
            "config.json": json.dumps(config, indent=2),
            "vocab.txt": "\n".join(vocab) + "\n",
            "tokenizer_config.json": json.dumps(
                {"do_lower_case": True, "model_max_length": MAX_LEN, "tokenizer_class": "BertTokenizer"}
            ),
            "special_tokens_map.json": json.dumps(
                {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                 "cls_token": "[CLS]", "mask_token": "[MASK]"}
            ),
        },
    )

    torch.manual_seed(seed)
    model = BertForSequenceClassification(BertConfig(**config))
    # Same shape as Detoxify's released checkpoints (see detoxify.load_checkpoint).
    checkpoint = {
        "config": {
            "arch": {
                "type": "ToxicClassifier",
                "args": {
                    "model_type": HF_REPO,
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(JIGSAW_CLASSES),
                },
            },
            "dataset": {"type": "JigsawDataOriginal", "args": {"classes": JIGSAW_CLASSES}},
        },
        "state_dict": model.state_dict(),
    }
    checkpoint_path = tmp_dir / "toxic_tiny.ckpt"
    torch.save(checkpoint, checkpoint_path)
    return checkpoint_path, hf_home


def use_offline_hf_cache(monkeypatch, hf_home: Path) -> None:
    """Make this process resolve hub files from ``hf_home`` only.

    huggingface_hub reads HF_HOME / HF_HUB_OFFLINE into module constants at import time, and
    other tests may already have imported it, so patch the constants as well as the env.
    """
    from huggingface_hub import constants

    hub = str(Path(hf_home) / "hub")
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.setenv("HF_HUB_CACHE", hub)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HOME", str(hf_home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", hub)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
