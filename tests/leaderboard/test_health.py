from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arenasite import cache as fail_open
from leaderboard.models import Heartbeat
from leaderboard.services import heartbeat
from leaderboard.tasks import record_heartbeat
from tests.arenasite.test_cache import redis_cache_at
from tests.fake_servers import SilentServer, closed_port
from tests.paths import REPO

pytestmark = pytest.mark.django_db


def test_home_says_there_is_no_data_yet_on_an_empty_database(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"no leaderboard data yet" in response.content


def test_healthz_reports_the_database_and_heartbeat_age(client: Client) -> None:
    heartbeat.record_heartbeat(name="beat")
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert 0 <= body["heartbeat_age_seconds"]["beat"] < 5


def test_heartbeat_task_is_idempotent() -> None:
    record_heartbeat.apply(kwargs={"name": "beat"})
    record_heartbeat.apply(kwargs={"name": "beat"})
    assert Heartbeat.objects.filter(name="beat").count() == 1


def test_pages_carry_a_content_security_policy_without_inline_script(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_readyz_is_ready_when_database_cache_and_broker_answer(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: body[name]["status"] for name in ("database", "cache", "broker")} == {
        "database": "ok", "cache": "ok", "broker": "ok",
    }  # fmt: skip
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.faults
@pytest.mark.parametrize("broken", ["refusing", "hanging"])
def test_readyz_names_a_cache_that_is_down(
    client: Client, broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fail_open, "_breakers", {})
    with contextlib.ExitStack() as stack:
        port = closed_port()
        if broken == "hanging":
            port = stack.enter_context(SilentServer()).port
        stack.enter_context(redis_cache_at(port))
        started = time.perf_counter()
        response = client.get("/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["cache"]["status"]) == ("unavailable", "unavailable")
    assert body["cache"]["errors_since_start"] == 1
    assert body["database"]["status"] == body["broker"]["status"] == "ok"
    assert elapsed < 10.0  # bounded by the timeouts (0.5 s socket, 1 s readiness), not minutes
    print(f"\nreadyz with Redis {broken}: 503 in {elapsed * 1000:.0f} ms")


@pytest.mark.faults
@pytest.mark.parametrize("broken", ["refusing", "hanging"])
def test_readyz_names_a_broker_that_is_down(client: Client, settings: Any, broken: str) -> None:
    settings.ARENA_READINESS_TIMEOUT = 0.3
    with contextlib.ExitStack() as stack:
        port = closed_port()
        if broken == "hanging":
            port = stack.enter_context(SilentServer()).port
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
        started = time.perf_counter()
        response = client.get("/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["status"] == "unavailable"
    assert body["broker"]["error"]
    assert body["database"]["status"] == body["cache"]["status"] == "ok"
    assert elapsed < 10.0  # bounded by the timeouts, not minutes
    print(f"\nreadyz with the broker {broken}: 503 in {elapsed * 1000:.0f} ms")


HEALTHZ_PROBE = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response["Content-Type"])
print(response.content.decode())
"""


def _healthz_without_a_database(tmp_path: Path, database_url: str) -> tuple[str, dict]:
    env = {
        "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "arenasite.settings",
        "ARENA_VAR_DIR": str(tmp_path), "SECRET_KEY": "probe", "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver", "DATABASE_URL": database_url,
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", HEALTHZ_PROBE], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    head, body = result.stdout.split("\n", 1)
    return head, json.loads(body)


@pytest.mark.faults
@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////proc/no-such-folder/db.sqlite3",  # a file that cannot be opened
        "postgres://arena@127.0.0.1:{closed}/arena?connect_timeout=2",  # a server that refuses
    ],
    ids=["sqlite-unopenable", "postgres-refusing"],
)
def test_healthz_without_its_database_is_a_json_503(tmp_path: Path, database_url: str) -> None:
    head, body = _healthz_without_a_database(tmp_path, database_url.format(closed=closed_port()))

    assert head == "503 application/json"
    assert body["database"] == "unavailable"
    assert body["error"] == "OperationalError"  # the class only: no host or user leaks
    print(f"\nhealthz without its database: {head}, {body['error'][:60]}")
