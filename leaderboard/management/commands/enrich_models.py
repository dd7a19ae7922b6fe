"""Fill model facts from the bundled models.dev catalogue (``services.enrichment``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from leaderboard.services import enrichment


class Command(BaseCommand):
    help = "Match models to the offline catalogue and record its facts with their provenance."

    def handle(self, *args: Any, **options: Any) -> None:
        report = enrichment.enrich_models()
        self.stdout.write(report.summary())
        for conflict in report.conflicts:
            self.stdout.write(f"  conflict: {conflict}")
