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


# --- What the fuzzers sent, for the note in docs/SECURITY.md -----------------------------------
# Every fuzz request is recorded here (before its assertion, so a 5xx is counted even though it
# fails its test); tests/conftest.py prints the totals at the end of the run, and writes them to
# var/fuzz-counts.json.

TALLY: dict[str, int] = {"requests": 0, "5xx": 0, "readyz_503": 0}


def fuzz_record(status_code: int, *, readiness: bool = False) -> None:
    """Count one fuzz request. ``readiness``: the request went to /readyz, whose 503 is its
    answer (not ready: no worker beats in a test), counted apart from the 5xx that are bugs."""
    TALLY["requests"] += 1
    if readiness and status_code == 503:
        TALLY["readyz_503"] += 1
    elif status_code >= 500:
        TALLY["5xx"] += 1


# The shapes that found issue 20's bugs (and round two's), for the page and API fuzzers alike:
# searches that are long or nothing but operators, NUL and other control characters, days at the
# ends of the calendar, numbers that overflow a float or a bigint.
HOSTILE_STRINGS = [
    "-" * 33, "- " * 40, "-(" * 40, "!" * 300, '"' * 61, "&|!<->():*'" * 18, "or " * 60, "\\" * 100,
    "\x00", "a\x00b", "\x01\x02\x1f\x7f", "\t\r\n", "\u0085\u2028", "\u200b\ufeff",
    "9999-12-31", "0001-01-01", "10000-01-01", "9999-12-31T23:59:59Z", "2024-02-30",
    "1e400", "-1e400", "1E+999", "inf", "-Infinity", "nan", "1" + "0" * 400, str(2**63), str(-(2**63) - 1),
]

# Form bodies and query strings that are not UTF-8: Latin-1, a lone surrogate (UTF-8 encoded),
# an overlong "/", a five-byte sequence, a truncated sequence.
UNDECODABLE = ["caf%E9", "%ED%A0%80x", "%C0%AF", "%F8%88%80%80%80", "%E2%82"]

# JSON numbers Python reads as inf (or an int no float can hold): written into bodies as raw text.
OVERFLOWING_NUMBERS = ["1e400", "-1e400", "1E+999", "1" + "0" * 400, "-" + "9" * 400]
