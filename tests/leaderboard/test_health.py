from __future__ import annotations

import pytest
from django.test import Client

from leaderboard.models import Heartbeat
from leaderboard.services import heartbeat
from leaderboard.tasks import record_heartbeat

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
