# Lupi: `make run` sets everything up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
DEMO_USERS ?= 2000
DEMO_ITEMS ?= 5000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup install frontend migrate demo model serve test test-sqlite test-services \
	test-frontend test-e2e lint bench-gnn schema

run: setup demo model frontend serve

setup: install migrate

# torch is installed first and pinned, so pip never swaps in a CUDA build.
$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input

demo: migrate
	DEBUG=1 $(PY) manage.py seed_demo --if-empty --users $(DEMO_USERS) --items $(DEMO_ITEMS)

model: demo
	DEBUG=1 $(PY) manage.py train_gnn --if-missing

# The SPA is built into frontend/dist, which Django serves at / (WhiteNoise for assets).
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.installed
	cd frontend && npm run build

serve: install
	DEBUG=1 $(PY) manage.py collectstatic --no-input -v0
	@echo "Lupi: dashboard http://$(HOST):$(PORT)/  GraphiQL http://$(HOST):$(PORT)/graphql/"
	DEBUG=1 $(VENV)/bin/uvicorn backend.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The suite runs twice: on SQLite with the in-process cache, then on PostgreSQL and Redis.
# The second leg is skipped (with a message) when neither server answers, unless
# LUPI_REQUIRE_SERVICES=1 (as in CI), where a missing server is a failure.
test: lint test-sqlite test-services test-frontend test-e2e

test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -q

test-services: install
	@if $(PY) -m backend.probe "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(PY) -m pytest -q; \
	elif [ "$$LUPI_REQUIRE_SERVICES" = "1" ]; then \
		echo "PostgreSQL or Redis is not reachable" >&2; exit 1; \
	else \
		echo "Skipping the PostgreSQL + Redis leg: servers not reachable"; \
	fi

# Unit tests of the SPA, and a check that its generated GraphQL types match the schema.
test-frontend: frontend/node_modules/.installed
	cd frontend && npm run codegen:check && npm test

# Browser tests: Playwright drives Debian's chromium against a freshly seeded server.
test-e2e: install frontend
	cd frontend && PYTHON=$(abspath $(PY)) npm run e2e

schema: install frontend/node_modules/.installed
	$(PY) manage.py export_schema schema --path schema/schema.graphql
	cd frontend && npm run codegen

bench-gnn: install
	$(PY) -m gnn.bench --data $(DATA) --minutes $(or $(MINUTES),10) --baseline pyg
