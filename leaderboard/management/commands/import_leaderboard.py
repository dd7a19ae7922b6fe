"""python manage.py import_leaderboard SOURCE [--board ARENA/CATEGORY] [--format NAME] …"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leaderboard import sources
from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun, Source
from leaderboard.services import importing
from leaderboard.services.imports import Outcome


class Command(BaseCommand):
    help = (
        "Import one payload: a configured source name, an http(s) URL or a file path; every "
        "option applies to each. Exit 0 when published or unchanged, 1 with a one-line reason "
        "otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="Source slug, http(s) URL, or file path")
        parser.add_argument(
            "--board",
            help="ARENA/CATEGORY, e.g. text/overall or text/overall-no-style-control, for "
            "payloads that do not say (default: the source's board, else text/overall)",
        )
        parser.add_argument(
            "--format",
            default="auto",
            help="adapter name, or auto (the source's format, else sniffed); one of: "
            + ", ".join(sources.names()),
        )
        parser.add_argument(
            "--published-on",
            type=dt.date.fromisoformat,
            help="YYYY-MM-DD, for payloads that carry no date of their own (without it: a "
            "date in the file name, else the fetch date of a URL or source; a file dated by "
            "neither is refused)",
        )
        parser.add_argument("--dry-run", action="store_true", help="parse and validate only")
        parser.add_argument("--force", action="store_true", help="publish past soft problems")
        parser.add_argument("--reason", default="", help="why --force is right (required)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            board = BoardKey.parse(options["board"]) if options["board"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        origin = self._origin(options["source"])
        import_options = importing.ImportOptions(
            trigger=ImportRun.Trigger.COMMAND,
            board=board,
            format_name=None if options["format"] == "auto" else options["format"],
            published_on=options["published_on"],
            dry_run=options["dry_run"],
            force=options["force"],
            force_reason=options["reason"] if options["force"] else "",
            # Someone at the console asked for this source now: fetch even an imported revision.
            force_fetch=isinstance(origin, importing.FromSource),
        )
        try:
            outcome = importing.import_origin(origin, import_options)
        except importing.ImportRefused as error:
            raise CommandError(str(error)) from None
        self._report(outcome, dry_run=options["dry_run"])

    def _origin(self, target: str) -> importing.Origin:
        configured = Source.objects.filter(slug=target).first()
        if configured is not None:
            return importing.FromSource(configured)
        if target.startswith(("http://", "https://")):
            return importing.FromUrl(target)
        path = Path(target)
        if not path.is_file():
            raise CommandError(f"{target!r} is neither a source name, an http(s) URL nor a file")
        return importing.FromFile(data=path.read_bytes(), name=str(path))

    def _report(self, outcome: Outcome, *, dry_run: bool) -> None:
        counts = outcome.counts
        summary = (
            f"{outcome.status}: format {outcome.format or '?'}, "
            f"{counts.snapshots_parsed} snapshot(s), {counts.rows_parsed} rows"
        )
        if counts.written:
            summary += (
                f", {counts.snapshots_created} published, "
                f"{counts.snapshots_unchanged} unchanged, {counts.models_created} new models"
            )
        if outcome.run is not None:
            summary += f" (run #{outcome.run.pk})"
        if dry_run:
            summary = "dry run, nothing written — " + summary
        if not outcome.ok:
            raise CommandError(f"{summary}: {outcome.reason}")
        self.stdout.write(summary)
