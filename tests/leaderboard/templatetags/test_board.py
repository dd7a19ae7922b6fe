"""``board_rows`` renders exactly what the template loop it replaced rendered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from leaderboard import selectors
from leaderboard.filters import board_entries
from leaderboard.models import License, Organization, Snapshot
from leaderboard.templatetags.board import board_rows
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db

# The loop of templates/leaderboard/table.html before it became ``board_rows``, verbatim.
TEMPLATE_LOOP = "{% load i18n board %}" + (
    Path(__file__).with_name("board_rows_before.html").read_text(encoding="utf-8")
)


def hostile_snapshots() -> tuple[Snapshot, Snapshot]:
    """A snapshot of hostile rows, and an earlier one (the baseline of their movement)."""
    board = factories.board()
    earlier = factories.snapshot(board, published_on=dt.date(2025, 11, 1))
    snapshot = factories.snapshot(board)
    org = Organization.objects.create(name="Org <b>\"&'")
    open_license = License.objects.create(name="Apache <2>", kind=License.Kind.OSI)
    closed = License.objects.create(name="Closed <x>", kind=License.Kind.PROPRIETARY)
    models = [
        factories.ai_model(name='<script>alert("x")</script>', key="a/b c?d%e#f",
                           url="https://example.org/?a=1&b=2", organization=org,
                           license=open_license),
        factories.ai_model(name="plain", url="javascript:alert(1)", license=closed),
        factories.ai_model(name="ünïcode 模型", key="模型/ü", url=""),
    ]  # fmt: skip
    factories.entry(snapshot, models[0], rank=1, rank_upper=1, rank_lower=2, score=1500.5,
                    rating_lower=1490.0, rating_upper=1509.0, votes=123456,
                    preliminary=True, price_input=Decimal("0.075"), price_output=Decimal("10"),
                    context_tokens=128_000)  # fmt: skip
    factories.entry(snapshot, models[1], rank=2, rank_upper=1, rank_lower=3, score=1499.49,
                    rating_lower=1490.0, rating_upper=1502.0, votes=None,
                    raw_organization="Raw & Org", price_output=Decimal("4"))  # fmt: skip
    factories.entry(snapshot, models[2], rank=3, rank_upper=2, rank_lower=3, score=1400.0,
                    rating_lower=None, rating_upper=None, raw_organization="<raw>",
                    raw_license="Raw <license>")  # fmt: skip
    factories.entry(earlier, models[0], rank=2, rank_upper=1, rank_lower=2, score=1400.0)
    factories.entry(earlier, models[1], rank=1, rank_upper=1, rank_lower=2, score=1499.49,
                    rating_lower=1490.0, rating_upper=1502.0)  # fmt: skip
    return snapshot, earlier


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("with_baseline", [True, False])
@pytest.mark.parametrize("shown", [(False, False), (True, True), (False, True)])
def test_board_rows_renders_the_bytes_of_the_template_loop(
    language: str, with_baseline: bool, shown: tuple[bool, bool]
) -> None:
    snapshot, earlier = hostile_snapshots()
    baseline = earlier if with_baseline else None
    entries = list(selectors.with_movement(board_entries(snapshot), baseline))
    rows = selectors.board_rows(snapshot, baseline)  # what the table hands the tag
    price_shown, context_shown = shown
    table = {
        "data": entries,
        "baseline": baseline,
        "shows_price": price_shown,
        "shows_context": context_shown,
    }
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"table": table}))
        rendered = "\n<tbody>" + board_rows(rows, baseline, price_shown, context_shown)

    assert rendered == expected.split("\n</tbody>")[0]
    assert "<script>" not in rendered and "javascript:" not in rendered
    assert ("move-up" in rendered) == with_baseline  # the movement cells are compared too
    assert ("col-price" in rendered) == price_shown  # and the optional ones, when shown
    assert ("col-context" in rendered) == context_shown
    assert "†" in rendered  # a curated organisation or license where the row gives none
