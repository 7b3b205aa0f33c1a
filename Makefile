# Parley. Two commands for a fresh machine: `make run` (everything, with demo content) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test screenshots clean

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
	$(PY) -m config.devserver

## make test: the whole test suite (unit + integration with a real Celery worker and Redis).
test: install
	$(PY) -m config.devserver --exec $(PY) -m pytest -q $(PYTEST_ARGS)

## make screenshots: refresh docs/screenshots/ (needs Debian's chromium).
screenshots: install
	$(PY) -m config.screenshots

clean:
	rm -rf var/ staticfiles/ .pytest_cache
