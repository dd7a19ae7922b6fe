"""A board as JSON, CSV or Markdown (the seed page's layout). Used by ``export_board`` and
the public export links, so both always say the same thing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from . import labels
from .models import Leaderboard, Snapshot
from .rows import BoardRow

BEIJING = ZoneInfo("Asia/Shanghai")
FORMATS = ("json", "csv", "markdown")


@dataclass(frozen=True, slots=True)
class ExportRow:
    rank: int
    rank_upper: int
    rank_lower: int
    model: str
    model_key: str
    url: str
    organization: str
    license: str
    license_kind: str
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    preliminary: bool | None
    price_input: float | None = None
    """Upstream's US$ per million input tokens, where the source carries it."""
    price_output: float | None = None
    context_tokens: int | None = None
    organization_curated: bool = False
    """True when upstream's row gave no organisation and ours is shown (curated or by link)."""
    license_curated: bool = False
    # Movement against the snapshot the view compares with (``selectors.with_movement``);
    # None for a new model, without a baseline, or for entries not annotated.
    previous_rank: int | None = None
    rank_change: int | None = None
    score_change: float | None = None


def export_rows(rows: Iterable[BoardRow]) -> list[ExportRow]:
    """Curated values where staff set them, upstream's raw strings otherwise, with the
    movement ``selectors.with_movement`` gave the rows (``rows.BoardRow``)."""
    return [
        ExportRow(
            rank=row.rank,
            rank_upper=row.rank_upper,
            rank_lower=row.rank_lower,
            model=row.model_name,
            model_key=row.model_key,
            url=row.model_url,
            organization=row.raw_organization if row.organization is None else row.organization,
            license=row.raw_license if row.license is None else row.license,
            license_kind=row.license_kind or "",
            score=row.score,
            rating_lower=row.rating_lower,
            rating_upper=row.rating_upper,
            votes=row.votes,
            preliminary=row.is_preliminary,
            price_input=_number(row.price_input),
            price_output=_number(row.price_output),
            context_tokens=row.context_tokens,
            organization_curated=row.organization is not None and not row.raw_organization,
            license_curated=row.license is not None and not row.raw_license,
            previous_rank=row.previous_rank,
            rank_change=row.rank_change,
            score_change=_rounded(row.score_change),
        )
        for row in rows
    ]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _rounded(value: float | None) -> float | None:
    """A difference of two stored scores without float noise (13.100000000000136)."""
    return None if value is None else round(value, 6)


