"""The hypothesis settings every fuzz test shares: a bounded, derandomized run in `make test`;
`make fuzz` sets PARLEY_FUZZ_EXAMPLES and PARLEY_FUZZ_RANDOM=1 for a long random-seeded one."""
from __future__ import annotations

import os

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings


def fuzz_settings(*, default_examples: int):
    return hypothesis_settings(
        max_examples=int(os.environ.get("PARLEY_FUZZ_EXAMPLES", default_examples)),
        deadline=None,
        derandomize=os.environ.get("PARLEY_FUZZ_RANDOM", "") == "",
        database=None,
        suppress_health_check=list(HealthCheck),
    )
