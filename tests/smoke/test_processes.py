"""The deployment's three processes, started for real: gunicorn, a Celery worker and beat.

Docker cannot run on our machines, so this is how docker-compose.yml's shape is exercised:
the same commands, natively, in the embedded shape (SQLite + filesystem broker, as
``make run``) and the full shape (PostgreSQL + Redis, as compose) when they are configured.
The proof that all three work together: beat schedules the heartbeat, the worker writes it to
the database, and gunicorn's /healthz reports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.smoke

BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60
STOP_SECONDS = 30


def _no_live_sources(env: dict[str, str]) -> None:
    """The processes run outside the test network guard: no seeded upstream may be fetched
    if the hourly import fires during the test."""
    _manage(
        env, "shell", "-c",
        "from leaderboard.models import Source; Source.objects.update(enabled=False)",
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True
    )


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for the processes; dropped afterwards."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        pytest.skip("the full shape needs DATABASE_URL (PostgreSQL) and REDIS_URL; CI sets both")
    import psycopg

    name = f"arena_smoke_{uuid.uuid4().hex[:8]}"
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_stack(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    """Start the three processes, wait for a heartbeat to reach /healthz, stop them."""
    port = _free_port()
    commands = {
        "web": [str(BIN / "gunicorn"), "arenasite.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        "worker": [str(BIN / "celery"), "-A", "arenasite", "worker", "--loglevel=INFO",
                   "--concurrency=1", "--without-gossip", "--without-mingle"],
        "beat": [str(BIN / "celery"), "-A", "arenasite", "beat", "--loglevel=INFO"],
    }  # fmt: skip
    logs = {name: (tmp_path / f"{name}.log").open("w+") for name in commands}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():  # inside the try: a failed start stops the rest
            processes[name] = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=logs[name], stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_SECONDS
        health: dict[str, object] = {}
        while time.monotonic() < deadline:
            for name, process in processes.items():
                assert process.poll() is None, f"{name} exited:\n{_read(logs[name])}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
            except OSError:
                health = {}
            if "beat" in health.get("heartbeat_age_seconds", {}):  # type: ignore[operator]
                break
            time.sleep(0.5)
        else:
            details = "\n".join(f"--- {n}\n{_read(f)}" for n, f in logs.items())
            pytest.fail(f"no heartbeat reached /healthz in {STARTUP_SECONDS}s\n{details}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            health["home_status"] = response.status
        health["logs"] = {name: _read(log) for name, log in logs.items()}
        return health
    finally:
        _stop(processes.values())
        for log in logs.values():
            log.close()


def _stop(processes: Collection[subprocess.Popen[bytes]]) -> None:
    """Stop the processes the way a supervisor does: SIGTERM to each leader only (a Celery
    worker then shuts its own pool down; signalling the whole group kills the pool children
    under it), one shared grace period, then SIGKILL to each group for whatever is left (a
    leader still running, or a child it left behind), and always reap."""
    for process in processes:
        process.terminate()
    grace_ends = time.monotonic() + STOP_SECONDS
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, grace_ends - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _read(log: IO[str]) -> str:
    log.flush()
    log.seek(0)
    return log.read()


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="arenasite.settings",
        DEBUG="0",
        SECRET_KEY="smoke-test-secret",
        ARENA_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        ARENA_HEARTBEAT_SECONDS="1",
    )
    return env


def _assert_stack_worked(health: dict[str, object]) -> None:
    logs = health["logs"]
    assert isinstance(logs, dict)
    assert "ready." in logs["worker"]
    assert "beat: Starting" in logs["beat"]
    assert "leaderboard.tasks.record_heartbeat" in logs["worker"]
    assert health["database"] == "ok"
    assert health["home_status"] == 200


def test_embedded_stack_runs_without_any_server(tmp_path: Path) -> None:
    env = _base_env(tmp_path)
    _manage(env, "migrate", "--no-input")
    _no_live_sources(env)
    _manage(env, "collectstatic", "--no-input")
    _assert_stack_worked(_run_stack(env, tmp_path))


def test_full_stack_runs_on_postgresql_and_redis(tmp_path: Path, postgres_database: str) -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("the full shape needs REDIS_URL as well; CI sets it")
    env = _base_env(tmp_path) | {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url}
    _manage(env, "migrate", "--no-input")
    _no_live_sources(env)
    _manage(env, "collectstatic", "--no-input")
    health = _run_stack(env, tmp_path)
    _assert_stack_worked(health)
    assert "redis://" in health["logs"]["worker"]  # type: ignore[index]
