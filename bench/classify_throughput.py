"""Classifier throughput: Parley's batched backends (as the worker runs them) vs a naive
one-comment-at-a-time loop, on the same deterministic comments, in one run.

    python bench/classify_throughput.py [--device cpu|cuda] [--n 1000] [--naive-n 100]
                                        [--models detoxify,bilstm,stance] [--no-write]

Detoxify's released weights cannot be downloaded here, so the Detoxify rows time a locally
generated, random-weight checkpoint with bert-base-uncased's exact shape (hidden 768, 12 layers,
12 heads, intermediate 3072, vocab 30522, 512 positions) loaded through the real path
(``detoxify.Detoxify(checkpoint=...)`` + an offline Hugging Face cache, as
tests/ml/tiny_detoxify.py does). Speed depends on shape, not on weight values; score
*drift* under int8 quantization does depend on the weights, so the random-weight drift is only
indicative.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import BENCH_VAR, claims, corpus, report, table  # noqa: E402

HF_HOME = BENCH_VAR / "hf_home"
CKPT = BENCH_VAR / "detoxify-bert-base-random.ckpt"
# Offline before huggingface_hub/transformers are imported.
os.environ["HF_HOME"] = str(HF_HOME)
os.environ["HF_HUB_CACHE"] = str(HF_HOME / "hub")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import torch  # noqa: E402

BERT_BASE = {
    "architectures": ["BertForSequenceClassification"], "model_type": "bert", "vocab_size": 30522,
    "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}


def _vocab() -> list[str]:
    """A 30,522-entry WordPiece vocab: specials, characters, ## continuations, every word of the demo
    texts (so English comments tokenize to about as many pieces as with the real vocab), then filler."""
    import re

    from bench._common import demo_texts
    from tests.ml.tiny_detoxify import _SPECIAL

    texts, cl = demo_texts()
    chars = [chr(c) for c in range(33, 127) if not chr(c).isupper()]
    vocab = list(_SPECIAL) + chars + [f"##{c}" for c in chars]
    seen = set(vocab)
    for word in re.findall(r"[a-z0-9]+", " ".join(texts + cl).lower()):
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    vocab += [f"[unused{i}]" for i in range(30522 - len(vocab))]
    return vocab


def make_bert_base_checkpoint() -> Path:
    if CKPT.is_file():
        return CKPT
    from transformers import BertConfig, BertForSequenceClassification

    from tests.ml.tiny_detoxify import HF_REPO, JIGSAW_CLASSES, write_hf_snapshot

    vocab = _vocab()
    config = {**BERT_BASE, "num_labels": len(JIGSAW_CLASSES)}
    write_hf_snapshot(HF_HOME, HF_REPO, {
        "config.json": json.dumps(config, indent=2),
        "vocab.txt": "\n".join(vocab) + "\n",
        "tokenizer_config.json": json.dumps({"do_lower_case": True, "model_max_length": 512,
                                             "tokenizer_class": "BertTokenizer"}),
        "special_tokens_map.json": json.dumps({"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                               "cls_token": "[CLS]", "mask_token": "[MASK]"}),
    })
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(**config))
    checkpoint = {
        "config": {"arch": {"type": "ToxicClassifier", "args": {
            "model_type": HF_REPO, "model_name": "BertForSequenceClassification", "tokenizer_name": "BertTokenizer",
            "num_classes": len(JIGSAW_CLASSES)}},
            "dataset": {"type": "JigsawDataOriginal", "args": {"classes": JIGSAW_CLASSES}}},
        "state_dict": model.state_dict(),
    }
    CKPT.parent.mkdir(parents=True, exist_ok=True)
    tmp = CKPT.with_suffix(".partial")
    torch.save(checkpoint, tmp)
    tmp.replace(CKPT)
    return CKPT


CHUNK = 32  # comments per worker claim (settings.PARLEY_CLASSIFY_BATCH_SIZE): what score() gets in production


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def interleaved(runners: dict, items: list, chunk: int = CHUNK) -> dict:
    """Run every runner on the same chunks of ``items``, alternating runners chunk by chunk (order
    rotated each round), so a neighbour's CPU load on this shared box hits all of them alike.
    Returns name -> (scores in input order, seconds)."""
    out = {name: ([], 0.0) for name in runners}
    names = list(runners)
    for round_no, start in enumerate(range(0, len(items), chunk)):
        part = items[start:start + chunk]
        for name in names[round_no % len(names):] + names[:round_no % len(names)]:
            scores, seconds = _timed(lambda: runners[name](part))  # noqa: B023 - called within this iteration
            prev, total = out[name]
            out[name] = (prev + scores, total + seconds)
    return out


def max_abs_diff(a: list[dict], b: list[dict]) -> float:
    return max((abs(x[k] - y[k]) for x, y in zip(a, b) for k in x.keys() & y.keys()), default=0.0)


def _rows(model: str, results: dict, baseline: str, labels: dict, rows: list, n: int) -> None:
    base_scores, base_s = results[baseline]
    for i, (name, (scores, seconds)) in enumerate(results.items()):
        rows.append([model if i == 0 else "", labels[name], n, n / seconds, base_s / seconds,
                     0.0 if name == baseline else max_abs_diff(base_scores, scores)])


def bench_detoxify(texts, naive_n, device, rows, notes):
    import detoxify

    from ml.classifiers.detoxify_backend import LABEL_ALIASES, DetoxifyClassifier
    from ml.classifiers.registry import load_toxicity_classifier

    ckpt = make_bert_base_checkpoint()
    if device == "cpu":
        parley = load_toxicity_classifier("detoxify:original", checkpoint=str(ckpt))  # what the worker loads
        assert parley.name == "detoxify:original", f"fell back to {parley.name}"
    else:
        parley = DetoxifyClassifier("original", checkpoint=str(ckpt), device=device)
    naive = detoxify.Detoxify("original", checkpoint=str(ckpt), device=device)
    sub = texts[:naive_n]

    def naive_loop(part):
        out = []
        for t in part:
            r = naive.predict(t)
            out.append({LABEL_ALIASES.get(k, k): float(v) for k, v in r.items()})
        return out

    runners = {"naive": naive_loop, "fp32": parley.score}
    labels = {"naive": "naive Detoxify.predict loop, one comment at a time",
              "fp32": f"Parley score() fp32, default (length-bucketed, ≤ {parley.batch_size} per batch)"}
    if device == "cpu":
        for option, label in (("int8", "Parley score() + PARLEY_QUANTIZE=int8 (dynamic, Linear layers)"),
                              ("bf16", "Parley score() + PARLEY_QUANTIZE=bf16 (bfloat16 weights and activations)")):
            os.environ[DetoxifyClassifier.QUANTIZE_ENV] = option
            try:
                runners[option] = DetoxifyClassifier("original", checkpoint=str(ckpt)).score
            finally:
                del os.environ[DetoxifyClassifier.QUANTIZE_ENV]
            labels[option] = label
        notes.append("int8/bf16 score drift measured on random weights: real Detoxify weights may drift more or less; "
                     "check with `manage.py evaluate_models` before enabling PARLEY_QUANTIZE in production.")
    for fn in runners.values():
        fn(sub[:4])  # warm-up
    _rows(f"detoxify:original (bert-base shape, random weights) [{device}]", interleaved(runners, sub), "naive",
          labels, rows, len(sub))


def bench_bilstm(texts, naive_n, rows, notes):
    from ml.classifiers.bilstm import LABELS, pad_pre
    from ml.classifiers.registry import load_toxicity_classifier

    clf = load_toxicity_classifier("jigsaw-bilstm")
    sub = texts[:naive_n]

    def naive_loop(part):
        # The straightforward way: tokenize, pad, forward, one comment at a time, torch's thread setting.
        out = []
        with torch.inference_mode():
            for t in part:
                out.append(dict(zip(LABELS, clf.net(pad_pre([clf.tokenizer.to_ids(t)]))[0].tolist())))
        return out

    runners = {"naive": naive_loop, "single": lambda part: [clf.score([t])[0] for t in part], "parley": clf.score}
    for fn in runners.values():
        fn(sub[:4])  # warm-up
    labels = {"naive": f"naive loop: net(pad(tokenize(text))) per comment, {torch.get_num_threads()} threads",
              "single": f"Parley score([text]) one at a time ({clf.runtime}, {clf.threads} thread): no batching",
              "parley": f"Parley score() ({clf.runtime}, {clf.threads} thread, batch {clf.batch_size})"}
    _rows("jigsaw-bilstm (shipped weights) [cpu]", interleaved(runners, sub), "naive", labels, rows, len(sub))


def bench_parley(texts, naive_n, rows, notes):
    from ml.classifiers.minilm_toxicity import LABELS
    from ml.classifiers.registry import load_toxicity_classifier

    clf = load_toxicity_classifier("parley-minilm")
    sub = texts[:naive_n]

    def naive_loop(part):
        # The straightforward way: one comment per forward, its first max_len tokens, calibrated heads.
        out = []
        with torch.inference_mode():
            for t in part:
                enc = clf.tokenizer(t, truncation=True, max_length=clf.max_len, return_tensors="pt")
                out.extend(clf.calibrate(clf.model(enc["input_ids"], enc["attention_mask"]).float()))
        return out

    runners = {"naive": naive_loop, "parley": clf.score}
    for fn in runners.values():
        fn(sub[:4])  # warm-up
    labels = {"naive": f"naive loop: one comment per forward, first {clf.max_len} tokens, fp32",
              "parley": f"Parley score(): length-planned batches ≤ {clf.batch_size}, every {clf.max_len}-token "
                        "window of long comments, look-alike spellings scored too"}
    notes.append("parley-minilm: Parley's score() reads all of a long comment (windows) and scores de-obfuscated "
                 "copies, so its Δ against the one-window naive loop is a difference in what is read, not an error.")
    _rows(f"parley-minilm (shipped weights, {', '.join(LABELS[:1])}..., max_len {clf.max_len}) [cpu]",
          interleaved(runners, sub), "naive", labels, rows, len(sub))


def bench_stance(texts, naive_n, rows, notes):
    from ml.classifiers.registry import load_stance_classifier
    from ml.classifiers.stance import encode_pairs

    clf = load_stance_classifier()
    cl = claims()
    pairs = [(t, cl[i % len(cl)]) for i, t in enumerate(texts)]
    sub = pairs[:naive_n]

    def naive_loop(part):
        # The straightforward way: the same fp32 torch model, one (claim, comment) pair per forward.
        out = []
        with torch.inference_mode():
            for text, target in part:
                enc = encode_pairs(clf.tokenizer, [" ".join(target.split())], [" ".join(text.split())], clf.max_len)
                enc = {k: torch.tensor(v) for k, v in enc.items()}
                probs = torch.softmax(clf.model(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), -1)
                out.append(dict(zip(clf.labels, probs[0].tolist())))
        return out

    runners = {"naive": naive_loop, "parley": clf.score}
    for fn in runners.values():
        fn(sub[:4])  # warm-up
    labels = {"naive": "naive loop: tokenizer(pair) + model forward per comment, fp32",
              "parley": f"Parley score() fp32 (length-bucketed, ≤ {clf.batch_size} per batch)"}
    _rows(f"{clf.name} (shipped weights, max_len {clf.max_len}) [cpu]", interleaved(runners, sub), "naive", labels,
          rows, len(sub))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--n", type=int, default=1000, help="comments for the batched runs")
    p.add_argument("--naive-n", type=int, default=None,
                   help="comments for the naive loops and the side-by-side ratio (default: min(n, 300) for "
                        "the BERT-base model, n for the others)")
    p.add_argument("--models", default="detoxify,parley,bilstm,stance")
    p.add_argument("--no-write", action="store_true", help="print only; do not append to docs/PERFORMANCE.md")
    args = p.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: no CUDA device here")
    from ml.classifiers.base import configure_torch_threads

    configure_torch_threads()
    texts = corpus(args.n)
    words = [len(t.split()) for t in texts]
    rows: list[list] = []
    notes = [f"{args.n} comments, {min(words)}-{max(words)} words (mean {sum(words) / len(words):.0f}), log-uniform "
             f"lengths cut from the demo texts (blog/demo/content.json), seed 1234; torch {torch.__version__}, "
             f"{torch.get_num_threads()} intra-op threads.",
             f"speed-up = naive seconds / runner seconds on the *same* comments in this run, interleaved in chunks of "
             f"{CHUNK} (one worker claim) with the order rotated each chunk, so load from others on this shared box "
             "hits every runner alike; max abs Δ = largest absolute difference of any label score vs the naive loop."]
    models = args.models.split(",")
    if "parley" in models:
        bench_parley(texts, args.naive_n or args.n, rows, notes)
    if "detoxify" in models:
        n = args.naive_n or min(args.n, 300)
        bench_detoxify(texts, n, args.device, rows, notes)
        notes.append("Detoxify rows: random-weight checkpoint of bert-base-uncased's shape, generated locally "
                     "(real weights cannot be downloaded here); timings depend on shape only. "
                     f"All Detoxify runners on the first {n} comments, to keep four BERT-base runners within about ten "
                     "minutes on this 2-core box (the other models use all of them). Parley's fp32 score() is the "
                     "default; int8/bf16 are opt-in (PARLEY_QUANTIZE) because real-weight quality is unmeasured.")
    if "bilstm" in models:
        bench_bilstm(texts, args.naive_n or args.n, rows, notes)
        notes.append("jigsaw-bilstm: the naive loop is the plain per-comment forward at torch's thread setting; "
                     "Parley's score() runs the net exported in memory to ONNX Runtime on 1 intra-op thread (its 100 "
                     "sequential steps gain nothing from a second one, and a descheduled second thread stalls every "
                     "step on a busy box) in batches at the fixed 100-step padding the Keras reference uses. The "
                     "middle row is Parley's runtime and threads without batching.")
    if "stance" in models:
        bench_stance(texts, args.naive_n or args.n, rows, notes)
        notes.append("stance: the naive loop tokenizes one (claim, comment) pair and runs the same fp32 torch model; "
                     "Parley's score() tokenizes a call's pairs in one fast-tokenizer call and cuts the "
                     "length-sorted pairs where padding costs least (ml/classifiers/base.py plan_batches) "
                     "instead of one padded batch.")
    report("Classifier throughput (bench/classify_throughput.py)",
           table(["model", "runner", "comments", "comments/s", "speed-up vs naive", "max abs Δ score"], rows),
           notes, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
