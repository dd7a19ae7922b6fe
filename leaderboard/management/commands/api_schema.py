"""Write the API's OpenAPI document (generated from the code) to a file: ``make api-schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from leaderboard.api import schema_text


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ to docs/openapi.json (or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs/openapi.json"))

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        Path(output).write_text(schema_text(), encoding="utf-8")
        self.stdout.write(f"wrote {output}")
