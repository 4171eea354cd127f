# FluentPro backend. `make help` lists the targets. Every target reads DATABASE_URL and REDIS_URL
# from the environment (defaults: postgresql://postgres@127.0.0.1:5432/fluentpro, redis://127.0.0.1:6379/0).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Model training has a virtualenv of its own: torch never enters the runtime's or the tests' install.
TRAIN_VENV := .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.installed
TRAIN_OUT ?= build/role_encoder
TRAIN_WITHHOLD ?= dev
CLI_DIR := tools/supabase-cli
JS_CLIENT_DIR := tools/supabase-js
PG_META_DIR := tools/postgres-meta
# Workers: one per core; tests sharing the `fluentpro dev` stack stay in one worker (tests/conftest.py).
PYTEST_ARGS ?=
TEST_WORKERS ?= auto

.PHONY: help install run test lint fmt db-migrate db-reset db-seed db-status bench api-docs search-index supabase-cli supabase-js postgres-meta types train-matcher clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install the project with its dev tools

# torch pinned and first, so the extra's range installs nothing newer (a newer torch may be a CUDA build of
# several GB where the pinned CPU wheel is at hand).
$(TRAIN_STAMP): pyproject.toml
	@test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TRAIN_VENV)/bin/python -m pip install --quiet 'torch==2.13.0'
	$(TRAIN_VENV)/bin/python -m pip install --quiet -e '.[train,dev]'
	@touch $(TRAIN_STAMP)

train-matcher: $(TRAIN_STAMP) ## Fine-tune the job-title encoder (TRAIN_WITHHOLD=dev|test|none, TRAIN_OUT=build/role_encoder)
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-1} $(TRAIN_VENV)/bin/python -m training.role_encoder \
		--withhold $(TRAIN_WITHHOLD) --out $(TRAIN_OUT)

# npm ci into $(1) when its package-lock.json is newer than the installed tree (npm writes
# node_modules/.package-lock.json on each install), so a bumped pin reinstalls; $(2) says what is lost without npm.
define npm_ci
@if command -v npm >/dev/null; then \
	test $(1)/node_modules/.package-lock.json -nt $(1)/package-lock.json || npm ci --prefix $(1) --no-audit --no-fund --loglevel=error; \
else echo "npm not found: $(2)"; fi
endef

supabase-cli: ## Install the pinned Supabase CLI (npm) used by the config check
	$(call npm_ci,$(CLI_DIR),the Supabase CLI check will be skipped)

supabase-js: ## Install the pinned supabase-js (npm) that the client and frontend-guide tests drive
	$(call npm_ci,$(JS_CLIENT_DIR),the supabase-js client tests will fail until Node 20+ and npm are installed)

postgres-meta: ## Install the pinned postgres-meta (npm) that writes the api's TypeScript types
	$(call npm_ci,$(PG_META_DIR),the TypeScript types check will be skipped)

types: install postgres-meta ## Rewrite supabase/types/database.types.ts from a freshly migrated database
	$(BIN)/python -m fluentpro.api_types --update

run: install ## Install, migrate, seed and start sidecar + relay + worker (Ctrl-C stops all)
	$(BIN)/fluentpro db migrate
	$(BIN)/fluentpro dev

test: install supabase-cli supabase-js postgres-meta ## Run every test against the local PostgreSQL and Redis
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install ## ruff, mypy, import contracts (lint-imports) and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint supabase seeds

fmt: install ## Format Python (ruff) and fix what sqlfluff can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix supabase seeds || true

db-migrate: install ## Apply compat, migrations, functions_sql and seeds to DATABASE_URL
	$(BIN)/fluentpro db migrate

db-reset: install ## Drop our schemas at DATABASE_URL and rebuild them from scratch, with seeds
	$(BIN)/fluentpro db reset

db-seed: install ## Re-run every seed
	$(BIN)/fluentpro db seed

db-status: install ## List applied and pending migrations, changed functions and seeds
	$(BIN)/fluentpro db status

api-docs: install ## Rewrite the api contract snapshot and docs/api.md from the database's comments
	$(BIN)/fluentpro api-contract --update

search-index: install ## Create the Azure AI Search index and upload every job role (needs AZURE_SEARCH_*)
	$(BIN)/fluentpro search reindex

bench: install ## Run every benchmark under bench/ and print one table
	$(BIN)/python -m bench

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(CLI_DIR)/node_modules $(JS_CLIENT_DIR)/node_modules $(PG_META_DIR)/node_modules
