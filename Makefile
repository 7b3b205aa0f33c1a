# Parley. Two commands for a fresh machine: `make run` (everything, with demo content) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint soak fuzz screenshots bench clean

$(STAMP): requirements.txt requirements-nodeps.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of PyTorch first: an unpinned torch pulled in by detoxify would fetch CUDA (GBs).
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo, start Redis if needed, a Celery worker + beat, and the web server.
run: install
	$(PY) -m scripts.devserver

## make test: the layout's guards (ruff, import-linter: pyproject.toml), then the whole test suite
## (unit + integration with a real Celery worker and Redis).
test: install lint
	$(PY) -m scripts.devserver --exec $(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## make soak: the worker fault tests (kill -9 mid-batch, broker FLUSHDB) with 1,000 comments each.
soak: install
	$(PY) -m scripts.devserver --exec env PARLEY_FAULT_COMMENTS=1000 $(PY) -m pytest -q tests/moderation/pipeline/test_worker_faults.py $(PYTEST_ARGS)

## make fuzz: longer, random-seeded runs of the fuzzers: the whole API (schemathesis, 200 examples
## per operation and role), every HTML page and form (200 per route and role), import_page (2,000 files)
## and the comment lifecycle's state machine (1,000 random sequences of post/edit/decide/undo/ban/...).
## The API and page fuzzers print "fuzz: N requests, M answered 5xx" (docs/SECURITY.md quotes a run).
fuzz: install
	PARLEY_FUZZ_EXAMPLES=$${PARLEY_FUZZ_EXAMPLES:-200} PARLEY_FUZZ_RANDOM=1 $(PY) -m pytest -q tests/test_api_fuzz.py tests/test_page_fuzz.py $(PYTEST_ARGS)
	PARLEY_FUZZ_EXAMPLES=$${PARLEY_LIFECYCLE_EXAMPLES:-1000} PARLEY_FUZZ_RANDOM=1 $(PY) -m pytest -q tests/moderation/test_lifecycle_stateful.py $(PYTEST_ARGS)
	PARLEY_FUZZ_EXAMPLES=$${PARLEY_IMPORT_FUZZ_EXAMPLES:-2000} PARLEY_FUZZ_RANDOM=1 $(PY) -m pytest -q tests/test_import_fuzz.py $(PYTEST_ARGS)

## make screenshots: refresh docs/screenshots/ (needs Debian's chromium).
screenshots: install
	$(PY) -m scripts.screenshots

## make bench: the seven benchmarks with modest sizes; each appends its table to docs/PERFORMANCE.md.
## Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG) and Redis on 127.0.0.1:6379 (BENCH_REDIS, database 13).
bench: install
	$(PY) bench/classify_throughput.py --n 300 --naive-n 100
	$(PY) bench/queue_page.py --comments 200000 --requests 20
	$(PY) bench/end_to_end.py --comments 100
	$(PY) bench/ingest.py --rate 200 --seconds 15
	$(PY) bench/post_cpu.py --rounds 2
	$(PY) bench/memory.py --comments 32
	$(PY) bench/drain.py --comments 500

clean:
	rm -rf var/ staticfiles/ .pytest_cache
