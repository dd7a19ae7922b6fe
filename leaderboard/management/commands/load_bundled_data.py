"""Load the real snapshots shipped in leaderboard/bundled/ (idempotent: unchanged data is a
no-op), then fill model facts from the offline catalogue, so a fresh site shows a real
leaderboard with facts and no network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun
from leaderboard.services import curation, enrichment, families, history_blocks, identity, importing

BUNDLED = Path(__file__).resolve().parents[2] / "bundled"


class Command(BaseCommand):
    help = (
        "Load the bundled domain → organisation rules and import the bundled real snapshots "
        "(leaderboard/bundled/manifest.json)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Before the domain rules: the organisations they name are bundled names too.
        started = timezone.now()
        # Rules first: models the snapshots create without an organisation then get one.
        rules = json.loads((BUNDLED / "organization_domains.json").read_text())["domains"]
        domains, filled = identity.load_domain_rules(rules)
        self.stdout.write(
            f"{domains} domain rule(s) added, {filled} model(s) given an organisation"
        )
        manifest = json.loads((BUNDLED / "manifest.json").read_text())
        added = families.load_starter_rules()
        if added:
            self.stdout.write(f"added {added} starter family rules")
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
        placed = families.apply_family_rules()
        if placed.assigned or placed.cleared:
            self.stdout.write(
                f"families: {placed.assigned} models placed, {placed.cleared} cleared, "
                f"{len(placed.families_created)} families created"
            )
        self.stdout.write(f"history blocks of {len(history_blocks.refresh())} board(s) built")
        if failures:
            raise CommandError("bundled data did not load: " + "; ".join(failures))
        self.stdout.write(enrichment.enrich_models().summary())
        # Bundled names are upstream's own: they arrive reviewed, save what needs a person.
        accepted = curation.accept_bundled_names(since=started)
        self.stdout.write(
            f"reviewed as bundled: {accepted['model_aliases']} model names, "
            f"{accepted['organizations']} organisations"
        )
