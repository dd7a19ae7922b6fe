"""Discovering the HF dataset's configs through a real HTTP server on loopback."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leaderboard.models import Source
from leaderboard.services import fetching
from tests import fake_upstream
from tests.fake_upstream import FakeUpstream, Reply

upstream = fake_upstream.upstream
fast_fetch = fake_upstream.fast_fetch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_fetch")]

SPLITS = {
    "splits": [
        {"dataset": "lmarena-ai/leaderboard-dataset", "config": "text", "split": "latest"},
        {"dataset": "lmarena-ai/leaderboard-dataset", "config": "text", "split": "full"},
        {"dataset": "lmarena-ai/leaderboard-dataset", "config": "video_edit", "split": "latest"},
        {"dataset": "lmarena-ai/leaderboard-dataset", "config": "code_style_control",
         "split": "latest"},
    ],
    "pending": [],
    "failed": [],
}  # fmt: skip


def test_new_configs_become_disabled_sources_and_known_ones_stay_as_configured(
    upstream: FakeUpstream,
) -> None:
    upstream.route("/splits", Reply(200, {"Content-Type": "application/json"},
                                    json.dumps(SPLITS).encode()))  # fmt: skip
    Source.objects.filter(slug="hf-text").update(enabled=False, url="https://mirror.example")

    created = fetching.discover_hf_sources(server=upstream.base_url)

    assert sorted(source.slug for source in created) == ["hf-code-style-control", "hf-video-edit"]
    video = Source.objects.get(slug="hf-video-edit")
    assert not video.enabled
    assert video.options | {} == {
        "dataset": "lmarena-ai/leaderboard-dataset", "config": "video_edit", "split": "latest",
        "arena": "video-edit", "category": "overall", "style_control": True,
    }  # fmt: skip
    assert Source.objects.get(slug="hf-code-style-control").options["style_control"] is True
    assert Source.objects.get(slug="hf-text").url == "https://mirror.example"
    assert upstream.seen("/splits")[0].query == {"dataset": ["lmarena-ai/leaderboard-dataset"]}


def test_an_unreadable_splits_answer_is_a_clear_command_error(upstream: FakeUpstream) -> None:
    upstream.route("/splits", Reply(200, {"Content-Type": "text/html"}, b"<html>oops</html>"))

    with pytest.raises(CommandError, match="could not read the dataset's splits"):
        call_command("sync_sources", "--server", upstream.base_url, stdout=io.StringIO())


def test_the_command_lists_what_it_added(upstream: FakeUpstream) -> None:
    upstream.route("/splits", Reply(200, {"Content-Type": "application/json"},
                                    json.dumps(SPLITS).encode()))  # fmt: skip
    out = io.StringIO()

    call_command("sync_sources", "--server", upstream.base_url, stdout=out)

    assert "added hf-video-edit (disabled: enable it in the admin)" in out.getvalue()
    assert out.getvalue().endswith("2 new source(s)\n")
