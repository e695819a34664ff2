# The two commands of the README: `make run` and `make test`. Everything else helps them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# HOST=0.0.0.0 make run: listen on the local network, to try the phone pages on a real phone.
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: run test bench lint format messages compilemessages migrate seed check clean db-roles backup restore audit mutate

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Compiled catalogues are committed; recompile when gettext is installed (a fresh laptop may lack it).
compilemessages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

# Migrations run as the database's owner role when DATABASE_OWNER_URL is set; web, worker, beat
# and seed_demo connect as DATABASE_URL, the app role, which may not change the schema (README).
migrate: $(VENV)/.installed
	DATABASE_URL="$${DATABASE_OWNER_URL:-$${DATABASE_URL:-}}" $(PY) manage.py migrate --no-input

# PostgreSQL: create or repair the owner and app roles of DATABASE_OWNER_URL and DATABASE_URL,
# connected as the superuser of DATABASE_ADMIN_URL (crm/dbroles.py). Idempotent.
db-roles: $(VENV)/.installed
	$(PY) manage.py db_roles

# PostgreSQL backup (pg_dump custom format) into var/backups/<database>-<timestamp>.dump, and its
# restore into the configured database: `make restore FILE=var/backups/….dump` (FORCE=1 to replace
# a database that is not empty). Both use DATABASE_OWNER_URL, else DATABASE_URL (crm/backups.py).
backup: $(VENV)/.installed
	$(PY) manage.py db_backup

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<name>.dump [FORCE=1]"; exit 2; }
	$(PY) manage.py db_restore "$(FILE)" $(if $(filter 1 yes true,$(FORCE)),--force)

seed: migrate
	$(PY) manage.py seed_demo

# E-mails go to files under var/mail/ unless EMAIL_URL says otherwise (the console would flood
# the terminal with the demo's notifications). On the network, any host name is accepted.
# Ctrl-C (exit 130) is the normal way to stop, not an error.
run: compilemessages seed
	@echo ""
	@echo "  CRM is starting at http://$(if $(filter 0.0.0.0,$(HOST)),<this machine's address>,$(HOST)):$(PORT)/  (log in as manager / demo12345; Ctrl-C stops)"
	@echo "  E-mails are written to $(CURDIR)/var/mail/ (set EMAIL_URL to send them)."
	@echo ""
	@mkdir -p var/mail
	EMAIL_URL="$${EMAIL_URL:-file://$(CURDIR)/var/mail}" \
	$(if $(filter 0.0.0.0,$(HOST)),DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-*}") \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -p $(PORT) || [ $$? -eq 130 ]

test: $(VENV)/.installed compilemessages
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} --dist loadgroup $(PYTEST_ARGS)

# Benchmarks run with production settings on the configured database (DATABASE_URL); see bench/.
bench: $(VENV)/.installed
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-xxxxxxxxxx \
	  $(PY) manage.py collectstatic --no-input -v 0
	$(PY) -m bench $(BENCH_ARGS)

# Known vulnerabilities in the installed packages (.ci/audit.py). A vulnerability fails; a service
# that cannot be reached fails under CRM_REQUIRE_SERVICES=1 unless CRM_AUDIT_UNREACHABLE=warn.
# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml): slow, not part of `make
# test`. Prints the score and every surviving mutant (`.venv/bin/mutmut show <name>` shows one).
mutate: $(VENV)/.installed
	rm -rf mutants
	$(PY) -m mutmut run --max-children 1 || true
	$(PY) .ci/mutation_score.py

audit: $(VENV)/.installed
	$(PY) .ci/audit.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --no-location
	$(PY) manage.py compilemessages --ignore=.venv

check: lint test

clean:
	rm -rf $(VENV) var/celery var/static
