# One verb per target. `make run` and `make test` are the two the README promises.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1

.PHONY: help install browser run test faults lint fmt lock migrate migrations-check createsuperuser bench bench-scale messages clean mutate api-schema

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements/dev.txt
	@python=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed  ## Create .venv and install the pinned dependencies

run: install  ## Serve http://127.0.0.1:8000/ with a Celery worker and beat (SQLite, no servers)
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_bundled_data
	$(DEV_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile.dev start

test: install browser  ## Run the whole test suite (SQLite, or DATABASE_URL / REDIS_URL when set)
	$(PY) -m pytest --numprocesses auto --maxprocesses 4

faults: install  ## Run only the fault suite (real broken servers on loopback), printing each figure
	$(PY) -m pytest -m faults -s -q

browser:  ## Install Debian's chromium for the browser tests when missing (needs root or sudo)
	@scripts/install-browser

lint: install  ## ruff lint + format check, then mypy (django-stubs)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

fmt: install  ## Format and autofix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install  ## Apply migrations to the configured database
	$(DEV_ENV) $(PY) manage.py migrate --no-input

migrations-check: install  ## Fail if models and migrations disagree
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

lock: install  ## Re-pin requirements/*.txt from the .in files
	for f in base prod dev; do \
	  $(VENV)/bin/uv pip compile --quiet --python-version 3.12 requirements/$$f.in -o requirements/$$f.txt; \
	done

clean:  ## Remove the virtualenv and local state (database, broker folders)
	rm -rf $(VENV) var staticfiles mutants

api-schema: install  ## Write the API's OpenAPI document (generated from the code) to docs/openapi.json
	$(DEV_ENV) $(PY) manage.py api_schema

createsuperuser: install  ## Create an admin account on the configured database
	$(DEV_ENV) $(PY) manage.py createsuperuser

BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/arena_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
bench: install  ## Import benchmark (SQLite, PostgreSQL at BENCH_POSTGRES_URL), page benchmark (wrk; local memory, then Redis at BENCH_REDIS_URL), API benchmark, history pages on ≥ 800 snapshots
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/bench_import.py
	env -u REDIS_URL DATABASE_URL=$(BENCH_POSTGRES_URL) $(PY) scripts/bench_import.py
	@command -v wrk >/dev/null || { echo "the page benchmark needs wrk: apt-get install wrk"; exit 1; }
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/bench_pages.py
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/bench_pages.py --redis $(BENCH_REDIS_URL)
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/bench_history.py
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/bench_api.py

SCALE_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/arena_scale
bench-scale: install  ## Scale proof at SCALE_POSTGRES_URL (dropped, ~7 M entries generated: ~10 min)
	env -u REDIS_URL DATABASE_URL=$(SCALE_POSTGRES_URL) $(PY) scripts/bench_scale.py --generate

messages: install  ## Refresh the Chinese catalog from the code and compile it
	$(DEV_ENV) $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=var
	$(DEV_ENV) $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# The modules mutated are [tool.mutmut] only_mutate in pyproject.toml (docs/mutation.md).
MUTATE_JOBS ?= $(shell nproc)
mutate: install  ## Mutation-test the core modules and print the score (slow: not part of test or CI)
	env -u DATABASE_URL -u REDIS_URL $(PY) scripts/mutate.py --jobs $(MUTATE_JOBS)
