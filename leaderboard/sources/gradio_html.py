"""The Gradio-era lmarena.ai page (until spring 2025): ``window.gradio_config = {…};``.

The config holds ``components`` (``{"id", "type", "props"}``) and ``layout``, a tree of
``{"id", "children"}`` that places them. A leaderboard is a ``dataframe`` component whose
``props.value`` is ``{"headers": […], "data": [[…], …]}``; ``props.headers`` can be stale
(``["1", "2", "3"]``), so the value's headers are the truth. Cells are typed by the frame:
numbers stay numbers, the model cell is an ``<a href>`` anchor or a markdown ``[name](url)``.

A board's identity comes from where its frame sits, never from its position in the list:

- arena: the nearest enclosing ``tabitem`` label (``💬 Language`` → text, ``👀 Vision``,
  ``🎨 Text-to-Image``, ``📟 Copilot Arena`` → copilot …);
- category: the value of that tab's ``Category`` dropdown (or ``Interaction Mode`` radio);
- style control: whether that tab's ``Apply filter`` group has "Style Control" ticked; ``None``
  when the tab offers no such filter (image and copilot boards have no style variant);
- date: that tab's "Last updated: YYYY-MM-DD" markdown.

The page renders each tab's default view: text and vision show Overall without style control
(their "Rank (StyleCtrl)" column is the rank on the other board and is not imported), and
hides deprecated models ("Show Deprecated" unticked), so a board lists fewer models than the
tab's "Total #models".
Frames without an arena score (the rank-only overview, Arena-Hard-Auto win rates) and frames
without rows (the prompt-to-leaderboard table) are skipped with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from leaderboard.boards import BoardKey
from leaderboard.sources.base import (
    FormatError,
    ParseResult,
    RankKind,
    RowData,
    SnapshotData,
)
from leaderboard.sources.text import (
    calendar_date,
    interval_bounds,
    parse_float,
    parse_int,
    safe_url,
    slug,
    strip_html,
)

_CONFIG = re.compile(r"window\.gradio_config\s*=\s*")
_CONFIG_BYTES = re.compile(rb"window\.gradio_config\s*=\s*\{")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"^\s*\[(.+)\]\(\s*(\S+?)\s*\)\s*$", re.DOTALL)
_UPDATED = re.compile(r"Last updated:\s*(\d{4})-(\d{2})-(\d{2})")
_UB_RANK = re.compile(r"^rank\*?\s*\(ub\)$")

_ARENAS = {
    "language": "text",
    "text": "text",
    "vision": "vision",
    "text-to-image": "text-to-image",
    "webdev-arena": "webdev",
    "webdev": "webdev",
    "search": "search",
    "copilot-arena": "copilot",
}
_CATEGORY_CONTROLS = {"category", "interaction mode"}
_STYLE_CONTROL = "Style Control"
_SCORE_HEADERS = ("arena score", "arena elo", "score", "elo")


@dataclass(slots=True)
class _Identity:
    arena: str | None = None
    category: str | None = None
    style_control: bool | None = None
    published_on: dt.date | None = None


def _model_cell(cell: object) -> tuple[str, str]:
    """(clean name, safe url) from an ``<a href>`` anchor, a markdown link or plain text."""
    text = str(cell) if cell is not None else ""
    if match := _MARKDOWN_LINK.match(text):
        return strip_html(match[1]), safe_url(match[2])
    href = _HREF.search(text)
    return strip_html(text), safe_url(href[1]) if href else ""


def _config(data: bytes) -> dict[str, Any]:
    """The decoded ``window.gradio_config`` object; FormatError when absent or broken."""
    text = data.decode("utf-8", errors="replace")
    match = _CONFIG.search(text)
    if not match:
        raise FormatError("no window.gradio_config in the page")
    try:
        config, _ = json.JSONDecoder().raw_decode(text, match.end())
    except (ValueError, RecursionError) as error:  # ValueError: also ints past 4300 digits
        raise FormatError(f"window.gradio_config is not readable JSON: {error}") from error
    if not isinstance(config, dict):
        raise FormatError("window.gradio_config is not a JSON object")
    return config


class _Page:
    """Components by id and the layout tree as parent / children maps (cycle-safe)."""

    def __init__(self, config: dict[str, Any]) -> None:
        components = config.get("components")
        self.components: dict[int, dict[str, Any]] = {}
        for component in components if isinstance(components, list) else []:
            if isinstance(component, dict) and isinstance(component.get("id"), int):
                self.components[component["id"]] = component
        self.parent: dict[int, int] = {}
        self.children: dict[int, list[int]] = {}
        stack: list[Any] = [config.get("layout")]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict) or not isinstance(node.get("id"), int):
                continue
            kids = node.get("children")
            kids = kids if isinstance(kids, list) else []
            for kid in kids:
                if isinstance(kid, dict) and isinstance(kid.get("id"), int):
                    self.parent.setdefault(kid["id"], node["id"])
                    self.children.setdefault(node["id"], []).append(kid["id"])
            stack.extend(kids)

    def kind(self, component_id: int) -> str:
        kind = self.components.get(component_id, {}).get("type")
        return kind if isinstance(kind, str) else ""

    def props(self, component_id: int) -> dict[str, Any]:
        props = self.components.get(component_id, {}).get("props")
        return props if isinstance(props, dict) else {}

    def enclosing_tab(self, component_id: int) -> int | None:
        seen = {component_id}
        current = self.parent.get(component_id)
        while current is not None and current not in seen:
            if self.kind(current) == "tabitem":
                return current
            seen.add(current)
            current = self.parent.get(current)
        return None

    def within_tab(self, tab: int) -> Iterator[int]:
        """Components under ``tab``, not descending into nested tabs."""
        seen = {tab}
        stack = list(self.children.get(tab, []))
        while stack:
            current = stack.pop()
            if current in seen or self.kind(current) == "tabitem":
                continue
            seen.add(current)
            yield current
            stack.extend(self.children.get(current, []))


def _identify(page: _Page, frame: int, warnings: list[str]) -> _Identity:
    identity = _Identity()
    tab = page.enclosing_tab(frame)
    label = str(page.props(tab).get("label") or "") if tab is not None else ""
    identity.arena = _ARENAS.get(slug(label))
    if tab is None or identity.arena is None:
        warnings.append(f"dataframe {frame}: arena unknown (tab {label!r}); left to the caller")
        return identity
    for component in page.within_tab(tab):
        props = page.props(component)
        kind = page.kind(component)
        value = props.get("value")
        control = str(props.get("label") or "").lower()
        if kind in {"dropdown", "radio"} and control in _CATEGORY_CONTROLS and value:
            identity.category = slug(str(value)) or None
        elif kind == "checkboxgroup" and _STYLE_CONTROL in _choices(props.get("choices")):
            identity.style_control = isinstance(value, list) and _STYLE_CONTROL in value
        elif kind == "markdown" and identity.published_on is None:
            identity.published_on = _updated(value)
    if identity.category is None:
        warnings.append(f"dataframe {frame}: no category control in tab {label!r}")
    return identity


def _choices(choices: object) -> list[object]:
    """Gradio choices are ``[label, value]`` pairs (or bare values in older builds)."""
    if not isinstance(choices, list):
        return []
    return [c[-1] if isinstance(c, list) and c else c for c in choices]


def _updated(markdown: object) -> dt.date | None:
    match = _UPDATED.search(markdown) if isinstance(markdown, str) else None
    return calendar_date(*match.groups()) if match else None


def _column(headers: list[str], *names: str) -> int | None:
    lowered = [header.strip().lower() for header in headers]
    return next((lowered.index(name) for name in names if name in lowered), None)


def _rows(
    frame: int, headers: list[str], model: int, score: int, data: list[Any]
) -> tuple[list[RowData], RankKind | None]:
    """Rows read by header text; FormatError on a row without model name or score."""
    lowered = [header.strip().lower() for header in headers]
    ub_rank = next((i for i, header in enumerate(lowered) if _UB_RANK.match(header)), None)
    rank = ub_rank if ub_rank is not None else _column(headers, "rank")
    ci = _column(headers, "95% ci", "95% ci (±)")
    votes = _column(headers, "votes")
    organization = _column(headers, "organization")
    license_ = _column(headers, "license")

    def cell(values: list[Any], index: int | None) -> Any:
        return values[index] if index is not None and index < len(values) else None

    rows = []
    for number, values in enumerate(data, start=1):
        if not isinstance(values, list):
            raise FormatError(f"dataframe {frame} row {number} is not a list of cells")
        name, url = _model_cell(cell(values, model))
        rating = parse_float(cell(values, score))
        if not name or rating is None:
            raise FormatError(f"dataframe {frame} row {number}: no model name or no score")
        lower, upper = interval_bounds(rating, str(cell(values, ci) or ""))
        rows.append(
            RowData(
                model=name,
                score=rating,
                rating_lower=lower,
                rating_upper=upper,
                votes=parse_int(cell(values, votes)),
                organization=strip_html(str(cell(values, organization) or "")),
                license=strip_html(str(cell(values, license_) or "")),
                rank=parse_int(cell(values, rank)),
                url=url,
            )
        )
    return rows, "ub" if ub_rank is not None else None


def _blank(row: object) -> bool:
    return isinstance(row, list) and all(cell in ("", None) for cell in row)


class GradioHtmlAdapter:
    """One snapshot per leaderboard dataframe of the Gradio-era lmarena.ai page."""

    name: ClassVar[str] = "gradio-html"
    description: ClassVar[str] = "Gradio-era lmarena.ai page source (window.gradio_config)"

    def sniff(self, data: bytes) -> bool:
        return _CONFIG_BYTES.search(data) is not None

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """Snapshots in page order; FormatError when the config is broken or holds no board."""
        page = _Page(_config(data))
        result = ParseResult(format=self.name)
        for frame in page.components:
            if page.kind(frame) != "dataframe":
                continue
            value = page.props(frame).get("value")
            value = value if isinstance(value, dict) else {}
            headers = value.get("headers")
            data_rows = value.get("data")
            if not isinstance(headers, list) or not isinstance(data_rows, list):
                result.warnings.append(f"dataframe {frame}: no headers/data value; skipped")
                continue
            headers = [str(header) for header in headers]
            model = _column(headers, "model")
            score = _column(headers, *_SCORE_HEADERS)
            if model is None or score is None:
                shown = ", ".join(headers[:4])
                result.warnings.append(f"dataframe {frame} ({shown}…): no arena score; skipped")
                continue
            # Gradio shows an empty frame as [[]] (or a row of blanks): that is no rows
            data_rows = [row for row in data_rows if not _blank(row)]
            if not data_rows:
                result.warnings.append(f"dataframe {frame}: no rows; skipped")
                continue
            identity = _identify(page, frame, result.warnings)
            try:
                rows, rank_kind = _rows(frame, headers, model, score, data_rows)
            except OverflowError as error:  # a JSON integer too big for a float
                raise FormatError(f"dataframe {frame}: number out of range") from error
            result.snapshots.append(
                SnapshotData(
                    rows=rows,
                    arena=identity.arena,
                    category=identity.category,
                    style_control=identity.style_control,
                    published_on=identity.published_on,
                    rank_kind=rank_kind,
                )
            )
        if not result.snapshots:
            raise FormatError("window.gradio_config holds no leaderboard dataframe with rows")
        return result
