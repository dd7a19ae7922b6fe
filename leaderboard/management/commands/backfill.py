"""python manage.py backfill PATH [PATH …] [--board ARENA/CATEGORY] [--format NAME]

Imports many payloads (files, or every file under a folder, in name order) one after the
other; a history file with hundreds of dates is one payload. Keeps going past a bad file and
exits 1 at the end if any was rejected or failed. On a terminal a progress bar shows files,
snapshots, rows/s and the time left (by bytes read); elsewhere (a log, a pipe) only the one
line per file and the summary are written."""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from leaderboard import sources
from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun
from leaderboard.services import history_blocks, importing


class Command(BaseCommand):
    help = "Import many snapshots: files, folders of files, or history files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--board", default="text/overall")
        parser.add_argument("--format", default="auto", choices=["auto", *sources.names()])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            hint = BoardKey.parse(options["board"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        files = sorted(
            file
            for path in options["paths"]
            for file in ([path] if path.is_file() else path.rglob("*"))
            if file.is_file() and not file.name.startswith(".")
        )
        if not files:
            raise CommandError("no files to import")
        started = time.perf_counter()
        rows = published = 0
        failed = []
        terminal = self.stdout.isatty()
        with self._progress(disable=not terminal) as progress:
            # Time left by bytes: files differ a lot in size (a day's page, a year's history).
            task = progress.add_task(
                "", total=sum(file.stat().st_size for file in files), files="", stats=""
            )
            for done, file in enumerate(files, start=1):
                data = file.read_bytes()
                outcome = importing.import_origin(
                    importing.FromFile(data=data, name=str(file)),
                    importing.ImportOptions(
                        trigger=ImportRun.Trigger.COMMAND,
                        board=hint,
                        format_name=None if options["format"] == "auto" else options["format"],
                    ),
                )
                rows += outcome.counts.rows_parsed
                published += outcome.counts.snapshots_created
                line = f"{outcome.status:>9}  {file}"
                if not outcome.ok:
                    line += f": {outcome.reason}"
                    failed.append(file)
                if terminal:  # above the bar, which stays at the bottom
                    progress.console.print(line, markup=False, highlight=False)
                else:
                    self.stdout.write(line)
                rate = rows / (time.perf_counter() - started)
                progress.update(
                    task,
                    advance=len(data),
                    files=f"{done}/{len(files)} files",
                    stats=f"{published:,} snapshots, {rate:,.0f} rows/s",
                )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{len(files)} files, {published} snapshots published, {rows} rows read "
            f"in {elapsed:.1f}s ({rows / elapsed:,.0f} rows/s)"
        )
        started = time.perf_counter()
        rebuilt = history_blocks.refresh()
        self.stdout.write(
            f"history blocks of {len(rebuilt)} board(s) rebuilt "
            f"in {time.perf_counter() - started:.1f}s"
        )
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} files were not imported")

    def _progress(self, *, disable: bool) -> Progress:
        """Files, snapshots, rows/s and the time left, on the command's own stdout."""
        return Progress(
            BarColumn(),
            TextColumn("{task.fields[files]}"),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(file=cast(IO[str], self.stdout._out), force_terminal=not disable),
            disable=disable,
        )
