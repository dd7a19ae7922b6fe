"""Build a synthetic, realistic history for the scale proof (``make bench-scale``).

    DATABASE_URL=postgres://…/arena_scale python scripts/generate_history.py [--days 1095]

Every board of ``BOARDS`` (22: text categories with and without style control, vision,
webdev, text-to-image, search, copilot), one snapshot a day for ``--days`` days, about
``--models`` models on each: models enter upstream at a steady rate and stay from weeks to
years, each board carries most of the live ones, and each (model, board) score walks randomly
with a confidence interval narrowing as its votes grow. Ranks and spreads are computed as the
import computes them. Entries go through the import's own bulk path (COPY on PostgreSQL), one
transaction per board. Deterministic for a given ``--seed``. Wants an empty database: it
refuses one that already holds snapshots.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BOARDS = [
    *(
        (arena, category, style)
        for arena, category in [
            ("text", "overall"),
            ("text", "coding"),
            ("text", "math"),
            ("text", "hard-prompts"),
            ("text", "creative-writing"),
            ("text", "instruction-following"),
            ("text", "longer-query"),
            ("text", "multi-turn"),
            ("vision", "overall"),
        ]
        for style in (True, False)
    ),
    ("webdev", "overall", True),
    ("text-to-image", "overall", True),
    ("search", "overall", True),
    ("copilot", "overall", True),
]
ORGANIZATIONS = 40
LICENSES = ["Proprietary", "MIT", "Apache 2.0", "Llama 3.1 Community", "Gemma", "CC-BY-NC-4.0",
            "Qwen", "DeepSeek"]  # fmt: skip
BOARD_SHARE = 0.93
"""Of the models live upstream on a day, the share a board carries (a stable choice)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--models", type=int, default=300, help="models per board per day")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    args = parser.parse_args()
    setup_django()
    generate(days=args.days, per_board=args.models, seed=args.seed, end=args.end)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arenasite.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "generate-history")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def generate(*, days: int, per_board: int, seed: int, end: dt.date) -> int:
    """Write the history; returns the number of entries. Prints one line per board."""
    from django.core.management import call_command
    from django.db import transaction

    from leaderboard.models import (
        AIModel,
        Leaderboard,
        License,
        LicenseAlias,
        ModelAlias,
        Organization,
        OrganizationAlias,
        Snapshot,
    )
    from leaderboard.ranking import rank_spread
    from leaderboard.services import bulk

    call_command("migrate", verbosity=0)
    if Snapshot.all_objects.exists():
        raise SystemExit("this database already holds snapshots: generate into an empty one")
    rng = random.Random(seed)
    started = time.perf_counter()
    start = end - dt.timedelta(days=days - 1)

    organizations = Organization.objects.bulk_create(
        Organization(name=f"Lab {i:02d}") for i in range(ORGANIZATIONS)
    )
    OrganizationAlias.objects.bulk_create(
        OrganizationAlias(raw=o.name, organization=o) for o in organizations
    )
    licenses = [License.objects.get_or_create(name=name)[0] for name in LICENSES]
    for lic in licenses:  # the migrations seed a few licenses and their aliases
        if not LicenseAlias.objects.filter(raw__iexact=lic.name).exists():
            LicenseAlias.objects.create(raw=lic.name, license=lic)

    # Upstream's model population: a new model every `spacing` days, staying `life` days
    # (weeks to years, mean `mean_life`), so that about per_board / BOARD_SHARE are live on
    # any day. Models that entered before the first day fill the start.
    live_target = per_board / BOARD_SHARE
    mean_life = 320.0
    spacing = mean_life / live_target
    population = []
    day = -6 * mean_life  # long-lived models that entered well before the first day
    while day < days:
        life = max(14.0, rng.lognormvariate(math.log(mean_life) - 0.32, 0.8))
        population.append((int(day), int(day + life)))
        day += rng.expovariate(1 / spacing)
    models = AIModel.objects.bulk_create(
        AIModel(
            key=f"model-{i:05d}",
            name=f"Model {i:05d}",
            organization=organizations[i % ORGANIZATIONS],
            license=licenses[0 if i % 3 else i % len(licenses)],
            upstream_organization=organizations[i % ORGANIZATIONS].name,
            upstream_license=licenses[0 if i % 3 else i % len(licenses)].name,
        )
        for i in range(len(population))
    )
    ModelAlias.objects.bulk_create(ModelAlias(raw=m.key, model=m) for m in models)
    strength = [rng.gauss(1250 + 0.1 * entered, 60) for entered, _ in population]
    by_entry = sorted(range(len(models)), key=lambda i: population[i][0])

    total = 0
    for arena, category, style in BOARDS:
        board_started = time.perf_counter()
        with transaction.atomic():
            board = Leaderboard.objects.create(
                arena=arena, category=category, style_control=style, metric="elo"
            )
            carried = {i for i in range(len(models)) if rng.random() < BOARD_SHARE}
            offset = rng.gauss(0, 25)
            snapshots = Snapshot.objects.bulk_create(
                Snapshot(
                    leaderboard=board,
                    published_on=start + dt.timedelta(days=d),
                    source="synthetic",
                    rank_kind=Snapshot.RankKind.POSITION,
                    content_hash=hashlib.sha256(f"{board.slug} {d}".encode()).hexdigest(),
                    row_count=1,  # set below, once the day's rows are known
                )
                for d in range(days)
            )
            walk: dict[int, tuple[float, int]] = {}  # model → (score, votes) on this board
            counts: list[int] = []

            def rows_of_board(
                snapshots: list[Snapshot],
                carried: set[int],
                walk: dict[int, tuple[float, int]],
                offset: float,
                counts: list[int],
            ) -> Iterator[tuple[object, ...]]:
                live: list[int] = []
                cursor = 0
                for d, snapshot in enumerate(snapshots):
                    while cursor < len(by_entry) and population[by_entry[cursor]][0] <= d:
                        if by_entry[cursor] in carried:
                            live.append(by_entry[cursor])
                        cursor += 1
                    live = [i for i in live if population[i][1] > d]
                    day_rows = []
                    for i in live:
                        score, votes = walk.get(i) or (strength[i] + offset, 0)
                        votes += int(rng.expovariate(1 / 120)) + 20
                        score += rng.gauss(0, 1.2)
                        walk[i] = (score, votes)
                        width = 4 + 900 / math.sqrt(votes)
                        day_rows.append((score, score - width, score + width, votes, i))
                    day_rows.sort(key=lambda r: -r[0])
                    spreads = rank_spread([(r[1], r[2]) for r in day_rows])
                    counts.append(len(day_rows))
                    for position, ((score, low, high, votes, i), (best, worst)) in enumerate(
                        zip(day_rows, spreads, strict=True), start=1
                    ):
                        org = organizations[i % ORGANIZATIONS].name
                        lic = licenses[0 if i % 3 else i % len(licenses)].name
                        yield (snapshot.pk, models[i].pk, position, None, best, max(best, worst),
                               round(score, 6), round(low, 6), round(high, 6), votes,
                               votes < 1000, models[i].name, org, lic,
                               None, None, None)  # fmt: skip

            written = bulk.insert_entries(rows_of_board(snapshots, carried, walk, offset, counts))
            for snapshot, count in zip(snapshots, counts, strict=True):
                snapshot.row_count = count
            Snapshot.all_objects.bulk_update(snapshots, ["row_count"], batch_size=2000)
            board.current_snapshot = snapshots[-1]
            board.save(update_fields=["current_snapshot"])
        total += written
        rate = written / (time.perf_counter() - board_started)
        print(
            f"{board.slug:<40} {days} snapshots, {written:>9,} entries ({rate:,.0f} rows/s); "
            f"total {total:,} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    print(f"{len(models):,} models, {len(BOARDS)} boards, {total:,} entries", flush=True)
    from leaderboard.services import history_blocks

    blocks_started = time.perf_counter()
    rebuilt = history_blocks.refresh()  # as the warm-up task after an import does
    print(
        f"history blocks: {sum(rebuilt.values()):,} for {len(rebuilt)} boards "
        f"in {time.perf_counter() - blocks_started:.0f} s",
        flush=True,
    )
    return total


if __name__ == "__main__":
    main()
