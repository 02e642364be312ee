# Dangjian: `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
PYTEST_ARGS ?=

.PHONY: demo serve install install-dev lint typecheck test test-suite test-e2e messages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.runtime node_modules/.installed

install-dev: $(VENV)/.dev node_modules/.installed

## demo: install, migrate the SQLite database, load the demo county, serve on 127.0.0.1:8000
demo: install
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo --seed $(SEED) --if-empty
	@echo ""
	@echo "Dangjian is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) runserver $(HOST):$(PORT)

## lint: ruff, formatting, mypy on rules and actions, Django checks, migrations, catalogs
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy dangjian/*/rules.py dangjian/*/actions.py dangjian/core/scoping.py dangjian/core/audit.py
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run -v0
	$(PY) -m dangjian.core.catalog_check

## test: lint + the whole suite (unit, scope crawl, API, browser) on DATABASE_URL or SQLite
test: lint test-suite

test-suite: install-dev
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

test-e2e: install-dev
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -q tests/e2e $(PYTEST_ARGS)

## messages: refresh the translation catalog from the code and compile it
messages: install-dev
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "node_modules/*" --ignore "bench/*" --add-location file
	$(MANAGE) compilemessages -l zh_Hans --ignore ".venv/*" --ignore "node_modules/*"

clean:
	rm -rf $(VENV) node_modules staticfiles
