"""Load the real snapshots shipped in leaderboard/bundled/ (idempotent: unchanged data is a
no-op), so a fresh site shows a real leaderboard with no network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun
from leaderboard.services import identity, importing

BUNDLED = Path(__file__).resolve().parents[2] / "bundled"


class Command(BaseCommand):
    help = (
        "Load the bundled domain → organisation rules and import the bundled real snapshots "
        "(leaderboard/bundled/manifest.json)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Rules first: models the snapshots create without an organisation then get one.
        rules = json.loads((BUNDLED / "organization_domains.json").read_text())["domains"]
        added, filled = identity.load_domain_rules(rules)
        self.stdout.write(f"{added} domain rule(s) added, {filled} model(s) given an organisation")
        manifest = json.loads((BUNDLED / "manifest.json").read_text())
        failures = []
        for item in manifest["files"]:
            path = BUNDLED / item["file"]
            outcome = importing.import_origin(
                importing.FromFile(data=path.read_bytes(), name=f"bundled/{item['file']}"),
                importing.ImportOptions(
                    trigger=ImportRun.Trigger.COMMAND, board=BoardKey.parse(item["board"])
                ),
            )
            self.stdout.write(f"{outcome.status:>9}  {item['board']:<32} {item['file']}")
            if not outcome.ok:
                failures.append(f"{item['file']}: {outcome.reason}")
        if failures:
            raise CommandError("bundled data did not load: " + "; ".join(failures))
