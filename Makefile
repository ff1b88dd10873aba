# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Local runs use DEBUG so secrets are generated into var/ (never in production).
LOCAL := DEBUG=1
PYTEST_ARGS ?=

LOCK := requirements.lock

.PHONY: run test setup install lockcheck lock migrate demo lint check messages bench clean

# The queue's worker runs beside the dev server, as in production (mail goes out through it);
# Ctrl-C stops both, and the worker stops too if the server exits on its own.
run: setup
	$(LOCAL) $(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	trap 'pkill -TERM -P $$worker 2>/dev/null; kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(LOCAL) $(PY) manage.py runserver 127.0.0.1:8000

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

setup: install migrate demo

install: lockcheck $(STAMP)

# The lock must have been made from pyproject.toml's requirements (one line names the fix).
lockcheck:
	@$(PYTHON) -m clinic_site.lockfile check

# Exact versions with hashes: the same packages on every machine and every day. The lock holds
# every package, so pip installs its lines as they are (--no-deps) and resolves nothing against
# the index: a new release of a dependency's dependency can never be chosen instead. pip check
# then proves the installed set is complete and consistent.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(PY) -m pip check
	touch $(STAMP)

# Refreshes the lock from pyproject.toml; versions already locked stay unless a requirement
# forces a change (`make lock UPGRADE=1` takes the newest allowed releases).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
	  --output-file $(LOCK) pyproject.toml
	$(PYTHON) -m clinic_site.lockfile stamp

migrate: install
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) $(PY) manage.py migrate --noinput --database retention
	$(LOCAL) $(PY) manage.py createcachetable

demo: migrate
	$(LOCAL) $(PY) manage.py load_demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(LOCAL) $(VENV)/bin/mypy
	$(LOCAL) $(PY) manage.py check --fail-level WARNING
	$(LOCAL) $(PY) manage.py makemigrations --check --dry-run

messages: install
	cd members && $(LOCAL) ../$(PY) ../manage.py makemessages -l ko -l en
	cd consultations && $(LOCAL) ../$(PY) ../manage.py makemessages -l ko -l en
	cd privacy && $(LOCAL) ../$(PY) ../manage.py makemessages -l ko -l en
	cd clinic && $(LOCAL) ../$(PY) ../manage.py makemessages -l ko -l en
	$(LOCAL) $(PY) manage.py makemessages -l ko -l en -i 'members/*' -i 'consultations/*' -i 'privacy/*' -i 'clinic/*' -i '.venv/*' -i 'var/*' -i 'tests/*' -i 'bench/*'
	$(LOCAL) $(PY) -m clinic_site.i18n_tools
	$(LOCAL) $(PY) manage.py compilemessages --ignore '.venv'

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var
