"""Upstream formats. Each module is one adapter behind the interface in ``base``; this module
is the registry that ``--format`` names and ``--format auto`` sniffs through."""

from __future__ import annotations

from .arena_catalog import ArenaCatalogAdapter, ScatterplotMetadataAdapter
from .arena_page import ArenaPageAdapter
from .base import Adapter, FormatError
from .csv_fboulnois import FboulnoisCsvAdapter
from .csv_history import HistoryLongCsvAdapter, HistoryPivotCsvAdapter
from .csv_leaderboard_table import LeaderboardTableCsvAdapter
from .gradio_html import GradioHtmlAdapter
from .hf_dataset import HFDatasetAdapter
from .markdown_page import MarkdownPageAdapter
from .scraped_json import RscEntriesAdapter, ScrapedSnapshotAdapter, ScrapedTimeseriesAdapter

# Sniffing order: the most specific signatures first, the loosest (markdown tables) last.
ADAPTERS: tuple[Adapter, ...] = (
    ScrapedSnapshotAdapter(),
    ScrapedTimeseriesAdapter(),
    RscEntriesAdapter(),
    HFDatasetAdapter(),
    ScatterplotMetadataAdapter(),
    ArenaCatalogAdapter(),
    GradioHtmlAdapter(),
    ArenaPageAdapter(),
    FboulnoisCsvAdapter(),
    LeaderboardTableCsvAdapter(),
    HistoryLongCsvAdapter(),
    HistoryPivotCsvAdapter(),
    MarkdownPageAdapter(),
)
_BY_NAME = {adapter.name: adapter for adapter in ADAPTERS}


def names() -> list[str]:
    return list(_BY_NAME)


def get_adapter(name: str) -> Adapter:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; known: {', '.join(_BY_NAME)}") from None


def detect(data: bytes) -> Adapter:
    """The first adapter whose sniff recognises ``data``; FormatError naming all tried."""
    for adapter in ADAPTERS:
        if adapter.sniff(data):
            return adapter
    raise FormatError(f"unrecognised payload: tried {', '.join(_BY_NAME)}")
