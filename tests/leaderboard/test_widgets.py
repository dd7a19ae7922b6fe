"""The filter form's widgets rendered in Python give the bytes Django's templates give."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils import translation

from leaderboard.filters import BoardFilter
from leaderboard.widgets import FILTER_FORM_RENDERER, CheckboxList
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
    fields = [name for name in form.fields if name not in ("organization", "license")]
    assert {"q", "preliminary", "min_votes", "max_price", "min_context", "new_since"} <= set(fields)
    with translation.override(language):
        for name in fields:
            field = form[name]
            ours = str(field)
            form.renderer = TEMPLATES
            assert ours == str(field), name
            form.renderer = FILTER_FORM_RENDERER


@pytest.mark.parametrize(
    "widget",
    [
        forms.Select(choices=[("", "All"), ("a&b", "A <b>"), (1, 1000), ("g", [("x", "in")])]),
        forms.NumberInput(attrs={"step": "0.01", "min": 0, "required": True, "hidden": False}),
        forms.CheckboxInput(),
        forms.DateInput(attrs={"type": "date", "data-x": 'a"b'}),
        forms.TextInput(),
    ],
)
@pytest.mark.parametrize("value", [None, "", "a&b", 1, "x"])
def test_each_widget_shape_renders_as_djangos_templates(widget: forms.Widget, value: Any) -> None:
    attrs = {"id": "id_f", "class": "c d"}
    with translation.override("zh-hans"):  # grouped thousands in a label: localised as {{ }}
        expected = widget.render("f", value, attrs, renderer=TEMPLATES)
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
