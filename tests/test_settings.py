"""The one settings module, read in a fresh interpreter with a controlled environment."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
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

    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in found["sqlite_options"]["init_command"]
    assert found["sqlite_options"]["transaction_mode"] == "IMMEDIATE"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["broker"] == "filesystem://"
    assert (tmp_path / "celery-broker" / "queue").is_dir()
    assert found["languages"] == ["en", "zh-hans"]
    assert (found["time_zone"], found["use_tz"]) == ("UTC", True)
    assert (found["serializer"], found["prefetch"], found["ignore_result"]) == ("json", 1, True)
    assert found["beat"] == [
        "every-minute-sweep-import-runs",
        "frequent-heartbeat",
        "hourly-import-sources",
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
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
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
