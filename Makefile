# Jimaku — the two commands a new user needs:
#   make run   set everything up and run the app (server + worker) on http://127.0.0.1:8000/
#   make test  set everything up and run the whole test suite
.PHONY: run test setup setup-test lint format bench worker check

run: setup
	./scripts/run.sh

test: setup-test
	.venv/bin/ruff check .
	.venv/bin/python manage.py makemigrations --check --dry-run
	.venv/bin/pytest $(PYTEST_ARGS)

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
