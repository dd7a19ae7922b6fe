"""The command-line entry points, run as a user runs them: exit codes and what they print."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leaderboard import selectors
from leaderboard.models import AIModel, ImportRun, Leaderboard, ModelFact, Snapshot
from tests.paths import REPO, SEED

pytestmark = pytest.mark.django_db

UPSTREAM = REPO / "tests" / "data" / "upstream"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_one_line_and_a_second_import_is_unchanged() -> None:
    first = run("import_leaderboard", str(SEED))
    second = run("import_leaderboard", str(SEED))

    assert first.startswith("succeeded: format markdown, 1 snapshot(s), 266 rows, 1 published")
    assert second.startswith("unchanged:")
    assert first.count("\n") == 1


def test_a_rejected_import_exits_non_zero_with_a_one_line_reason_and_no_traceback(
    tmp_path: Path,
) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing to see here")

    env = {
        "DEBUG": "1",
        "ARENA_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=REPO, env=env, check=True)

    result = subprocess.run(
        [*manage, "import_leaderboard", str(junk)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("CommandError: rejected:")
    assert "unrecognised payload" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_dateless_file_is_refused_with_a_message_naming_published_on(tmp_path: Path) -> None:
    dateless = tmp_path / "arena.csv"  # fboulnois's CSV: no date inside, none in this name
    dateless.write_bytes(
        (UPSTREAM / "csv-fboulnois" / "lmsys_csv_2024-06-19_arena_elo.csv").read_bytes()
    )

    with pytest.raises(CommandError, match=r"no date of its own.*--published-on YYYY-MM-DD"):
        run("import_leaderboard", str(dateless))
    assert Snapshot.objects.count() == 0

    output = run("import_leaderboard", str(dateless), "--published-on", "2024-06-19")

    assert output.startswith("succeeded:")
    assert Snapshot.objects.get().published_on.isoformat() == "2024-06-19"


def test_dry_run_reports_without_writing() -> None:
    output = run("import_leaderboard", str(SEED), "--dry-run")

    assert output.startswith("dry run, nothing written — succeeded: format markdown")
    assert ImportRun.objects.count() == 0
    assert Snapshot.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--force"], "forcing past the gate needs a written reason"),
        (["--board", "text"], "board must look like ARENA/CATEGORY"),
        (["--format", "pickle"], "unknown format 'pickle'"),
    ],
)
def test_bad_options_are_refused_clearly(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("import_leaderboard", str(SEED), *args)


def test_a_missing_file_is_refused_clearly() -> None:
    with pytest.raises(CommandError, match="neither a source name, an http"):
        run("import_leaderboard", "/nonexistent/file.md")


def test_the_board_slug_picks_the_style_control_view() -> None:
    path = UPSTREAM / "json-scraped-snapshot" / "acarter_snapshot_2026-02-19_163450.json.gz"

    run("import_leaderboard", str(path), "--board", "text/overall-no-style-control")

    board = Leaderboard.objects.get()
    assert (board.arena, board.category, board.style_control) == ("text", "overall", False)


def test_export_json_has_the_documented_schema_with_curated_names() -> None:
    run("import_leaderboard", str(SEED))

    document = json.loads(run("export_board", "text/overall"))

    assert document["board"]["slug"] == "text/overall"
    assert document["snapshot"]["published_on"] == "2025-11-18"
    assert set(document["snapshot"]) == {
        "published_on", "source", "upstream_updated_at", "imported_at"
    }  # fmt: skip
    assert document["snapshot"]["upstream_updated_at"] == "2025-11-18T08:08:22+00:00"
    assert len(document["rows"]) == 266
    first = document["rows"][0]
    assert set(first) == {
        "rank", "rank_upper", "rank_lower", "model", "model_key", "organization", "license",
        "license_kind", "score", "rating_lower", "rating_upper", "votes", "preliminary",
        "price_input", "price_output", "context_tokens", "organization_curated",
        "license_curated", "previous_rank", "rank_change", "score_change",
    }  # fmt: skip
    assert first | {"license_kind": None} == {
        "rank": 1, "rank_upper": 1, "rank_lower": 2, "model": "grok-4.1-thinking",
        "model_key": "grok-4.1-thinking", "organization": "xAI", "license": "Proprietary",
        "license_kind": None, "score": 1483.0, "rating_lower": 1472.0, "rating_upper": 1494.0,
        "votes": 3298, "preliminary": True, "price_input": None, "price_output": None,
        "context_tokens": None, "organization_curated": False, "license_curated": False,
        # The board's only snapshot: nothing to measure movement against.
        "previous_rank": None, "rank_change": None, "score_change": None,
    }  # fmt: skip


def test_export_markdown_keeps_the_seed_layout_without_its_defects() -> None:
    run("import_leaderboard", str(SEED))

    markdown = run("export_board", "text/overall", "--format", "markdown")

    # The seed's own update time, written back where the seed writes it; ours apart.
    assert (
        "> **Data Update Time**: 2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST (Beijing Time)"
        in markdown
    )
    assert "> **Imported**: " in markdown
    assert "| 1 | 1◄─►2 | grok-4.1-thinking | 1483 Preliminary | ±11 | 3,298 | xAI |" in markdown
    assert (
        "| 4 | 2◄─►8 | claude-sonnet-4-5-20250929-thinking-32k | 1450 | ±5 | 16,549 |" in markdown
    )
    assert "Anthropicclaude" not in markdown
    assert "1483Preliminary" not in markdown
    assert "upper bound** estimate of its Elo score" not in markdown
    assert "interval of *ranks*" in markdown
    assert markdown.count("\n| ") == 266 + 1  # header + one line per model


def test_export_csv_neutralises_formula_cells() -> None:
    run("import_leaderboard", str(SEED))
    from leaderboard.models import AIModel

    AIModel.objects.filter(key="grok-4.1").update(name='=HYPERLINK("http://x")')

    rows = list(csv.DictReader(io.StringIO(run("export_board", "text/overall", "--format", "csv"))))

    assert len(rows) == 266
    assert rows[1]["model"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["votes"] == "3298"


def test_export_as_of_a_date_picks_the_snapshot_of_that_day() -> None:
    run("import_leaderboard", str(SEED))
    run(
        "import_leaderboard", str(UPSTREAM / "markdown-cherry/lmarena_md_2025-12-20_rank-spread.md")
    )

    older = json.loads(run("export_board", "text/overall", "--as-of", "2025-12-01"))
    newest = json.loads(run("export_board", "text/overall"))

    assert older["snapshot"]["published_on"] == "2025-11-18"
    assert newest["snapshot"]["published_on"] == "2025-12-20"
    # Movement against the previous snapshot, as the page's exports: the older has none.
    assert (older["movement_since"], newest["movement_since"]) == (None, "2025-11-18")
    assert {row["rank_change"] for row in older["rows"]} == {None}
    was = {row["model_key"]: (row["rank"], row["score"]) for row in older["rows"]}
    for row in newest["rows"]:
        if row["model_key"] in was:
            rank, score = was[row["model_key"]]
            assert (row["previous_rank"], row["rank_change"]) == (rank, rank - row["rank"])
            assert row["score_change"] == pytest.approx(row["score"] - score)
        else:
            assert row["previous_rank"] is None
    assert any(row["rank_change"] for row in newest["rows"])
    with pytest.raises(CommandError, match="no snapshot on or before 2020-01-01"):
        run("export_board", "text/overall", "--as-of", "2020-01-01")
    with pytest.raises(CommandError, match="no board 'vision/overall'"):
        run("export_board", "vision/overall")


def test_backfill_imports_a_folder_and_reports_throughput(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    for name in ("seed_en_2025-11-18.md", "lmarena_md_2025-12-20_rank-spread.md"):
        (folder / name).write_bytes((UPSTREAM / "markdown-cherry" / name).read_bytes())

    output = run("backfill", str(folder))

    assert "2 files, 2 snapshots published, 555 rows read" in output
    assert "rows/s" in output
    assert Snapshot.objects.count() == 2


def _history_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    for name in ("seed_en_2025-11-18.md", "lmarena_md_2025-12-20_rank-spread.md"):
        (folder / name).write_bytes((UPSTREAM / "markdown-cherry" / name).read_bytes())
    (folder / "history.csv").write_bytes(
        (UPSTREAM / "csv-history" / "jasontrigg0_alltime_2025-03-29.csv").read_bytes()
    )
    return folder


def test_backfill_into_a_pipe_or_a_log_prints_plain_lines_only(tmp_path: Path) -> None:
    output = run("backfill", str(_history_folder(tmp_path)), "--board", "text/overall")

    lines = output.splitlines()
    assert len(lines) == 5  # one per file, the summary, the history blocks: no bar, no redraws
    assert all(line.split()[0] == "succeeded" for line in lines[:3])
    assert re.fullmatch(r"history blocks of 2 board\(s\) rebuilt in [\d.]+s", lines[4])
    assert "\x1b" not in output and "\r" not in output


def test_backfill_on_a_terminal_shows_files_snapshots_rate_and_time_left(tmp_path: Path) -> None:
    folder = _history_folder(tmp_path)
    controller, terminal = os.openpty()
    received = bytearray()

    def read() -> None:  # a terminal's reader: else a full pty buffer blocks the command
        while chunk := _read_or_empty(controller):
            received.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    with os.fdopen(terminal, "w", encoding="utf-8") as stdout:
        call_command("backfill", str(folder), "--board", "text/overall", stdout=stdout)
    reader.join(timeout=10)
    os.close(controller)
    shown = received.decode("utf-8", "replace")

    assert "\x1b[" in shown  # drawn and redrawn in place
    assert "3/3 files" in shown
    assert re.search(r"[\d,]+ snapshots, [\d,]+ rows/s", shown)
    assert "left" in shown
    assert "3 files, 106 snapshots published" in shown


def _read_or_empty(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed (EIO on Linux)
        return b""


def test_backfill_goes_on_past_a_bad_file_and_then_fails(tmp_path: Path) -> None:
    (tmp_path / "a-bad.txt").write_text("garbage")
    (tmp_path / "b-seed.md").write_bytes(SEED.read_bytes())

    with pytest.raises(CommandError, match="1 of 2 files were not imported"):
        run("backfill", str(tmp_path))
    assert Snapshot.objects.count() == 1


def test_bundled_data_loads_once_and_then_changes_nothing() -> None:
    first = run("load_bundled_data")
    snapshots = Snapshot.objects.count()
    second = run("load_bundled_data")

    # 18 files, 147 snapshots: months of history on text/overall (9 dates) and
    # text/overall-no-style-control (the back-filled history CSV, HF dataset samples).
    assert first.count("succeeded") == 18
    assert second.count("unchanged") == 18
    assert Snapshot.objects.count() == snapshots == 147
    board = Leaderboard.objects.get(arena="text", category="overall", style_control=True)
    assert board.current_snapshot is not None
    assert board.current_snapshot.row_count == 323
    # The queue holds what needs a person: the kinds of licenses no seed knew. Was 1,172
    # items, 1,072 of them "new model names" (the one guessed name, tulu-2-dpo-70b's, went
    # with the AllenAI/UW rejoin, and its license "UW" with it).
    counts = selectors.review_counts()
    assert counts == {
        "organization_aliases": 0,
        "license_aliases": 0,
        "model_aliases": 0,
        "organizations": 0,
        "licenses": 15,
        "model_disagreements": 0,
        "models_uncertain": 0,
        "fact_conflicts": 0,
    }
    assert "reviewed as bundled" in first and "models.dev" in first
    # The catalogue fills the top of the default board (figures in docs/decisions.md).
    keys = [row.model_key for row in selectors.board_rows(board.current_snapshot)[:100]]
    top = list(AIModel.objects.filter(key__in=keys))
    assert sum(m.context_tokens is not None for m in top) >= 80
    assert sum(m.open_weights is not None for m in top) >= 65
    assert sum(m.release_date is not None for m in top) >= 55
    assert ModelFact.objects.filter(model__in=top).exclude(source_version="").exists()
    # models.dev calls 23 open-licensed models closed: kept by rule, none applied.
    assert not ModelFact.objects.filter(status=ModelFact.Status.CONFLICT).exists()
    assert ModelFact.objects.filter(status=ModelFact.Status.KEPT, field="open_weights").exists()


def test_enrich_models_prints_its_summary() -> None:
    out = run("enrich_models")
    assert out.startswith("models.dev ") and "models matched" in out
