# launchguard — `make demo` runs the main job on the embedded default, `make test` the tests.
# Both install what they need first (Debian packages, a virtualenv, the package itself).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APT_PACKAGES := prometheus prometheus-alertmanager

.PHONY: deps venv test lint typecheck unit demo bench clean

deps:
	@if ! command -v promtool >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then \
	  echo "installing $(APT_PACKAGES) (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $(APT_PACKAGES); \
	fi

$(BIN)/launchguard: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

venv: $(BIN)/launchguard

lint: venv
	$(BIN)/ruff check daemon tests benchmarks
	$(BIN)/ruff format --check daemon tests benchmarks

typecheck: venv
	$(BIN)/mypy

unit: deps venv
	$(BIN)/pytest

test: deps venv
	$(BIN)/pytest
	$(BIN)/ruff check daemon tests benchmarks
	$(BIN)/ruff format --check daemon tests benchmarks
	$(BIN)/mypy

demo: deps venv
	$(BIN)/launchguard demo

bench: deps venv
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
