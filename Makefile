# Lupi: `make run` sets everything up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# One server worker per core where the cache is shared (Redis); one with the in-process cache.
WORKERS ?= $(if $(REDIS_URL),$(shell nproc),1)
DEMO_USERS ?= 2000
DEMO_ITEMS ?= 5000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup install frontend migrate demo model serve test test-sqlite test-services \
	test-frontend test-e2e check-chromium lint bench-gnn schema worker beat

run: setup demo model frontend serve

setup: install migrate

# torch is installed first and pinned, so pip never swaps in a CUDA build.
# pip runs quietly; each step names itself first, as the quiet steps take minutes on a first install.
$(VENV)/.installed: pyproject.toml
	@echo "[1/4] Creating the virtual environment in $(VENV)…"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@echo "[2/4] Upgrading pip…"
	@$(PY) -m pip install --quiet --upgrade pip
	@echo "[3/4] Installing PyTorch 2.13.0 (a large download: a few minutes on a first install)…"
	@$(PY) -m pip install --quiet torch==2.13.0
	@echo "[4/4] Installing Lupi and its dependencies into $(VENV)…"
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@
	@echo "Python environment ready in $(VENV)."

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input

demo: migrate
	DEBUG=1 $(PY) manage.py seed_demo --if-empty --admin --users $(DEMO_USERS) --items $(DEMO_ITEMS)

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

# A task-queue worker (needs CELERY_BROKER_URL): impressions, training, the atlas.
worker: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1) first" >&2; exit 1; }
	$(VENV)/bin/celery -A backend worker -l info

# The schedule of the queue's periodic work (scheduled retraining: LUPI_RETRAIN_*); run one.
beat: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/1) first" >&2; exit 1; }
	@mkdir -p $${LUPI_VAR_DIR:-var}
	$(VENV)/bin/celery -A backend beat -l info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The suite runs twice: on SQLite with the in-process cache, then on PostgreSQL and Redis.
# The second leg is skipped (with a message) when neither server answers, unless
# LUPI_REQUIRE_SERVICES=1 (as in CI), where a missing server is a failure.
# chromium is checked first, so a missing browser fails at once rather than after the long stages.
test: check-chromium lint test-sqlite test-services test-frontend test-e2e

# The browser the Playwright tests drive: $$CHROMIUM_PATH, else Debian's /usr/bin/chromium
# (as frontend/playwright.config.ts picks it).
check-chromium:
	@chromium="$${CHROMIUM_PATH:-/usr/bin/chromium}"; \
	if [ ! -x "$$chromium" ]; then \
		echo "The browser tests need chromium, and $$chromium is not an executable file." >&2; \
		echo "Install it with: sudo apt-get install chromium" >&2; \
		echo "(or point CHROMIUM_PATH at a chromium binary, e.g. CHROMIUM_PATH=/path/to/chromium make test)" >&2; \
		exit 1; \
	fi

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
test-e2e: check-chromium install frontend
	cd frontend && PYTHON=$(abspath $(PY)) npm run e2e

schema: install frontend/node_modules/.installed
	$(PY) manage.py export_schema schema --path schema/schema.graphql
	cd frontend && npm run codegen

bench-gnn: install
	$(PY) -m gnn.bench --data $(DATA) --minutes $(or $(MINUTES),10)
