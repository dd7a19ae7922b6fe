"""The fuzzing shape the CSV adapters share: a real sample with one byte replaced and then cut
anywhere must either parse or raise FormatError, never anything else."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.base import Adapter, FormatError, ParseResult


def mutations(samples: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """One of ``samples`` with one byte replaced, then cut at any length."""

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(samples)))
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data[: draw(st.integers(0, len(data)))])

    return mutated()


def parse_or_format_error(adapter: Adapter, data: bytes) -> ParseResult | None:
    """The adapter's result, or None when it refused the payload with FormatError."""
    assert isinstance(adapter.sniff(data), bool)
    try:
        return adapter.parse(data, hint=BoardKey())
    except FormatError:
        return None
