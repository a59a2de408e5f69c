# Jimaku — the two commands a new user needs:
#   make run   set everything up and run the app (server + worker) on http://127.0.0.1:8000/
#   make test  set everything up and run the whole test suite (SQLite, then PostgreSQL)
.PHONY: run test test-sqlite test-postgres setup setup-test lint format bench worker check

run: setup
	./scripts/run.sh

# The whole suite runs twice: on SQLite, then on a throwaway PostgreSQL 15 server started by
# scripts/postgres.sh and stopped again whatever the outcome (about 7-8 minutes each on 2 cores).
# PG_PYTEST_ARGS='-m "not browser"' skips the browser tests in the PostgreSQL run.
PG_PYTEST_ARGS ?=
PG_DIR ?= /tmp/jimaku-postgres-test
define PG_RUN
set -e; export JIMAKU_PG_DIR="$(PG_DIR)"; \
trap './scripts/postgres.sh stop' EXIT; \
url="$$(./scripts/postgres.sh start)"; \
echo "==> the test suite again, on PostgreSQL"; \
DATABASE_URL="$$url" .venv/bin/pytest $(PG_PYTEST_ARGS) $(PYTEST_ARGS)
endef

test: setup-test
	.venv/bin/ruff check .
	.venv/bin/python manage.py makemigrations --check --dry-run
	.venv/bin/pytest $(PYTEST_ARGS)
	@$(PG_RUN)

# One database only.
test-sqlite: setup-test
	.venv/bin/pytest $(PYTEST_ARGS)

test-postgres: setup-test
	@$(PG_RUN)

setup:
	./scripts/bootstrap.sh

setup-test:
	./scripts/bootstrap.sh --test

worker: setup
	.venv/bin/python manage.py db_worker

lint: setup-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup-test
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: setup-test
	.venv/bin/python -m bench.run

check: setup
	.venv/bin/python manage.py check
