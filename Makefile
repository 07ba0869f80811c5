# Every target sets itself up: a venv in .venv, the dev dependencies, a release build of the extension.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.stamp
EXT    := $(VENV)/.ext-stamp
RUST_SOURCES := $(shell find rust -name '*.rs') Cargo.toml

export PYO3_PYTHON := $(BIN)/python
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(BIN):$(PATH)

.PHONY: all setup system build test test-rust test-py lint wheel wheel-check demo bench clean

all: test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install -q -r $(VENV)/requirements.txt
	touch $@

setup: $(STAMP)

# Debian packages the tests drive for real (a redis-server for the shared limits and the fabric;
# chromium renders the /docs page; node-typescript (and the nodejs it depends on) checks and runs
# generated TypeScript clients);
# installed when missing, with one `apt-get update` first.
SYSTEM_PACKAGES := redis-server chromium node-typescript

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(EXT): $(STAMP) $(RUST_SOURCES)
	$(BIN)/maturin develop --release --quiet
	touch $@

build: $(EXT)

LIBDIR = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')

test-rust: $(STAMP)
	LD_LIBRARY_PATH=$(LIBDIR) cargo test --quiet
	cargo clippy --all-targets --quiet -- -D warnings
	cargo fmt --check

lint: $(STAMP)
	$(BIN)/ruff check python tests benches examples
	$(BIN)/ruff format --check python tests benches examples
	$(BIN)/mypy
	$(BIN)/python tests/check_samples.py

test-py: $(EXT) system
	GATI_BACKEND=native $(BIN)/python -m pytest
	GATI_BACKEND=pure $(BIN)/python -m pytest

test: test-rust lint test-py wheel-check

wheel: $(STAMP)
	rm -rf dist
	$(BIN)/maturin build --release --quiet --out dist

# Installs the freshly built wheel into a brand-new venv and checks it imports natively.
wheel-check: wheel
	rm -rf $(VENV)/wheel-check
	$(PYTHON) -m venv $(VENV)/wheel-check
	$(VENV)/wheel-check/bin/python -m pip install -q dist/*.whl
	cd / && $(CURDIR)/$(VENV)/wheel-check/bin/python -c 'import gati; assert gati.backend() == "native", gati.backend(); print("wheel ok:", gati.__version__, gati.backend())'

demo: $(EXT)
	$(BIN)/python -m examples.serve

# wrk (Debian package) is needed only here, for the HTTP benchmark over loopback.
bench: $(EXT)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python benches/run.py
	$(BIN)/python benches/http_wrk.py

clean:
	rm -rf $(VENV) target dist python/gati/_native*.so
