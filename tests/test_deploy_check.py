"""Production settings pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_environment(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SECURE_", "STATIC_", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC")
        )
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 60 + "-production-like-secret-key-with-enough-entropy",
        ALLOWED_HOSTS="cities.example.org",
        SITE_URL="https://cities.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_in_production() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_site_url_in_production() -> None:
    """Links in invitations would otherwise point at http://127.0.0.1:8000."""
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG"}}
    env.update(DEBUG="false", SECRET_KEY="x" * 60)
    result = _check(env)
    assert result.returncode != 0
    assert "SITE_URL must be set when DEBUG is off" in result.stderr
    result = _check({**env, "SITE_URL": "cities.example.org"})
    assert result.returncode != 0
    assert "does not start with http:// or https://" in result.stderr


def test_in_debug_the_site_url_defaults_to_the_development_server() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("http://127.0.0.1:8000")


def test_make_run_links_to_the_port_it_serves_on() -> None:
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],  # noqa: S607 (make from PATH, as a developer runs it)
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    recipe = result.stdout
    # The web server and the background worker (e-mails, reminders) share the same settings.
    assert "export DEBUG=${DEBUG:-true} SITE_URL=${SITE_URL:-http://127.0.0.1:8123};" in recipe
    assert ".venv/bin/python manage.py db_worker" in recipe
    assert ".venv/bin/python manage.py runserver 127.0.0.1:8123" in recipe