def render(
    fmt: str,
    *,
    board: Leaderboard,
    snapshot: Snapshot,
    rows: list[ExportRow],
    movement_since: dt.date | None = None,
) -> str:
    """``movement_since``: the date of the snapshot the rows' movement is measured against
    (the JSON says it; CSV and Markdown have no place for it)."""
    if fmt == "json":
        return to_json(board=board, snapshot=snapshot, rows=rows, movement_since=movement_since)
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "markdown":
        return to_markdown(board=board, snapshot=snapshot, rows=rows)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def to_json(
    *,
    board: Leaderboard,
    snapshot: Snapshot,
    rows: list[ExportRow],
    movement_since: dt.date | None = None,
) -> str:
    document = {
        "board": {
            "slug": board.slug,
            "arena": board.arena,
            "category": board.category,
            "style_control": board.style_control,
            "metric": board.metric,
        },
        "snapshot": {
            "published_on": snapshot.published_on.isoformat(),
            "source": snapshot.source,
            "upstream_updated_at": (
                snapshot.upstream_updated_at.astimezone(dt.UTC).isoformat()
                if snapshot.upstream_updated_at
                else None
            ),
            "imported_at": snapshot.imported_at.isoformat(),
        },
        "movement_since": movement_since.isoformat() if movement_since else None,
        "rows": [{k: v for k, v in asdict(row).items() if k != "url"} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


_FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


def _csv_safe(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ (also full-width, or after leading blanks
    and line breaks) as formulas: quote them."""
    if isinstance(value, str) and (
        value[:1] in {"\t", "\r", "\n"} or value.lstrip().startswith(_FORMULA_STARTS)
    ):
        return "'" + value
    return value


def to_csv(rows: list[ExportRow]) -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends: the writer then quotes any field holding a \r or \n.
    writer = csv.writer(buffer, lineterminator="\r\n")
    fields = [name for name in ExportRow.__dataclass_fields__ if name != "url"]
    writer.writerow(fields)
    for row in rows:
        values = asdict(row)
        writer.writerow([_csv_safe("" if values[f] is None else values[f]) for f in fields])
    return buffer.getvalue()


def format_price(price: Decimal | float | None) -> str:
    """``$5``, ``$2.50``, ``$0.075`` (as upstream writes dollars); ``""`` without a price."""
    if price is None:
        return ""
    value = Decimal(str(price))
    if value == value.to_integral_value():
        return f"${value:.0f}"
    text = f"{value:.4f}".rstrip("0")
    return "$" + (text if len(text.partition(".")[2]) >= 2 else f"{value:.2f}")


def format_price_pair(
    price_input: Decimal | float | None, price_output: Decimal | float | None
) -> str:
    """``$1.25 / $10``; ``—`` for a missing side; ``""`` when neither is known."""
    if price_input is None and price_output is None:
        return ""
    return f"{format_price(price_input) or '—'} / {format_price(price_output) or '—'}"


def format_context(tokens: int | None) -> str:
    """128000 → ``128K``, 1100000 → ``1.1M``, 131072 → ``131.1K`` (upstream's style)."""
    if tokens is None:
        return ""
    for scale, suffix in ((1_000_000, "M"), (1_000, "K")):
        if tokens >= scale:
            return f"{tokens / scale:.1f}".removesuffix(".0") + suffix
    return str(tokens)


def score_digits(metric: str) -> int:
    """Decimals a board's scores are shown with: none on the Elo scale (1490), two on a
    board whose score is a rate or a percentage (the agent board's 12.47): rounding those to
    whole numbers would show 12 for 12.47 and ties that upstream does not have."""
    return 2 if metric == Leaderboard.Metric.SCORE else 0


def format_score(score: float, digits: int = 0) -> str:
    return f"{score:.{digits}f}"


def format_interval(score: float, lower: float | None, upper: float | None, digits: int = 0) -> str:
    """``±11`` when symmetric (after rounding to ``digits``), ``+12/-9`` otherwise, ``""``
    without bounds."""
    if lower is None or upper is None:
        return ""
    plus = f"{round(upper - score, digits):.{digits}f}"
    minus = f"{round(score - lower, digits):.{digits}f}"
    return f"±{plus}" if plus == minus else f"+{plus}/-{minus}"


_MD_ESCAPES = str.maketrans(
    {
        **{char: "\\" + char for char in "\\|[]*_`~"},
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": " ", "\n": " ",
    }
)  # fmt: skip


def _md_cell(text: str) -> str:
    """Upstream text as literal Markdown table cell content: a pipe cannot end the cell, a
    bracket or asterisk cannot start a link or emphasis, and HTML (``<script>``,
    ``"><img onerror=…>``) shows as text in any renderer that allows raw HTML."""
    return text.translate(_MD_ESCAPES)


# Characters that would end a Markdown link target or break out of it when rendered.
_URL_ESCAPES = str.maketrans({char: f"%{ord(char):02X}" for char in " ()<>[]\"'`|\\"})


def _md_link_target(url: str) -> str:
    """An http(s) URL made safe as a ``(target)``; "" for any other scheme (``javascript:``)."""
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")) or any(ord(c) < 0x20 for c in url):
        return ""
    return url.translate(_URL_ESCAPES)


def _times(snapshot: Snapshot) -> list[str]:
    """The seed's "Data Update Time" line with upstream's own time, then our import time.
    Where upstream states no time the first line is left out, not filled with ours: an
    import time passed off as upstream's would claim data newer than it may be."""
    imported = snapshot.imported_at.astimezone(dt.UTC)
    lines = []
    if snapshot.upstream_updated_at is not None:
        updated = snapshot.upstream_updated_at.astimezone(dt.UTC)
        beijing = updated.astimezone(BEIJING)
        lines.append(
            _("> **Data Update Time**: %(utc)s UTC / %(beijing)s CST (Beijing Time)  ")
            % {"utc": f"{updated:%Y-%m-%d %H:%M:%S}", "beijing": f"{beijing:%Y-%m-%d %H:%M:%S}"}
        )
        lines.append(_("> **Imported**: %(utc)s UTC  ") % {"utc": f"{imported:%Y-%m-%d %H:%M}"})
    else:
        lines.append(
            _("> **Imported**: %(utc)s UTC (upstream states no update time)  ")
            % {"utc": f"{imported:%Y-%m-%d %H:%M}"}
        )
    return lines


def to_markdown(*, board: Leaderboard, snapshot: Snapshot, rows: list[ExportRow]) -> str:
    """The seed page's layout, its headings in the active language (under ``/zh-hans/`` the
    Chinese original's: "LLM Arena 排行榜", "数据更新时间", …)."""
    source = labels.source_label(snapshot.source)
    board_name = labels.board_title(board.arena, board.category)
    # Price and Context columns only when a row has them, as on the 2026 upstream pages.
    extras = any(
        row.price_input is not None or row.price_output is not None or row.context_tokens
        for row in rows
    )
    lines = [
        _("# LLM Arena Leaderboard — %(board)s (`%(slug)s`)")
        % {"board": board_name, "slug": board.slug},
        "",
        *_times(snapshot),
        _("> **Upstream publish date**: %(date)s") % {"date": snapshot.published_on.isoformat()},
        "",
        _("## Leaderboard"),
        "",
        _(
            "| Rank | Rank Spread (Upper◄─►Lower) | Model | Score | 95% Confidence Interval | "
            "Votes | Organization | License |"
        )
        + (f" {_('Price $/M')} | {_('Context')} |" if extras else ""),
        "|---:|:---:|:---|---:|:---:|---:|:---|:---|" + ("---:|---:|" if extras else ""),
    ]
    preliminary = _("Preliminary")
    digits = score_digits(board.metric)
    for row in rows:
        model = _md_cell(row.model)
        url = _md_link_target(row.url)
        if url:
            model = f"[{model}]({url})"
        score = format_score(row.score, digits) + (f" {preliminary}" if row.preliminary else "")
        votes = f"{row.votes:,}" if row.votes is not None else ""
        lines.append(
            f"| {row.rank} | {row.rank_upper}◄─►{row.rank_lower} | {model} | {score} | "
            f"{format_interval(row.score, row.rating_lower, row.rating_upper, digits)} | {votes} | "
            f"{_md_cell(row.organization)} | "
            f"{_md_cell(row.license)} |"
            + (
                f" {format_price_pair(row.price_input, row.price_output).replace(' ', '')} | "
                f"{format_context(row.context_tokens)} |"
                if extras
                else ""
            )
        )
    source_text = f"[{source.name}]({source.url})" if source.url else source.name
    # Percentages as arguments: a bare "95% c…" in a message reads to gettext as a format.
    percent = {"level": "95%", "share": "64%"}
    lines += [
        "",
        _("## Explanations"),
        "",
        _("- **Rank**: position by score (1 is the highest score)."),
        _(
            "- **Rank Spread (Upper◄─►Lower)**: the range of ranks the model could hold given "
            "the %(level)s confidence intervals: the best rank is 1 + the number of models whose "
            "lower bound is above this model's upper bound; the worst rank is the number of "
            "models whose upper bound reaches this model's lower bound. It is an interval of "
            "*ranks*, not of scores."
        )
        % percent,
        _(
            "- **Score**: Bradley–Terry rating on the Elo scale, from pairwise human votes. A "
            "100-point gap means the higher model is preferred about %(share)s of the time. "
            "*Preliminary* marks a score upstream still considers settling."
        )
        % percent,
        _(
            "- **%(level)s Confidence Interval**: the range the score lies in with %(level)s "
            "confidence (`±w`, or `+a/-b` when asymmetric)."
        )
        % percent,
        _("- **Votes**: battles the model took part in."),
        _("- **Organization / License**: curated by our staff from upstream's metadata."),
        *(
            [
                _(
                    "- **Price $/M / Context**: upstream's price in US$ per million input / "
                    "output tokens, and the context window in tokens."
                )
            ]
            if extras
            else []
        ),
        "",
        _("## Data Source"),
        "",
        _(
            "Data: [LMArena](https://lmarena.ai/) (arena.ai), licensed CC BY 4.0. "
            "Source of this snapshot: %(source)s."
        )
        % {"source": source_text},
        "",
        _("## Disclaimer"),
        "",
        _(
            "For reference only. Scores reflect human preference votes over a period of time and "
            "change as votes accumulate. Check each model's license with its provider before use."
        ),
        "",
    ]
    return "\n".join(lines)
