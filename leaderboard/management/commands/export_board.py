"""python manage.py export_board ARENA/CATEGORY [--format json|csv|markdown] [--as-of DATE]"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leaderboard import exports, selectors


class Command(BaseCommand):
    help = "Write a board (the published snapshot, or the one as of a date) to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board", help="ARENA/CATEGORY, e.g. text/overall")
        parser.add_argument("--format", choices=exports.FORMATS, default="json")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="YYYY-MM-DD: newest snapshot on or before"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        board = selectors.board_by_slug(options["board"])
        if board is None:
            raise CommandError(f"no board {options['board']!r}")
        snapshot = selectors.snapshot_as_of(board, options["as_of"])
        if snapshot is None:
            when = f" on or before {options['as_of']}" if options["as_of"] else ""
            raise CommandError(f"board {board.slug} has no snapshot{when}")
        # Movement against the previous snapshot, as the board page's exports have it.
        previous = selectors.previous_snapshot(board, snapshot)
        rows = exports.export_rows(selectors.board_rows(snapshot, previous))
        self.stdout.write(
            exports.render(
                options["format"],
                board=board,
                snapshot=snapshot,
                rows=rows,
                movement_since=previous.published_on if previous else None,
            ),
            ending="",
        )
