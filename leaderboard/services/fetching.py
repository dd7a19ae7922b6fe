"""Reading an upstream: a configured Source or a URL → the bytes to import. Writes nothing
but new (disabled) Sources in ``discover_hf_sources``; runs are ``services.runs``'s business.

A fetch that goes wrong (HTTP errors, timeouts, cut or empty bodies, a bot challenge instead
of the data) raises ``http.FetchError`` (or ``FormatError`` for unreadable upstream metadata):
trying again later may help. A payload that is unreadable or fails validation is the
pipeline's REJECTED: a person has to look."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from leaderboard.boards import BoardKey

from .. import hf_datasets, http, upstream
from ..models import Source
from ..sources import hf_dataset
from ..sources.base import FormatError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    url: str
    content_type: str
    revision: str = ""
    upstream_updated_at: dt.datetime | None = None
    """When upstream says this revision was made (the HF dataset's commit time), if it says."""


def source_hint(source: Source) -> BoardKey:
    """The board a source's payloads go to when they do not say."""
    options = source.options or {}
    return BoardKey(
        arena=str(options.get("arena", "text")),
        category=str(options.get("category", "overall")),
        style_control=bool(options.get("style_control", True)),
    )


def fetch_source(source: Source, *, force_fetch: bool) -> Fetched | None:
    """The source's current payload; None when its upstream revision is the one imported
    last (unless ``force_fetch``). Raises FetchError / FormatError."""
    if source.format == "hf-dataset":
        return _fetch_hf_dataset(source, force_fetch=force_fetch)
    return fetch_url(source.url)


def fetch_url(url: str) -> Fetched:
    """The body at ``url``. Raises FetchError for an empty body or a bot-challenge page: both
    mean the fetch did not reach the data (never "a board with zero models")."""
    response = http.fetch(url)
    if not response.body.strip():
        raise http.FetchError(f"empty body (HTTP {response.status}): {response.url}")
    if upstream.is_challenge_body(response.body):
        raise http.FetchError(f"blocked by a Cloudflare challenge page: {response.url}")
    return Fetched(data=response.body, url=response.url, content_type=response.content_type)


def _fetch_hf_dataset(source: Source, *, force_fetch: bool) -> Fetched | None:
    """``source.url`` is the datasets-server base URL; its options name the dataset, config
    and split (and the Hub API that knows the revision)."""
    options = source.options or {}
    dataset = str(options.get("dataset", hf_datasets.DATASET))
    if not options.get("config"):
        raise FormatError(f"source {source.slug} has no dataset config in its options")
    current = hf_datasets.revision(dataset, api=str(options.get("api", hf_datasets.HUB)))
    revision = current.sha
    if revision and revision == source.last_revision and not force_fetch:
        return None
    data, url = hf_datasets.rows(
        server=source.url,
        dataset=dataset,
        config=str(options["config"]),
        split=str(options.get("split", "latest")),
    )
    return Fetched(
        data=data,
        url=url,
        content_type="application/json",
        revision=revision,
        upstream_updated_at=current.committed_at,
    )


def discover_hf_sources(
    *, server: str = hf_datasets.SERVER, dataset: str = hf_datasets.DATASET, split: str = "latest"
) -> list[Source]:
    """Ask the datasets-server which configs the dataset has and add a Source for each new
    one, **disabled**: a new arena is published on purpose, by staff.

    Existing sources are left as staff configured them. Returns the sources created.
    Raises ``http.FetchError`` / ``FormatError`` when upstream cannot be read.
    """
    created = []
    for config, config_split in hf_datasets.splits(server=server, dataset=dataset):
        if config_split != split:
            continue
        arena, style_control = hf_dataset.board_for_config(config)
        source, was_created = Source.objects.get_or_create(
            slug=f"hf-{config.replace('_', '-')}"[:60],
            defaults={
                "format": "hf-dataset",
                "url": server,
                "enabled": False,
                "options": {
                    "dataset": dataset,
                    "config": config,
                    "split": split,
                    "arena": arena,
                    "category": "overall",
                    # Arenas without a raw twin have one view; it counts as the default one.
                    "style_control": True if style_control is None else style_control,
                },
            },
        )
        if was_created:
            created.append(source)
    return created
