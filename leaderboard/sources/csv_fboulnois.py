"""fboulnois/llm-leaderboard-csv: tidy CSV release assets (``lmsys.csv``, ``lmarena_*.csv``).

Three header variants, all read by column name:

- 2024-06 ``lmsys.csv``: ``rank,model,arena_elo,95_pct_ci,votes,…`` scraped from the Gradio
  page's default table (Overall, no style control; style control did not exist yet).
- 2024-07 → 2025-07 ``lmsys.csv``: ``rank,rank_stylectrl,model,arena_score,…`` from the same
  Gradio table after upstream added the "Rank (StyleCtrl)" column. ``arena_score`` and ``rank``
  (the "Rank* (UB)" column, with ties) belong to the board *without* style control;
  ``rank_stylectrl`` is the model's rank on the *other* board, whose scores the file does not
  carry, so it is ignored.
- 2025-08 ``lmarena_{text,vision,image}.csv``: same header, rebuilt from the HF space's
  ``elo_results_*.pkl`` (``[arena]["full"]``, the board without style control). There ``rank``
  is a plain 1..n position and ``rank_stylectrl`` holds the pkl's ``final_ranking``: the UB rank
  of this very board, despite its name (it matches the UB rank recomputed from the file's own
  intervals, not the style-controlled order). Scores and interval widths are truncated to ints.

Every variant's score is the no-style-control Overall board, so ``style_control`` is False and
``category`` "overall"; the arena is not in the bytes (``None``, the caller's hint decides).
``rank`` is always the UB rank (``rank_kind="ub"``): the ``rank`` column, unless that column is
exactly 1..n next to a ``rank_stylectrl`` column (the pkl variant), then ``rank_stylectrl``.
The Gradio-era files only ever held the big text board, whose UB ranks always tie.
"""

from __future__ import annotations

from typing import ClassVar

from leaderboard.boards import BoardKey
from leaderboard.sources.base import FormatError, ParseResult, RowData, SnapshotData
from leaderboard.sources.csvread import csv_dicts, csv_header
from leaderboard.sources.text import interval_bounds, parse_float, parse_int, safe_url

_SCORE_COLUMNS = ("arena_score", "arena_elo")
_REQUIRED = ("rank", "model", "95_pct_ci", "votes")


class FboulnoisCsvAdapter:
    """Reads every fboulnois CSV variant into one snapshot (see the module docstring)."""

    name: ClassVar[str] = "fboulnois-csv"
    description: ClassVar[str] = (
        "fboulnois/llm-leaderboard-csv tidy CSV (lmsys.csv, lmarena_text/vision/image.csv)"
    )

    def sniff(self, data: bytes) -> bool:
        header = csv_header(data)
        if header is None:
            return False
        names = set(header)
        return set(_REQUIRED) <= names and any(column in names for column in _SCORE_COLUMNS)

    def parse(self, data: bytes, *, hint: BoardKey) -> ParseResult:
        """One snapshot with every row in file order; raises FormatError on any broken row."""
        header, records = csv_dicts(data, "fboulnois CSV")
        fieldnames = set(header)
        score_column = next((c for c in _SCORE_COLUMNS if c in fieldnames), None)
        missing = [column for column in _REQUIRED if column not in fieldnames]
        if score_column is None or missing:
            wanted = ", ".join([*missing, *([] if score_column else ["arena_score"])])
            raise FormatError(f"not an fboulnois CSV: header lacks {wanted}")
        if not records:
            raise FormatError("fboulnois CSV has a header but no rows")

        ranks = [parse_int(record["rank"]) for record in records]
        positional = ranks == list(range(1, len(records) + 1))
        rank_column = "rank_stylectrl" if positional and "rank_stylectrl" in fieldnames else "rank"

        rows: list[RowData] = []
        for line, record in enumerate(records, start=2):
            if None in record or None in record.values():
                # a short or long line is a cut or corrupt download, never a real row
                raise FormatError(f"fboulnois CSV line {line}: cell count differs from header")
            model = " ".join((record.get("model") or "").split())
            score = parse_float(record.get(score_column))
            if not model or score is None:
                raise FormatError(f"fboulnois CSV line {line}: no model name or no score")
            lower, upper = interval_bounds(score, record.get("95_pct_ci") or "")
            rows.append(
                RowData(
                    model=model,
                    score=score,
                    rating_lower=lower,
                    rating_upper=upper,
                    votes=parse_int(record.get("votes")),
                    organization=(record.get("organization") or "").strip(),
                    license=(record.get("license") or "").strip(),
                    rank=parse_int(record.get(rank_column)),
                    url=safe_url(record.get("url")),
                )
            )
        snapshot = SnapshotData(rows=rows, category="overall", style_control=False, rank_kind="ub")
        return ParseResult(format=self.name, snapshots=[snapshot])
