# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v python3)
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test lint typecheck migrate demo venv clean browser-deps

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

venv: $(VENV)/.synced

var:
	mkdir -p var

migrate: venv var
	DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(MANAGE) migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(MANAGE) load_demo

run: demo
	@echo
	@echo "Integrating Cities is starting on http://127.0.0.1:$(PORT)"
	@echo "Demo logins (password: integrating-demo):"
	@echo "  secretariat        secretariat@example.org"
	@echo "  city editor        editor.ghent@example.org"
	@echo "  city viewer        viewer.ghent@example.org"
	@echo "  reviewer           reviewer@example.org"
	@echo "  editor, other city editor.riga@example.org"
	@echo "E-mails (invitations, notifications, password resets) are printed in this terminal;"
	@echo "a background worker (manage.py db_worker) sends them and the scheduled reminders."
	@echo
	export DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(MANAGE) db_worker --interval 2 --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy integratingcities config
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations=25

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	DEBUG=true $(VENV)/bin/mypy integratingcities config

clean:
	rm -rf $(VENV) var staticfiles
