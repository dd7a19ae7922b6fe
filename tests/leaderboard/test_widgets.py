"""The filter form's widgets rendered in Python give the bytes Django's templates give."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from leaderboard.filters import BoardFilter
from leaderboard.widgets import FILTER_FORM_RENDERER, CheckboxList, FilterFormRenderer
from tests.leaderboard import factories

TEMPLATES = DjangoTemplates()
QUERIES = [
    "",
    "q=gpt&preliminary=hide&min_votes=1000&rank_min=2&rank_max=30&open=on&best_variant=on",
    "max_price=2.5&min_context=128000&new_since=2025-11-01&compare_to=2025-10-01",
    # Values the form refuses are still echoed back into their inputs, escaped.
    "q=<b>\"x\"&amp;'y'&min_votes=-1&rank_max=abc&preliminary=nope&new_since=2025-13-40",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("query", QUERIES)
def test_every_input_and_select_of_the_filter_form_renders_as_djangos_templates(
    language: str, query: str
) -> None:
    board = factories.board()
    snapshot = factories.snapshot(board)
    filterset = BoardFilter(
        QueryDict(query) if query else None,
        queryset=snapshot.entries.all(),
        board=board,
        snapshot=snapshot,
        optional_columns=frozenset({"price", "context"}),
    )
    form = filterset.form
    assert form.renderer is FILTER_FORM_RENDERER
    # The checkbox lists render themselves (compared below), whatever the renderer.
    fields = [name for name, f in form.fields.items() if not isinstance(f.widget, CheckboxList)]
    assert {"q", "preliminary", "min_votes", "max_price", "min_context", "new_since"} <= set(fields)
    with translation.override(language), engine_untouched():
        ours = {name: str(form[name]) for name in fields}
    form.renderer = TEMPLATES
    with translation.override(language):
        assert ours == {name: str(form[name]) for name in fields}


def engine_untouched() -> Any:
    """Fails when the Python renderer hands one of its own templates to the engine: the same
    bytes, but the cost this module exists to remove."""
    refused = AssertionError("a widget template went to the template engine")
    return mock.patch.object(FilterFormRenderer, "get_template", side_effect=refused)


MIDNIGHT_UTC = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "widget",
    [
        forms.Select(
            choices=[
                ("", "All"),
                ("a&b", "A <b>"),
                (1, 1000),
                (2, 12.5),
                ("d", MIDNIGHT_UTC),
                ("s", mark_safe("<i>safe</i>")),
                ("g", [("x", "in")]),
            ]
        ),
        forms.NumberInput(attrs={"step": "0.01", "min": 0, "required": True, "hidden": False}),
        forms.CheckboxInput(),
        forms.DateInput(attrs={"type": "date", "data-x": 'a"b', "data-s": mark_safe("<&>")}),
        forms.TextInput(),
    ],
)
@pytest.mark.parametrize("value", [None, "", "a&b", 1, "x", mark_safe("<b>"), "d"])
@override_settings(USE_THOUSAND_SEPARATOR=True)  # numbers in labels are localised, as {{ }} does
def test_each_widget_shape_renders_as_djangos_templates(widget: forms.Widget, value: Any) -> None:
    attrs = {"id": "id_f", "class": "c d"}
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        expected = widget.render("f", value, attrs, renderer=TEMPLATES)
        with engine_untouched():
            assert widget.render("f", value, attrs, renderer=FILTER_FORM_RENDERER) == expected


def test_a_template_it_does_not_know_goes_to_the_engine() -> None:
    widget = forms.Textarea()
    expected = widget.render("t", "a <b>", renderer=TEMPLATES)
    assert widget.render("t", "a <b>", renderer=FILTER_FORM_RENDERER) == expected
    radio = forms.RadioSelect(choices=[("a", "A")])
    assert radio.render("r", "a", renderer=FILTER_FORM_RENDERER) == radio.render(
        "r", "a", renderer=TEMPLATES
    )


@pytest.mark.parametrize("attrs", [{"id": "id_organization"}, {}, {"id": "id_o", "class": "c"}])
def test_the_checkbox_list_renders_the_bytes_of_djangos_templates(attrs: dict[str, str]) -> None:
    choices = [("a&b", "A <b>"), (1, "one"), ('x"y', "q'uote"), ("g", [("g1", "in a group")])]
    for value in (["a&b", "g1"], [], None):
        expected = forms.CheckboxSelectMultiple(choices=choices).render("org", value, attrs)
        assert CheckboxList(choices=choices).render("org", value, attrs) == expected
