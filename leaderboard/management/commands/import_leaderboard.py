"""python manage.py import_leaderboard SOURCE [--board ARENA/CATEGORY] [--format NAME] …"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leaderboard import http, sources
from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun, Source
from leaderboard.services import fetching
from leaderboard.services.imports import ImportRequest, Outcome, import_payload


class Command(BaseCommand):
    help = (
        "Import one payload: a file path, an http(s) URL or a configured source name. "
        "Exit 0 when published or unchanged, 1 with a one-line reason otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="file path, http(s) URL, or Source slug")
        parser.add_argument(
            "--board",
            default="text/overall",
            help="ARENA/CATEGORY, e.g. text/overall or text/overall-no-style-control",
        )
        parser.add_argument(
            "--format",
            default="auto",
            help=f"adapter name or auto (sniff); one of: {', '.join(sources.names())}",
        )
        parser.add_argument(
            "--published-on",
            type=dt.date.fromisoformat,
            help="YYYY-MM-DD, for payloads that carry no date of their own",
        )
        parser.add_argument("--dry-run", action="store_true", help="parse and validate only")
        parser.add_argument("--force", action="store_true", help="publish past soft problems")
        parser.add_argument("--reason", default="", help="why --force is right (required)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["force"] and not options["reason"].strip():
            raise CommandError("--force needs --reason TEXT saying why")
        try:
            hint = BoardKey.parse(options["board"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        fmt = None if options["format"] == "auto" else options["format"]
        if fmt is not None and fmt not in sources.names():
            raise CommandError(f"unknown format {fmt!r}; known: {', '.join(sources.names())}")
        target: str = options["source"]

        configured = Source.objects.filter(slug=target).first()
        if configured is not None and not options["dry_run"]:
            outcome = fetching.import_source(
                source=configured, trigger=ImportRun.Trigger.COMMAND, force_fetch=True
            )
            return self._report(outcome)

        data, origin, content_type = self._read(target)
        outcome = import_payload(
            ImportRequest(
                data=data,
                origin=origin,
                trigger=ImportRun.Trigger.COMMAND,
                hint=hint,
                format_name=fmt,
                published_on=options["published_on"],
                content_type=content_type,
                force_reason=options["reason"] if options["force"] else "",
            ),
            dry_run=options["dry_run"],
        )
        self._report(outcome, dry_run=options["dry_run"])

    def _read(self, target: str) -> tuple[bytes, str, str]:
        if target.startswith(("http://", "https://")):
            try:
                fetched = fetching.fetch_url(target)
            except http.FetchError as error:
                raise CommandError(f"failed: {error}") from None
            return fetched.data, fetched.url, fetched.content_type
        path = Path(target)
        if not path.is_file():
            raise CommandError(f"{target!r} is neither a file, an http(s) URL nor a source name")
        return path.read_bytes(), str(path), ""

    def _report(self, outcome: Outcome, *, dry_run: bool = False) -> None:
        counts = outcome.counts
        summary = (
            f"{outcome.status}: format {outcome.format or '?'}, "
            f"{counts.get('snapshots_parsed', 0)} snapshot(s), "
            f"{counts.get('rows_parsed', 0)} rows"
        )
        if "snapshots_created" in counts:
            summary += (
                f", {counts['snapshots_created']} published, "
                f"{counts['snapshots_unchanged']} unchanged, "
                f"{counts['models_created']} new models"
            )
        if outcome.run is not None:
            summary += f" (run #{outcome.run.pk})"
        if dry_run:
            summary = "dry run, nothing written — " + summary
        if not outcome.ok:
            raise CommandError(f"{summary}: {outcome.reason}")
        self.stdout.write(summary)
