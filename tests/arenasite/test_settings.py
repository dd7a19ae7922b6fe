"""The one settings module, read in a fresh interpreter with a controlled environment."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "sqlite_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "visibility": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout"),
    "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
    "serializer": settings.CELERY_TASK_SERIALIZER,
    "ignore_result": settings.CELERY_TASK_IGNORE_RESULT,
    "languages": [code for code, _ in settings.LANGUAGES],
    "time_zone": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
    "hosts": settings.ARENA_ALLOWED_UPSTREAM_HOSTS,
    "beat": sorted(settings.CELERY_BEAT_SCHEDULE),
}))
"""


def read_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "ARENA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
            "arenasite.settings"}  # fmt: skip
    code = "import django; django.setup()\n" + PROBE
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=base | env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_no_environment_is_the_embedded_default(tmp_path: Path) -> None:
    result = read_settings(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)

    assert found["engine"] == "arenasite.sqlite3"  # Django's, creating its folder
    assert found["db_name"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in found["sqlite_options"]["init_command"]
    assert found["sqlite_options"]["transaction_mode"] == "IMMEDIATE"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["broker"] == "filesystem://"
    assert found["languages"] == ["en", "zh-hans"]
    assert (found["time_zone"], found["use_tz"]) == ("UTC", True)
    assert (found["serializer"], found["prefetch"], found["ignore_result"]) == ("json", 1, True)
    assert found["beat"] == [
        "daily-enrich-models",
        "every-minute-sweep-import-runs",
        "frequent-heartbeat",
        "hourly-freshness-alerts",
        "hourly-import-sources",
        "hourly-refresh-history-blocks",
    ]


def test_database_and_redis_urls_switch_to_the_grown_up_services(tmp_path: Path) -> None:
    result = read_settings(
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://arena@db.example:5432/arena",
        REDIS_URL="redis://cache.example:6379/0",
        ARENA_ALLOWED_UPSTREAM_HOSTS="127.0.0.1,mirror.example",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)

    assert found["engine"] == "django.db.backends.postgresql"
    assert found["cache"] == "arenasite.cache.FailOpenRedisCache"
    assert found["broker"] == "redis://cache.example:6379/0"
    assert found["time_limit"] < found["visibility"]
    assert found["hosts"][-2:] == ["127.0.0.1", "mirror.example"]


def test_debug_off_without_a_secret_key_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = read_settings(tmp_path, DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_time_limit_above_the_visibility_timeout_is_refused(tmp_path: Path) -> None:
    result = read_settings(
        tmp_path, DEBUG="1", REDIS_URL="redis://cache.example:6379/0",
        CELERY_TASK_TIME_LIMIT="7200",
    )  # fmt: skip

    assert result.returncode != 0
    assert "CELERY_TASK_TIME_LIMIT must stay below the visibility timeout" in result.stderr


def test_a_malformed_import_schedule_is_refused(tmp_path: Path) -> None:
    result = read_settings(tmp_path, DEBUG="1", ARENA_IMPORT_CRON="every hour")

    assert result.returncode != 0
    assert "five-field cron expression" in result.stderr


def test_every_variable_the_settings_read_is_documented() -> None:
    read = set(re.findall(r'Env\(\)\.\w+\(\s*"(\w+)"|env(?:\.\w+)?\(\s*"(\w+)"',
                          (REPO / "arenasite" / "settings.py").read_text()))  # fmt: skip
    names = {name for pair in read for name in pair if name}
    example = (REPO / ".env.example").read_text()
    readme = (REPO / "README.md").read_text()

    assert len(names) > 25  # the pattern still finds them
    assert sorted(n for n in names if f"{n}=" not in example) == []
    assert sorted(n for n in names if f"`{n}`" not in readme) == []


def test_the_example_environment_is_a_valid_configuration(tmp_path: Path) -> None:
    assignments = re.findall(r"^([A-Z_]+)=(.*)$", (REPO / ".env.example").read_text(), re.M)
    # Local paths stay under tmp_path: the example's ./var would write into the checkout.
    example = {
        name: value.strip().strip('"') for name, value in assignments
        if name not in {"ARENA_VAR_DIR", "STATIC_ROOT"}
    }  # fmt: skip
    assert "ARENA_IMPORT_CRON" in example

    result = read_settings(tmp_path, **example | {"SECRET_KEY": "example-check", "DEBUG": "0"})

    assert result.returncode == 0, result.stderr


def run_python(code: str, tmp_path: Path, cwd: Path = REPO, **env: str) -> str:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "arenasite.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=base | env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_settings_creates_no_folder(tmp_path: Path) -> None:
    var = tmp_path / "var"
    run_python("import django; django.setup()", tmp_path, ARENA_VAR_DIR=str(var), DEBUG="1")

    assert not var.exists()


def test_the_database_and_the_celery_app_create_the_folders_they_use(tmp_path: Path) -> None:
    var = tmp_path / "var"
    code = (
        "import django; django.setup()\n"
        "from django.db import connection; connection.ensure_connection()\n"
        "from arenasite.celery import app; app.conf.broker_url\n"
    )
    run_python(code, tmp_path, ARENA_VAR_DIR=str(var), DEBUG="1")

    assert (var / "db.sqlite3").is_file()
    assert (var / "celery-broker" / "queue").is_dir()
    assert (var / "celery-broker" / "control").is_dir()


def test_a_dotenv_file_sets_the_var_folder_too(tmp_path: Path) -> None:
    # A copy of the project package beside its own .env (BASE_DIR is the package's parent).
    site = tmp_path / "site"
    shutil.copytree(REPO / "arenasite", site / "arenasite")
    var = tmp_path / "from-dotenv"
    (site / ".env").write_text(f"DEBUG=1\nARENA_VAR_DIR={var}\n")
    code = "import django; django.setup(); from django.conf import settings as s; print(s.VAR_DIR)"

    printed = run_python(code, tmp_path, cwd=site, PYTHONPATH=f"{site}:{REPO}")

    assert printed.strip() == str(var)


DEPLOY_ENV = {
    # The README's HTTPS configuration (behind a TLS-terminating proxy).
    "DEBUG": "0", "SECRET_KEY": "Zq8v3mX1pL0s9Qw2e7R4tY6uI5oP3aS1dF8gH2jK4lZ0xC9vB7nM",
    "ALLOWED_HOSTS": "arena.example.org", "CSRF_TRUSTED_ORIGINS": "https://arena.example.org",
    "BEHIND_TLS_PROXY": "1", "SECURE_SSL_REDIRECT": "1", "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}  # fmt: skip


def test_check_deploy_has_no_warning_under_the_documented_https_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=120,
        env={"PATH": "/usr/bin:/bin", "ARENA_VAR_DIR": str(tmp_path), **DEPLOY_ENV},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    readme = (REPO / "README.md").read_text()
    assert all(f"{name}={value}" in readme for name, value in DEPLOY_ENV.items()
               if name.startswith(("SECURE_", "BEHIND_")))  # fmt: skip
