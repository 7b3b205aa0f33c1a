"""The statistics int8 smoothing needs, measured on training dev rows and shipped beside the weights.

    python -m ml.training.int8_smoothing [--data ../shared/data] [--rows 1000]

For each shipped transformer (parley-minilm and the stance cross-encoder) run ``--rows`` of its own
training dev rows through the fp32 model, drawn with the recipes' seed (13), and record each
Linear's largest |input| per channel (:func:`ml.classifiers.quantize.linear_input_maxima`). Written to
``ml/weights/<model>/int8_smoothing.safetensors`` in fp16; the same bytes every time (two runs compared). Nothing in
``shared/data/eval/`` or ``*_test.csv`` is read: toxicity's rows are the recipe's seeded dev split,
stance's the unseen-topic dev claims (ml/evaluation/stance_split.py).
"""
from __future__ import annotations

import argparse
import random

SEED = 13


def toxicity_dev_texts(data: str, n: int) -> list[str]:
    from ml.training import toxicity as recipe

    dev = recipe.dev_rows(recipe.Config(data=data))
    return [r[0] for r in random.Random(SEED).sample(dev, min(n, len(dev)))]


def stance_dev_pairs(data: str, n: int) -> list[tuple[str, str]]:
    from ml.evaluation import stance_split

    _, dev = stance_split.unseen_topic_split(data)
    pairs = [(text, target) for src in sorted(dev) for text, target, _ in dev[src]]
    return random.Random(SEED).sample(pairs, min(n, len(pairs)))


def main(argv=None) -> None:
    from ml.classifiers import stance
    from ml.classifiers.minilm_toxicity import DEFAULT_WEIGHTS_DIR as TOXICITY_DIR
    from ml.classifiers.minilm_toxicity import MiniLMToxicity
    from ml.classifiers.quantize import linear_input_maxima, smoothing_write
    from ml.training.common import DEFAULT_DATA, log

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--rows", type=int, default=1000)
    args = p.parse_args(argv)

    tox = MiniLMToxicity.from_dir(precision="fp32")
    texts = toxicity_dev_texts(args.data, args.rows)
    maxima = linear_input_maxima(model=tox.model, run=lambda: tox.logits(texts))
    log(f"toxicity: {len(texts)} dev rows, {len(maxima)} layers -> {smoothing_write(TOXICITY_DIR, maxima)}")

    st = stance.MiniLMStance.from_dir(stance.DEFAULT_WEIGHTS_DIR)
    pairs = stance_dev_pairs(args.data, args.rows)
    maxima = linear_input_maxima(model=st.model, run=lambda: st.score(pairs))
    log(f"stance: {len(pairs)} unseen-topic dev pairs, {len(maxima)} layers -> "
        f"{smoothing_write(stance.DEFAULT_WEIGHTS_DIR, maxima)}")


if __name__ == "__main__":
    main()
