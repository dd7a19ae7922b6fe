"""``make mutate``: mutation-test the core modules with mutmut and print the score.

The modules are the ``only_mutate`` list in pyproject.toml's ``[tool.mutmut]`` (the one place
to add one); a listed file that is not in the tree yet is skipped with a note. Each mutant
runs only the tests that cover its function (mutmut records them in a first full run).
Mutants that no test can kill are listed, with the reason, in
scripts/mutation_equivalents.toml; an entry counts only while its mutant still makes the
change it records, so renumbered or edited functions are noticed. See docs/mutation.md.

Exit status: 0 when at least ``--fail-under`` percent of the non-equivalent mutants die,
1 otherwise, 2 when mutmut itself failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.toml"
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
"""A timeout or a crash is the tests noticing the change, as a failure is."""
_RESULT = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")


@dataclass(frozen=True, slots=True)
class Equivalent:
    mutant: str
    change: str
    why: str


def listed_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def module_of(mutant: str) -> str:
    """``leaderboard.services.identity.xǁResolverǁmodel__mutmut_3`` → its file's path."""
    return mutant.rsplit(".", 1)[0].replace(".", "/") + ".py"


def mutmut(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )


def results() -> dict[str, str]:
    done = mutmut("results", "--all", "true", capture=True)
    if done.returncode:
        sys.exit(f"mutmut results failed:\n{done.stderr}")
    return {
        match["name"]: match["status"]
        for line in done.stdout.splitlines()
        if (match := _RESULT.match(line))
    }


def added_lines(mutant: str) -> list[str]:
    """The lines the mutant changes, as ``mutmut show`` prints them, without indentation."""
    diff = mutmut("show", mutant, capture=True).stdout
    return [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]


def load_equivalents() -> list[Equivalent]:
    entries = tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])
    return [Equivalent(e["mutant"], e["change"], e["why"]) for e in entries]


def checked_equivalents(status: dict[str, str]) -> set[str]:
    """The listed mutants that survived and still make the change the list records."""
    accepted = set()
    for entry in load_equivalents():
        if entry.mutant not in status:
            if Path(module_of(entry.mutant)).exists():
                print(f"note: {entry.mutant} is listed as equivalent but no longer exists")
            continue
        if status[entry.mutant] in DETECTED:
            print(f"note: {entry.mutant} is listed as equivalent but was killed: remove it")
            continue
        if entry.change.strip() not in added_lines(entry.mutant):
            print(
                f"note: {entry.mutant} no longer makes the listed change {entry.change!r} "
                "(the function changed): re-check it and update scripts/mutation_equivalents.toml"
            )
            continue
        accepted.add(entry.mutant)
    return accepted


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def report(status: dict[str, str], equivalent: set[str], modules: list[str]) -> float:
    """Print one line per module and the total; return killed / non-equivalent in percent."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, state in status.items():
        counts = by_module[module_of(name)]
        counts["total"] += 1
        if state in DETECTED:
            counts["killed"] += 1
        elif name in equivalent:
            counts["equivalent"] += 1
        else:
            counts["alive"] += 1
    header = f"{'module':36} {'mutants':>7} {'killed':>6} {'equiv':>5} {'alive':>5}"
    print(f"\n{header}  killed/total  killed/non-equivalent")
    total: Counter[str] = Counter()
    for module in modules:
        if module in by_module:
            total.update(by_module[module])
            print(line(module, by_module[module]))
    print(line("all", total))
    survivors = sorted(n for n, s in status.items() if s not in DETECTED and n not in equivalent)
    if survivors:
        print("\nAlive and not listed as equivalent (see each with `mutmut show NAME`):")
        for name in survivors:
            print(f"  {name}  [{status[name]}]")
    non_equivalent = total["total"] - total["equivalent"]
    return 100 * total["killed"] / non_equivalent if non_equivalent else 100.0


def line(label: str, counts: Counter[str]) -> str:
    non_equivalent = counts["total"] - counts["equivalent"]
    return (
        f"{label:36} {counts['total']:7} {counts['killed']:6} {counts['equivalent']:5} "
        f"{counts['alive']:5}  {percent(counts['killed'], counts['total']):>12}  "
        f"{percent(counts['killed'], non_equivalent):>21}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--fail-under", type=float, default=90.0, metavar="PERCENT")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse mutants/ from an earlier run (faster; a test edited since is not noticed)",
    )
    parser.add_argument("--report-only", action="store_true", help="score the last run again")
    args = parser.parse_args()

    modules = listed_modules()
    present = [m for m in modules if (ROOT / m).is_file()]
    for missing in sorted(set(modules) - set(present)):
        print(f"note: {missing} is in [tool.mutmut] only_mutate but not in this tree: skipped")
    if not present:
        print("nothing to mutate")
        return 0
    if not args.report_only:
        if not args.resume:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        if mutmut("run", "--max-children", str(args.jobs)).returncode:
            print("mutmut run failed", file=sys.stderr)
            return 2
    status = results()
    score = report(status, checked_equivalents(status), present)
    print(f"\nkilled / non-equivalent: {score:.1f}% (at least {args.fail_under:g}% required)")
    return 0 if score >= args.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
