"""python manage.py sync_sources — add a (disabled) Source for every HF dataset config that
upstream publishes and we do not know yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leaderboard import hf_datasets
from leaderboard.http import FetchError
from leaderboard.services import fetching
from leaderboard.sources.base import FormatError


class Command(BaseCommand):
    help = "Discover the HF dataset's configs (/splits) and add new ones as disabled sources."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", default=hf_datasets.SERVER, help="datasets-server URL")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = fetching.discover_hf_sources(server=options["server"])
        except (FetchError, FormatError) as error:
            raise CommandError(f"could not read the dataset's splits: {error}") from None
        for source in created:
            self.stdout.write(f"added {source.slug} (disabled: enable it in the admin)")
        self.stdout.write(f"{len(created)} new source(s)")
