"""The board filter form's widgets rendered in Python, to the bytes of Django's templates.

Through the template engine each widget is a template with two or three includes: the
checkbox lists (every organisation and license, ~400 options) cost ~10 ms of a board render,
the form's dozen other inputs and selects ~2 ms more. ``test_widgets`` compares every shape
the form uses with what Django's own templates render, in both languages.

The templates' rules, kept here: a value is shown as ``{{ }}`` shows it (in the current time
zone, localised, then escaped unless already safe); ``attrs.html`` writes ``True`` as a bare
name and leaves ``False`` out; every template file ends with a newline, which its include
keeps, and the renderer strips the outermost template's.
"""

from __future__ import annotations

from html import escape  # Django's adds a lazy-string check per call, ~40 % of it here
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("text", "number", "date", "checkbox")
)
"""Widget templates that are ``{% include "django/forms/widgets/input.html" %}`` alone."""
_SELECT = "django/forms/widgets/select.html"
_SELECT_OPTION = "django/forms/widgets/select_option.html"


def _shown(value: object) -> str:
    """``{{ value }}`` as ``render_value_in_context`` writes it: in the current time zone,
    localised, then a string escaped unless it is safe. (``stringformat:'s'`` gives a string
    first, safe if its input was: ``_shown(str(value))``.)"""
    text = localize(template_localtime(value))
    text = text if isinstance(text, str) else str(text)
    return text if isinstance(text, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {_shown(name)}" + ("" if value is True else f'="{_shown(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/input.html``, its newline included."""
    value = widget["value"]
    shown = f' value="{_shown(str(value))}"' if value is not None else ""
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n"
    )


def _select(widget: dict[str, Any]) -> str | None:
    """``django/forms/widgets/select.html``; None for an option of another template."""
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{_shown(group)}">')
        for option in options:
            if option["template_name"] != _SELECT_OPTION:
                return None
            out.append(
                f'\n  <option value="{_shown(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")  # the file's newline: stripped by the caller, as Django does
    return "".join(out)


class FilterFormRenderer(DjangoTemplates):
    """Django's default renderer, with the inputs and selects the board filter uses rendered
    by the functions above; any other template goes to the engine as before."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html = None
        if template_name in _INPUTS:
            html = _input(context["widget"])
        elif template_name == _SELECT:
            html = _select(context["widget"])
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()  # as ``BaseRenderer.render`` strips what the template gave


FILTER_FORM_RENDERER = FilterFormRenderer()
"""One for the process: a renderer builds its template engine once, on first use."""


class CheckboxList(forms.CheckboxSelectMultiple):
    """``CheckboxSelectMultiple``: its outer template and every option rendered in Python."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        ident = widget["attrs"].get("id")
        css = widget["attrs"].get("class")
        out = ["<div"]
        if ident:
            out.append(f' id="{_shown(ident)}"')
        if css:
            out.append(f' class="{_shown(css)}"')
        out.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                out.append(f"\n  <div><label>{_shown(group)}</label>")
            for option in options:
                out.append("<div>\n    " + _checkbox(option) + "</div>")
            if group:
                out.append("\n  </div>")
        out.append("\n</div>")
        return mark_safe("".join(out))  # every value is escaped


def _checkbox(option: dict[str, Any]) -> str:
    """``checkbox_option.html``: ``input_option.html``'s label around ``input.html``."""
    html = _input(option)
    if option["wrap_label"]:
        ident = option["attrs"].get("id")
        label_for = f' for="{_shown(ident)}"' if ident else ""
        html = f"<label{label_for}>{html} {_shown(option['label'])}</label>"
    return html + "\n\n"
