"""API benchmark: the current snapshot and one model's history under gunicorn, against the
same bytes as a static file.

The same scratch site as the page benchmark (``bench_pages.build_site``: SQLite, DEBUG off,
the bundled data), two `gunicorn arenasite.wsgi -w 2` on loopback — one with the API's answer
cache, one with ``ARENA_API_CACHE_SECONDS=0`` (every request builds its answer) — the rate
limit off, and one bounded `wrk` run per scenario (requests/s, p50, p99):

  snapshot, cached      /api/v1/boards/text/overall/snapshot from the answer cache
  snapshot, uncached    the same, built on every request (the cache-less server)
  snapshot, 304         If-None-Match with its ETag
  model history, cached / uncached   /api/v1/models/<the #1 model's key>
  static                the snapshot's exact bytes from whitenoise and `python -m http.server`

    python scripts/bench_api.py [--duration 10] [--connections 16]

Prints one table; the figures go in notes, not in tests. Needs `wrk`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# A sibling script, not a package: found through the path set above.
import bench_pages as bench

SNAPSHOT = "/api/v1/boards/text/overall/snapshot"
STATIC_NAME = "bench/snapshot.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    scratch = Path(tempfile.mkdtemp(prefix="arena-bench-api-"))
    try:
        results, facts = run(scratch, args)
    finally:
        if args.keep:
            print(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    bench.print_table(results, facts, args, floor_name="static: whitenoise")


def run(scratch: Path, args: argparse.Namespace) -> tuple[list[bench.Result], dict[str, str]]:
    print(f"building the site in {scratch} …", file=sys.stderr)
    env = bench.build_site(scratch, "")
    env["ARENA_API_RATE_LIMIT"] = ""  # one address sends everything
    uncached_env = {**env, "ARENA_API_CACHE_SECONDS": "0"}
    port, uncached_port, static_port = bench.free_port(), bench.free_port(), bench.free_port()

    # Whitenoise indexes STATIC_ROOT at start-up: the answer's bytes must be there first.
    with bench.process(
        bench.gunicorn(port, args.workers), env, scratch / "gunicorn-1.log", bench.REPO
    ):
        bench.wait_until_up(port)
        status, _, body = bench.get(port, SNAPSHOT)
        if status != 200:
            raise SystemExit(f"{SNAPSHOT} answered {status}; see {scratch / 'gunicorn-1.log'}")
    snapshot = json.loads(body)
    model = f"/api/v1/models/{snapshot['rows'][0]['model_key']}"
    static_file = scratch / "static" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(body)

    plain_server = [sys.executable, "-m", "http.server", str(static_port), "-b", "127.0.0.1"]
    results: list[bench.Result] = []
    with (
        bench.process(
            bench.gunicorn(port, args.workers), env, scratch / "gunicorn-2.log", bench.REPO
        ),
        bench.process(
            bench.gunicorn(uncached_port, args.workers),
            uncached_env,
            scratch / "gunicorn-uncached.log",
            bench.REPO,
        ),
        bench.process(plain_server, env, scratch / "http-server.log", scratch / "static"),
    ):
        for waiting in (port, uncached_port):
            bench.wait_until_up(waiting)
        bench.wait_until_up(static_port, f"/{STATIC_NAME}")
        for _ in range(4 * args.workers):  # every worker's cache (locmem is per process)
            status, headers, answer = bench.get(port, SNAPSHOT)
            model_size = len(bench.get(port, model)[2])
        if not (answer == body == bench.get(port, f"/static/{STATIC_NAME}")[2]):
            raise SystemExit("the answer, its saved copy and whitenoise's copy differ")
        if bench.get(uncached_port, SNAPSHOT)[2] != body:
            raise SystemExit("the cache-less server answers other bytes")
        etag = headers["ETag"]
        if bench.get(port, SNAPSHOT, {"If-None-Match": etag})[0] != 304:
            raise SystemExit("a matching ETag did not answer 304")

        base, uncached = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{uncached_port}"

        def measure(name: str, url: str, size: int, **options: object) -> None:
            settle = uncached_port if url.startswith(uncached) else port
            results.append(
                bench.run_wrk(name, url, args, body_bytes=size, settle_port=settle, **options)  # type: ignore[arg-type]
            )

        measure("snapshot, cached", base + SNAPSHOT, len(body))
        measure("snapshot, uncached", uncached + SNAPSHOT, len(body))
        measure("snapshot, 304", base + SNAPSHOT, 0, headers={"If-None-Match": etag})
        measure("model history, cached", base + model, model_size)
        measure("model history, uncached", uncached + model, model_size)
        measure("static: whitenoise", f"{base}/static/{STATIC_NAME}", len(body))
        measure(
            "static: python -m http.server",
            f"http://127.0.0.1:{static_port}/{STATIC_NAME}",
            len(body),
        )
    facts = {
        "cache": "local memory (per worker)",
        "database": "SQLite (scratch file)",
        "snapshot rows": str(len(snapshot["rows"])),
        "model": model,
        "cpus": str(os.cpu_count()),
    }
    return results, facts


if __name__ == "__main__":
    main()
