# MSQ Portal. `make run` sets everything up on a fresh machine and serves the portal;
# `make test` runs the whole suite. Both need only Python 3.11+.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install setup example-edition test test-fast lint format worker beat serve-prod clean

run: setup ## Install, migrate, load data, create demo accounts, serve on http://127.0.0.1:8000/
	$(BIN)/python manage.py runserver 127.0.0.1:8000

$(STAMP): requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP) ## Also compiles the interface catalogues (locale/*.po → .mo, no gettext needed)
	$(BIN)/python manage.py compile_translations

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_countries
	$(BIN)/python manage.py load_edition msq-2020 --open
	$(BIN)/python manage.py create_demo_accounts

example-edition: setup ## Also load msq-2022-example: an example for demos (not the real MSQ 2022) that continues msq-2020, as planned (officials stay on the open edition until a reviewer opens it in the admin)
	$(BIN)/python manage.py load_edition msq-2022-example

test: install ## The whole suite, on whatever DATABASE_URL / CELERY_BROKER_URL say (SQLite + eager by default)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## The edit-test loop: the suite without the browser and without real PDF rendering
	$(BIN)/python -m pytest -m "not browser and not pdf" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install ## A Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A msq_portal worker --loglevel=INFO -Q msq

beat: install ## The periodic scheduler (needs CELERY_BROKER_URL)
	$(BIN)/celery -A msq_portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles test-output .pytest_cache
