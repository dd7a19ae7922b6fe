"""Re-apply the model family rules to every model a curator has not placed by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from leaderboard.services import families


class Command(BaseCommand):
    help = "Re-apply the family rules (curated family assignments are left alone)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--starter", action="store_true", help="First add the bundled starter rules missing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["starter"]:
            self.stdout.write(f"added {families.load_starter_rules()} starter rules")
        result = families.apply_family_rules()
        self.stdout.write(
            f"{result.assigned} models placed, {result.cleared} cleared, "
            f"{len(result.families_created)} families created"
        )
