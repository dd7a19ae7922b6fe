"""Import a configured upstream Source: fetch it (through ``leaderboard.http``), then hand the
bytes to the import pipeline. A failed fetch is recorded as a failed ImportRun; it never
touches published data.

FAILED means the fetch went wrong (HTTP errors, timeouts, cut or empty bodies, a bot challenge
instead of the data): trying again later may help. REJECTED (from the pipeline) means upstream
served data that is unreadable or fails validation: a person has to look."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from leaderboard.boards import BoardKey

from .. import http, upstream
from ..models import ImportRun, Source
from ..sources import hf_dataset
from ..sources.base import FormatError
from .imports import ImportRequest, Outcome, finish_run, import_payload

logger = logging.getLogger(__name__)

HF_SERVER = "https://datasets-server.huggingface.co"
HF_DATASET = "lmarena-ai/leaderboard-dataset"
HF_ROWS_PAGE = 100  # the datasets-server maximum
HF_MAX_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    url: str
    content_type: str
    revision: str = ""


def source_hint(source: Source) -> BoardKey:
    options = source.options or {}
    return BoardKey(
        arena=str(options.get("arena", "text")),
        category=str(options.get("category", "overall")),
        style_control=bool(options.get("style_control", True)),
    )


def import_source(*, source: Source, trigger: str, force_fetch: bool = False) -> Outcome:
    """Fetch and import one source. Skips the download when the upstream revision is the one
    imported last (unless ``force_fetch``). Records an ImportRun whatever happens; an
    unexpected error is recorded as FAILED and then raised again."""
    try:
        fetched = _fetch(source, force_fetch=force_fetch)
    except (http.FetchError, FormatError) as error:
        return _failed(source, trigger=trigger, reason=str(error))
    except Exception as error:
        logger.exception("fetching source %s failed unexpectedly", source.slug)
        _failed(source, trigger=trigger, reason=f"unexpected error: {error!r}"[:1000])
        raise
    if fetched is None:
        run = ImportRun.objects.create(
            trigger=trigger, source=source, origin=source.url, format=source.format
        )
        return finish_run(
            run,
            Outcome(
                status=ImportRun.Status.UNCHANGED,
                reason=f"upstream revision {source.last_revision} already imported",
            ),
        )
    outcome = import_payload(
        ImportRequest(
            data=fetched.data,
            origin=fetched.url,
            trigger=trigger,
            hint=source_hint(source),
            format_name=source.format,
            source=source,
            content_type=fetched.content_type,
        )
    )
    if outcome.ok and fetched.revision:
        Source.objects.filter(pk=source.pk).update(last_revision=fetched.revision)
        source.last_revision = fetched.revision  # the caller may run this source again
    return outcome


def _failed(source: Source, *, trigger: str, reason: str) -> Outcome:
    run = ImportRun.objects.create(
        trigger=trigger, source=source, origin=source.url, format=source.format
    )
    return finish_run(run, Outcome(status=ImportRun.Status.FAILED, reason=reason))


def fetch_url(url: str) -> Fetched:
    """The body at ``url``. Raises FetchError for an empty body or a bot-challenge page: both
    mean the fetch did not reach the data (never "a board with zero models")."""
    response = http.fetch(url)
    if not response.body.strip():
        raise http.FetchError(f"empty body (HTTP {response.status}): {response.url}")
    if upstream.is_challenge_body(response.body):
        raise http.FetchError(f"blocked by a Cloudflare challenge page: {response.url}")
    return Fetched(data=response.body, url=response.url, content_type=response.content_type)


def _fetch(source: Source, *, force_fetch: bool) -> Fetched | None:
    if source.format == "hf-dataset":
        return _fetch_hf_dataset(source, force_fetch=force_fetch)
    return fetch_url(source.url)


def _fetch_hf_dataset(source: Source, *, force_fetch: bool) -> Fetched | None:
    """Page through the datasets-server ``/rows`` endpoint and join the rows into one JSON
    array (the payload we store and parse). ``source.url`` is the datasets-server base URL."""
    options = source.options or {}
    dataset = str(options.get("dataset", HF_DATASET))
    if not options.get("config"):
        raise FormatError(f"source {source.slug} has no dataset config in its options")
    config = str(options["config"])
    split = str(options.get("split", "latest"))
    revision = _hf_revision(dataset, api=str(options.get("api", "https://huggingface.co")))
    if revision and revision == source.last_revision and not force_fetch:
        return None
    base = source.url.rstrip("/")
    rows: list[dict[str, object]] = []
    offset = 0
    while True:
        query = urlencode(
            {"dataset": dataset, "config": config, "split": split, "offset": offset,
             "length": HF_ROWS_PAGE}
        )  # fmt: skip
        page, total = hf_dataset.parse_rows_page(http.fetch(f"{base}/rows?{query}").body)
        rows.extend(page)
        offset += len(page)
        if not page or offset >= min(total, HF_MAX_ROWS):
            break
    data = json.dumps(rows, separators=(",", ":")).encode()
    url = f"{base}/rows?" + urlencode({"dataset": dataset, "config": config, "split": split})
    return Fetched(data=data, url=url, content_type="application/json", revision=revision)


def _hf_revision(dataset: str, *, api: str) -> str:
    """The dataset's current git sha (cheap: one small JSON document)."""
    body = http.fetch(f"{api.rstrip('/')}/api/datasets/{dataset}", accept="application/json").body
    try:
        sha = json.loads(body).get("sha", "")
    except (ValueError, AttributeError) as error:
        raise FormatError(f"unreadable dataset info for {dataset}") from error
    return str(sha) if isinstance(sha, str) else ""


def discover_hf_sources(
    *, server: str = HF_SERVER, dataset: str = HF_DATASET, split: str = "latest"
) -> list[Source]:
    """Ask the datasets-server which configs the dataset has (``/splits``) and add a Source
    for each new one, **disabled**: a new arena is published on purpose, by staff.

    Existing sources are left as staff configured them. Returns the sources created.
    Raises ``http.FetchError`` / ``FormatError`` when upstream cannot be read.
    """
    body = http.fetch(f"{server.rstrip('/')}/splits?" + urlencode({"dataset": dataset})).body
    created = []
    for config, config_split in hf_dataset.parse_splits(body):
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
