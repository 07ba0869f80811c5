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

.PHONY: all setup system build test test-rust test-py test-py-native test-py-pure test-rest test-bench test-debug lint wheel wheel-check demo bench screenshots clean

all: test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install -q -r $(VENV)/requirements.txt
	touch $@

setup: $(STAMP)

# Debian packages the tests drive for real (a redis-server for the shared limits and the fabric;
# chromium renders the /docs page and runs the Playground's browser test, driven by Playwright; node-typescript (and the nodejs it depends on) checks and runs
# generated TypeScript clients);
# installed when missing, with one `apt-get update` first.
SYSTEM_PACKAGES := redis-server chromium node-typescript valgrind

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

lint: $(EXT)
	$(BIN)/ruff check python tests benches examples
	$(BIN)/ruff format --check python tests benches examples
	$(BIN)/mypy
	$(BIN)/python -m mypy.stubtest gati._native  # the .pyi against the built extension
	$(BIN)/python tests/check_samples.py

# The pure pass skips the tests marked `once`: they build both backends themselves (the
# differential suites) or do not touch the backend (schemathesis and codegen against servers of
# both backends, the browser, Redis across processes), so a second run would repeat the first.
test-py: test-py-native test-py-pure

test-py-native: $(EXT) system
	GATI_BACKEND=native $(BIN)/python -m pytest

test-py-pure: $(EXT) system
	GATI_BACKEND=pure $(BIN)/python -m pytest -m "not once"

# The native-facing tests again, against a debug build of the extension (debug assertions and
# overflow checks on, plus the `test-panic` entry point the panic-boundary tests need), installed
# apart in target/debug-ext and put first on the path; the release build stays for the rest.
DEBUG_EXT := target/debug-ext
# (The Hypothesis suite of the validators stays on the release build: it is slow unoptimised.)
DEBUG_TESTS := tests/gtype/test_native_safety.py tests/gtype/test_panic_boundary.py \
	tests/gtype/test_hostile_input.py tests/gtype/test_gc.py tests/gtype/test_validator_plans.py \
	tests/lifecycle/test_state.py tests/lifecycle/test_differential.py \
	tests/http/test_http_router_differential.py tests/http/test_http_ingress_differential.py \
	tests/http/test_http_messages_differential.py tests/playground/test_record_core.py \
	tests/playground/test_ring.py tests/lifecycle/test_watchdog.py

test-debug: $(STAMP)
	rm -rf $(DEBUG_EXT)
	$(BIN)/maturin build --quiet --features test-panic --out $(DEBUG_EXT)/wheel
	$(BIN)/python -m pip install -q --no-deps --target $(DEBUG_EXT)/site $(DEBUG_EXT)/wheel/*.whl
	GATI_BACKEND=native PYTHONPATH=$(CURDIR)/$(DEBUG_EXT)/site $(BIN)/python -m pytest $(DEBUG_TESTS)

# Every benchmark once, untimed (about 20 s): a bench that no longer runs fails here, not in
# `make bench`.
test-bench: $(EXT) system
	$(BIN)/python -m pytest -q -p no:cacheprovider benches --benchmark-disable

# After the build and the lint, two jobs side by side, one per core (a pytest pass is one
# process, and much of the native pass waits on its servers, browsers and Redis): the native
# pass; and the pure pass, the benches, the debug build and the wheels, one after another. Each
# job's output is printed whole when it ends.
test: test-rust lint system
	$(MAKE) --no-print-directory -j2 --output-sync=target test-py-native test-rest

# (-j1: one after another; with the parent's job slots make would run them at once)
test-rest:
	$(MAKE) --no-print-directory -j1 test-py-pure test-bench test-debug wheel-check

# manylinux2014 (glibc 2.17) wheels, linked by zig (the `ziglang` wheel from PyPI, no Docker), so
# they install on every glibc distribution still in service; and the sdist beside them.
wheel: $(STAMP)
	rm -rf dist
	$(BIN)/maturin build --release --quiet --zig --compatibility manylinux2014 --out dist
	$(BIN)/maturin sdist --out dist

# Checks the wheel's platform tag with auditwheel, installs it into a brand-new venv and checks it
# imports natively; then installs the sdist (compiled from source) into another clean venv and
# checks the same. The sdist build uses a quicker profile (no LTO, parallel codegen) and its own
# target folder, kept between runs, so the check stays within a few minutes.
WHEEL_IMPORT := import gati; assert gati.backend() == "native", gati.backend(); print("ok:", gati.__version__, gati.backend())
# the Playground's page ships as package data
WHEEL_PLAYGROUND := from importlib.resources import files; ui = files("gati.playground") / "static"; assert all((ui / f).is_file() for f in ("index.html", "app.css", "app.js")), "Playground UI not in the wheel"
wheel-check: wheel
	$(BIN)/auditwheel show dist/*.whl | tee $(VENV)/auditwheel.txt
	grep -q '"manylinux_2_17_x86_64"' $(VENV)/auditwheel.txt
	rm -rf $(VENV)/wheel-check $(VENV)/sdist-check
	$(PYTHON) -m venv $(VENV)/wheel-check
	$(VENV)/wheel-check/bin/python -m pip install -q dist/*.whl
	cd / && $(CURDIR)/$(VENV)/wheel-check/bin/python -c '$(WHEEL_IMPORT)'
	cd / && $(CURDIR)/$(VENV)/wheel-check/bin/python -c 'import gati._native as n; assert not hasattr(n, "_panic_next"), "test-only entry point shipped"'
	cd / && $(CURDIR)/$(VENV)/wheel-check/bin/python -c '$(WHEEL_PLAYGROUND)'
	$(PYTHON) -m venv $(VENV)/sdist-check
	CARGO_TARGET_DIR=$(CURDIR)/target/sdist CARGO_PROFILE_RELEASE_LTO=off \
		CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
		$(VENV)/sdist-check/bin/python -m pip install -q dist/gati-*.tar.gz
	cd / && $(CURDIR)/$(VENV)/sdist-check/bin/python -c '$(WHEEL_IMPORT)'

# The Playground's screenshots in docs/img/ (the README's), retaken by its browser test.
screenshots: $(EXT) system
	GATI_SCREENSHOTS=$(CURDIR)/docs/img $(BIN)/python -m pytest -q tests/playground/test_browser.py

demo: $(EXT)
	$(BIN)/python -m examples.serve

# wrk (Debian package) is needed only here, for the HTTP benchmark over loopback.
bench: $(EXT)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python benches/run.py
	$(BIN)/python benches/startup.py
	$(BIN)/python benches/http_wrk.py
	$(BIN)/python benches/hostile_loop.py

clean:
	rm -rf $(VENV) target dist python/gati/_native*.so
