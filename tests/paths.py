"""Where the suite's files are, whatever folder a test module sits in."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPLACED = REPO / "tests" / "data" / "replaced"
"""Templates the code replaced, kept byte for byte: the tests render both and compare."""
UPSTREAM = REPO / "tests" / "data" / "upstream"
"""Real upstream samples (provenance in its SOURCES.md)."""
SEED = UPSTREAM / "markdown-cherry" / "seed_en_2025-11-18.md"
"""The page that inspired the project: text/overall on 2025-11-18, 266 rows."""
