# Gần Dân — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := pwa/node_modules/.installed
PWA_STAMP := pwa/dist/.built
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/index.html pwa/staff pwa/vite.config.ts pwa/package.json pwa/scripts -type f 2>/dev/null)

.PHONY: run test install pwa migrate demo serve lint format test-py test-pwa test-clock bench api-types clean

run: install pwa migrate demo serve

test: install pwa lint test-pwa test-py

install: $(PY_STAMP) $(NPM_STAMP)

$(PY_STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(NPM_STAMP): pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa: $(PWA_STAMP)

$(PWA_STAMP): $(NPM_STAMP) $(PWA_SOURCES)
	cd pwa && npm run build
	touch $@

migrate: $(PY_STAMP)
	$(BIN)/gandan migrate

demo: $(PY_STAMP)
	$(BIN)/gandan seed-demo

serve: $(PY_STAMP)
	$(BIN)/gandan serve --with-worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend sync
	cd pwa && npm run typecheck && npm run check:api

format: $(PY_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-pwa: $(NPM_STAMP)
	cd pwa && npm test

# TEST_NOW=2026-12-09T16:45 runs the tests on a clock started at that moment (GANDAN_TEST_NOW, tests only).
test-py: $(PY_STAMP) pwa
	$(if $(TEST_NOW),GANDAN_TEST_NOW=$(TEST_NOW)) $(BIN)/pytest

# The suite at moments that have broken time-dependent code before: early morning, late morning, near closing,
# late night, a Saturday, the eve of Tết (a holiday). CLOCK_TESTS narrows it (default: the whole suite).
CLOCK_MOMENTS ?= 2026-12-07T07:00 2026-12-08T11:00 2026-12-09T16:45 2026-12-10T23:30 2026-12-12T10:00 2027-02-05T09:00
CLOCK_TESTS ?= tests
test-clock: $(PY_STAMP) pwa
	@for moment in $(CLOCK_MOMENTS); do \
		echo "== the suite at $$moment (Asia/Ho_Chi_Minh)"; \
		GANDAN_TEST_NOW=$$moment $(BIN)/pytest -q $(CLOCK_TESTS) || exit 1; \
	done

api-types: install
	cd pwa && npm run gen:api

bench: install pwa
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist var
