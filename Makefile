# 上海市质量协会 member-services assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Two environments: Rasa and the action server on Python 3.10 (.venv, what Rasa 3.6 supports);
# the public edge, the WeChat gateway and the staff console, on Python 3.13 with current
# aiohttp (.venv-edge). They talk only over HTTP (docs/architecture.md).
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
EDGE_VENV := .venv-edge
EDGE_PY   := $(EDGE_VENV)/bin/python
EDGE_STAMP := $(EDGE_VENV)/.installed
# make deploy-check's schema tools, in .venv-edge (requirements-deploy.txt).
DEPLOY_STAMP := $(EDGE_VENV)/.deploy-installed
# Tests of the services/ code both sides use, run on both: SQLAlchemy 1.4 in .venv, 2.x in .venv-edge.
SHARED_TESTS := tests/ingest/test_cleaning.py tests/ingest/test_extraction.py tests/ingest/test_loader.py \
                tests/integration/test_signups.py tests/integration/test_handoff.py
export PYTHONPATH := $(CURDIR)
export PYTHONWARNINGS ?= ignore::DeprecationWarning
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa writes telemetry prompts and a ~/.config file otherwise.
export RASA_TELEMETRY_ENABLED := false
export ACTIONS_PORT ?= 5055
export RASA_PORT ?= 5005

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  python310=$${PYTHON310:-$$(scripts/find-python310.sh)} || exit 1; \
	  echo "creating $(VENV) with $$python310"; \
	  "$$python310" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# .venv-edge is made anew unless its Python is the one requirements-edge.txt is pinned for.
$(EDGE_STAMP): requirements-edge.txt requirements-edge-dev.txt
	@if ! EDGE_PYTHON=$(EDGE_PY) scripts/find-python-edge.sh >/dev/null 2>&1; then \
	  python=$$(scripts/find-python-edge.sh) || exit 1; \
	  echo "creating $(EDGE_VENV) with $$python"; \
	  rm -rf $(EDGE_VENV) && "$$python" -m venv $(EDGE_VENV) || exit 1; \
	fi
	$(EDGE_PY) -m pip install --quiet --upgrade "pip==26.3"
	$(EDGE_PY) -m pip install --quiet -r requirements-edge-dev.txt
	@touch $@

# Again whenever .venv-edge is (re)made: it does not keep them.
$(DEPLOY_STAMP): $(EDGE_STAMP) requirements-deploy.txt
	$(EDGE_PY) -m pip install --quiet -r requirements-deploy.txt
	@touch $@

.PHONY: install
install: $(STAMP) $(EDGE_STAMP) ## create .venv (Python 3.10, Rasa) and .venv-edge (Python 3.13, gateway and console)

.PHONY: migrate
migrate: $(STAMP) ## bring the database (DATABASE_URL, default var/assistant.db) to the latest schema
	$(VENV)/bin/alembic upgrade head

.PHONY: knowledge
knowledge: migrate ## load the reviewed notices under data/knowledge, then pass corpus/ through ingestion (idempotent)
	$(PY) -m services.knowledge
	$(PY) -m services.ingest --quiet corpus/*.txt

.PHONY: ingest
ingest: $(STAMP) ## ingest a notice (.txt .md .docx .pdf): make ingest FILE=path [DRY_RUN=1]
	@if [ -z "$(FILE)" ]; then echo "usage: make ingest FILE=notice.docx [DRY_RUN=1]" >&2; exit 2; fi
	@$(MAKE) --no-print-directory migrate
	$(PY) -m services.ingest $(if $(DRY_RUN),--dry-run) $(FILE)

.PHONY: train
train: $(STAMP) ## train the model if config, domain or training data changed
	$(PY) -m bot.training --if-needed

.PHONY: run
run: knowledge train $(EDGE_STAMP) ## set everything up and start the action server, Rasa and the gateway (Ctrl-C stops)
	@# A development machine: without WECHAT_TOKEN, a token for this run so that 试一试 works (WECHAT_DEV_TOKEN=off to close /wechat)
	WECHAT_DEV_TOKEN=$${WECHAT_DEV_TOKEN-on} $(PY) -m bot.supervisor

.PHONY: shell
shell: knowledge train ## chat with the assistant in this terminal (rasa shell)
	$(PY) -m bot.supervisor --shell

.PHONY: lint
lint: $(STAMP) $(EDGE_STAMP) ## ruff and mypy (the gateway and console against the edge's libraries)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	@# Files, not folders: .venv's run excludes these folders in pyproject.toml, and mypy applies that to folders.
	@echo "$(EDGE_VENV)/bin/mypy --python-version 3.13 bot/gateway/*.py bot/console/*.py deploy/*.py deploy/docker/*.py"
	@$(EDGE_VENV)/bin/mypy --python-version 3.13 $(wildcard bot/gateway/*.py bot/console/*.py deploy/*.py deploy/docker/*.py)

.PHONY: validate
validate: $(STAMP) ## rasa data validate
	scripts/validate-data.sh

.PHONY: unit
unit: $(STAMP) $(EDGE_STAMP) ## unit and integration tests (PostgreSQL/Redis tests skip with a reason when absent)
	$(PY) -m pytest tests/unit tests/integration tests/ingest -q -rs
	$(EDGE_PY) -m pytest tests/gateway tests/console tests/security $(SHARED_TESTS) -q -rs

.PHONY: deploy-check
deploy-check: $(DEPLOY_STAMP) ## validate deploy/ offline: manifests against the Kubernetes schemas, the Compose file, the Dockerfiles
	$(EDGE_PY) -m deploy.check
	$(EDGE_PY) -m pytest tests/deploy -q -rs

.PHONY: test
test: lint validate unit deploy-check train ## everything CI runs: lint, validation, tests, training, conversation tests
	$(PY) -m rasa test core --model models/assistant.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out results/stories
	$(PY) -m pytest tests/e2e -q -rs
	@$(MAKE) --no-print-directory browser-deps
	$(EDGE_PY) -m pytest tests/browser -q -rs

.PHONY: browser-deps
browser-deps: ## install Debian's Chromium for the browser test (skipped when /usr/bin/chromium exists)
	scripts/browser-deps.sh

.PHONY: eval
eval: train $(EDGE_STAMP) ## NLU accuracy; notice extraction P/R; document answers; the whole assistant on the same questions
	$(PY) -m bot.evaluation
	$(PY) -m bot.knowledge_eval
	$(PY) -m bot.assistant_eval
	$(PY) -m bot.notice_eval
	$(PY) -m bot.notice_assistant_eval

.PHONY: bench
bench: knowledge train $(EDGE_STAMP) ## model load time, NLU parse and REST turn latency; the gateway and console under load
	$(PY) -m bot.benchmark
	$(EDGE_PY) -m bot.gateway.loadtest --users $${GATEWAY_BENCH_USERS:-50}
	$(EDGE_PY) -m bot.console.bench

.PHONY: clean
clean: ## remove the trained model, results and the local database
	rm -rf models results var
