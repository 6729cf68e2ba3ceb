# Two commands on a fresh Debian machine (root, package registries reachable):
#   make run    - set up, migrate, load the demo once, serve on http://127.0.0.1:5000
#   make test   - set up and run the whole suite (SQLite + PostgreSQL, browser tests included)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
# Debian packages: CJK TrueType fonts (PDF), pdffonts, PostgreSQL and Chromium (tests), LibreOffice (DOCX/XLSX layout tests).
RUN_DEBS := fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei
# nginx, redis-server and openssl: `make prod-smoke` (two app servers behind nginx with TLS, shared Redis).
TEST_DEBS := $(RUN_DEBS) poppler-utils postgresql chromium libreoffice-writer-nogui libreoffice-calc-nogui \
	nginx redis-server openssl

.PHONY: run test venv debs-run debs-test migrate demo serve clean bench bench-scale migration prod-smoke user-guide

run: venv debs-run migrate demo serve

test: venv debs-test
	.ci/test-all

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Installs only what is missing, so repeated runs need no network.
debs-run:
	@missing=$$(for p in $(RUN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

debs-test:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

migrate: venv
	$(FLASK) db upgrade

demo: venv
	$(FLASK) demo load --if-empty

# Two gunicorn workers, as on a real server (SQLite in WAL mode handles several writers).
serve:
	SESSION_COOKIE_SECURE=0 $(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

# Migrations are append-only (215b39df4673 is the frozen baseline sites run): after a model change,
# `make migration m="what changed"` autogenerates a NEW revision on top of head from a scratch database
# upgraded to head. Read it, add data migrations and SQLite batch mode where needed, then commit it.
migration: venv
	@test -n "$(m)" || { echo 'usage: make migration m="what changed"'; exit 2; }
	tmp=$$(mktemp -d); DATABASE_URL=sqlite:///$$tmp/schema.db $(FLASK) db upgrade && \
	DATABASE_URL=sqlite:///$$tmp/schema.db $(FLASK) db migrate -m "$(m)"; rc=$$?; rm -rf $$tmp; exit $$rc

# The documented deployment on this machine: PostgreSQL, Redis, two gunicorn behind nginx with TLS.
prod-smoke: venv debs-test
	.ci/prod-smoke

# Screenshots of each role's day for docs/user-guide.md (Debian chromium, demo data, a throwaway database).
user-guide: venv debs-test
	$(PY) docs/user_guide.py

bench: venv
	$(PY) -m benchmarks.run

# Lists and dashboards at 100k and 1M orders, SQLite and PostgreSQL (throwaway cluster); appends to
# benchmarks/RESULTS.md. Long (data sets are kept in /tmp/bench-scale and reused); runs at low priority.
bench-scale: venv debs-test
	nice $(PY) -m benchmarks.scale_bench

clean:
	rm -rf $(VENV) instance
