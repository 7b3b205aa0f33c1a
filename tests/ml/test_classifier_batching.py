"""plan_batches: how every transformer backend cuts a worker's claim into padded batches."""
import random

import pytest

from ml.classifiers.base import plan_batches


def padded_tokens(lengths, batches):
    return sum(len(b) * max(lengths[i] for i in b) for b in batches)


def test_every_input_lands_in_exactly_one_batch_of_at_most_max_batch():
    lengths = [random.Random(7).randint(3, 400) for _ in range(97)]
    batches = plan_batches(lengths, max_batch=16, overhead_tokens=8)
    assert sorted(i for b in batches for i in b) == list(range(97))
    assert all(1 <= len(b) <= 16 for b in batches)


def test_short_and_long_comments_are_not_padded_to_each_other():
    lengths = [5] * 10 + [300] * 2
    batches = plan_batches(lengths, max_batch=16, overhead_tokens=8)
    assert [sorted(lengths[i] for i in b) for b in batches] == [[5] * 10, [300] * 2]


def test_it_pads_less_than_fixed_size_batches_of_sorted_lengths():
    rng = random.Random(1234)
    lengths = [int(rng.lognormvariate(4, 0.9)) + 3 for _ in range(32)]
    order = sorted(range(32), key=lambda i: lengths[i])
    fixed = [order[s:s + 16] for s in range(0, 32, 16)]
    planned = plan_batches(lengths, max_batch=16, overhead_tokens=8)
    assert padded_tokens(lengths, planned) + 8 * len(planned) <= padded_tokens(lengths, fixed) + 8 * len(fixed)
    assert padded_tokens(lengths, planned) < 0.8 * padded_tokens(lengths, fixed)


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_single_inputs(n):
    assert plan_batches([7] * n, max_batch=4, overhead_tokens=8) == ([[0]] if n else [])


def test_a_large_overhead_means_full_batches():
    assert [len(b) for b in plan_batches(list(range(1, 9)), max_batch=4, overhead_tokens=10_000)] == [4, 4]
