"""Task entry points: enqueueing from a web request survives a broker that is down."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from arenasite.celery import app
from leaderboard import tasks
from leaderboard.models import ImportRun, Source
from tests.fake_servers import SilentServer, closed_port

pytestmark = [pytest.mark.django_db, pytest.mark.faults]


@contextlib.contextmanager
def broker_at(url: str, timeout: float) -> Iterator[None]:
    """Point the Celery app's producer at ``url``; connection pools rebuilt before and after."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {
        "socket_connect_timeout": timeout, "socket_timeout": timeout,
    }  # fmt: skip
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.parametrize("broken", ["refusing", "hanging"])
def test_enqueueing_with_the_broker_down_logs_and_goes_on(
    broken: str, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source = Source.objects.create(
        slug="probe", format="hf-dataset", url="https://huggingface.co/x"
    )
    with contextlib.ExitStack() as stack:
        port = closed_port()
        if broken == "hanging":
            port = stack.enter_context(SilentServer()).port
        stack.enter_context(broker_at(f"redis://127.0.0.1:{port}/0", timeout=0.3))
        started = time.perf_counter()
        with (
            caplog.at_level(logging.ERROR, logger="leaderboard.tasks"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            tasks.enqueue_import(source, trigger=ImportRun.Trigger.ADMIN)
        elapsed = time.perf_counter() - started

    assert any("could not queue the import of probe" in r.getMessage() for r in caplog.records)
    assert elapsed < 5.0
    print(f"\nenqueue with the broker {broken}: logged, went on after {elapsed * 1000:.0f} ms")


def test_pages_never_touch_the_broker(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    with broker_at(settings.CELERY_BROKER_URL, timeout=0.3):
        statuses = [client.get(path).status_code for path in ("/", "/about/", "/status/")]

    assert statuses == [200, 200, 200]
