"""Client of the Hugging Face Hub and its datasets-server, on top of ``leaderboard.http``
(the one module that talks to other hosts): a dataset's revision, its configs and splits,
and one split's rows joined across the ``/rows`` pages.

Raises ``http.FetchError`` when a host cannot be read and ``FormatError`` when it answers
something unreadable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from . import http
from .sources import hf_dataset
from .sources.base import FormatError

SERVER = "https://datasets-server.huggingface.co"
HUB = "https://huggingface.co"
DATASET = "lmarena-ai/leaderboard-dataset"
ROWS_PAGE = 100  # the datasets-server maximum
MAX_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Revision:
    sha: str
    """The dataset's current git sha; "" if the Hub gives none."""
    committed_at: dt.datetime | None
    """When that revision was committed (the Hub's ``lastModified``, aware UTC), if given."""


def revision(dataset: str, *, api: str = HUB) -> Revision:
    """The dataset's current revision (cheap: one small JSON document)."""
    body = http.fetch(f"{api.rstrip('/')}/api/datasets/{dataset}", accept="application/json").body
    try:
        info = json.loads(body)
        sha, modified = info.get("sha", ""), info.get("lastModified")
    except (ValueError, AttributeError) as error:
        raise FormatError(f"unreadable dataset info for {dataset}") from error
    return Revision(sha=sha if isinstance(sha, str) else "", committed_at=_utc(modified))


def _utc(value: object) -> dt.datetime | None:
    """An ISO 8601 time as aware UTC; None for anything else (the time is a courtesy: a bad
    one must not stop the import)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def splits(*, server: str = SERVER, dataset: str = DATASET) -> list[tuple[str, str]]:
    """Every (config, split) the datasets-server lists for ``dataset``."""
    body = http.fetch(f"{server.rstrip('/')}/splits?" + urlencode({"dataset": dataset})).body
    return list(hf_dataset.parse_splits(body))


def rows(*, server: str, dataset: str, config: str, split: str) -> tuple[bytes, str]:
    """All rows of one split (at most ``MAX_ROWS``) as one JSON array — the payload we store
    and parse — and the URL that names it."""
    base = server.rstrip("/")
    collected: list[dict[str, object]] = []
    offset = 0
    while True:
        query = urlencode(
            {"dataset": dataset, "config": config, "split": split, "offset": offset,
             "length": ROWS_PAGE}
        )  # fmt: skip
        page, total = hf_dataset.parse_rows_page(http.fetch(f"{base}/rows?{query}").body)
        collected.extend(page)
        offset += len(page)
        if not page or offset >= min(total, MAX_ROWS):
            break
    url = f"{base}/rows?" + urlencode({"dataset": dataset, "config": config, "split": split})
    return json.dumps(collected, separators=(",", ":")).encode(), url
