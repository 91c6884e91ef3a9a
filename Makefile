# 上海市质量协会 member-services assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
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
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  python310=$${PYTHON310:-$$(scripts/find-python310.sh)} || exit 1; \
	  echo "creating $(VENV) with $$python310"; \
	  "$$python310" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.PHONY: install
install: $(STAMP) ## create .venv with Python 3.10 and install the pinned requirements

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
run: knowledge train ## set everything up and start the action server and Rasa (Ctrl-C stops)
	$(PY) -m bot.supervisor

.PHONY: shell
shell: knowledge train ## chat with the assistant in this terminal (rasa shell)
	$(PY) -m bot.supervisor --shell

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

.PHONY: validate
validate: $(STAMP) ## rasa data validate
	scripts/validate-data.sh

.PHONY: unit
unit: $(STAMP) ## unit and integration tests (PostgreSQL/Redis tests skip with a reason when absent)
	$(PY) -m pytest tests/unit tests/integration tests/gateway tests/console tests/ingest -q -rs

.PHONY: test
test: lint validate unit train ## everything CI runs: lint, validation, tests, training, conversation tests
	$(PY) -m rasa test core --model models/assistant.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out results/stories
	$(PY) -m pytest tests/e2e -q -rs
	@$(MAKE) --no-print-directory browser-deps
	$(PY) -m pytest tests/browser -q -rs

.PHONY: browser-deps
browser-deps: ## install Debian's Chromium for the browser test (skipped when /usr/bin/chromium exists)
	scripts/browser-deps.sh

.PHONY: eval
eval: train ## NLU accuracy; notice extraction P/R; document answers; the whole assistant on the same questions
	$(PY) -m bot.evaluation
	$(PY) -m bot.knowledge_eval
	$(PY) -m bot.assistant_eval
	$(PY) -m bot.notice_eval
	$(PY) -m bot.notice_assistant_eval

.PHONY: bench
bench: knowledge train ## model load time, NLU parse and REST turn latency
	$(PY) -m bot.benchmark
	$(PY) -m bot.gateway.loadtest --users $${GATEWAY_BENCH_USERS:-50}
	$(PY) -m bot.console.bench

.PHONY: clean
clean: ## remove the trained model, results and the local database
	rm -rf models results var
