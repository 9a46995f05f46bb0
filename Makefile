# launchguard — `make demo` runs the main job on the embedded default, `make test` the tests.
# Both install what they need first (Debian packages, a virtualenv, the package itself).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages the tests start for real (DESIGN §6); one line per command they provide.
APT_PACKAGES := prometheus prometheus-alertmanager victoria-metrics chromium

.PHONY: deps venv test lint typecheck unit demo bench clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing" $$missing "(apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
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
	LAUNCHGUARD_ARTIFACTS=$(CURDIR)/artifacts $(BIN)/pytest

# Screenshots and other test artifacts stay in artifacts/ (git-ignored) after the run.
test: deps venv
	LAUNCHGUARD_ARTIFACTS=$(CURDIR)/artifacts $(BIN)/pytest
	$(BIN)/ruff check daemon tests benchmarks
	$(BIN)/ruff format --check daemon tests benchmarks
	$(BIN)/mypy

demo: deps venv
	$(BIN)/launchguard demo

bench: deps venv
	$(BIN)/python benchmarks/run.py
	@for b in benchmarks/bench_*.py; do [ -e "$$b" ] || continue; $(BIN)/python "$$b" || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
