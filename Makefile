# Maintenance of the template itself. Every target runs through uv, which
# `make uv` installs with pip on first use; the generated project has its own Makefile.
# uv from PATH if it answers (a pyenv shim for uv under another Python does not), else python3's.
UV := $(shell uv --version >/dev/null 2>&1 && command -v uv || echo python3 -m uv)
RUN := $(UV) run --locked
# Where `make bake` writes; build/ is emptied first, any other folder must not hold the project yet.
OUT ?= build

.DEFAULT_GOAL := help
.PHONY: help uv test lint format lock bake bench

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

uv: ## Install uv with pip if no uv answers
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

test: uv ## Run the template's tests; starts PostgreSQL unless TEST_DATABASE_URL is set (ARGS=pytest options)
	$(RUN) pytest $(ARGS)

lint: uv ## ruff, formatting and mypy --strict on bench/, hooks/, scripts/ and tests/
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: uv ## Apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

lock: uv ## Re-lock the generated project for every Python (ARGS=--upgrade to re-resolve)
	$(RUN) python -m scripts.lock $(ARGS)

bake: uv ## Generate a project from the defaults into OUT (ARGS="key=value ..." to answer)
ifeq ($(OUT),build)
	rm -rf build
endif
	$(RUN) cookiecutter --no-input --default-config --output-dir $(OUT) . $(ARGS)

bench: uv ## Load a default bake and the equal-work reference app with wrk; writes bench/latest.* (ARGS="--duration 3 --rounds 1")
	$(RUN) python -m bench $(ARGS)
