"""Page benchmark: the board page as gunicorn serves it, against the same bytes as a static file.

Builds a scratch site (SQLite in a temporary ARENA_VAR_DIR, migrate + collectstatic +
load_bundled_data), starts `gunicorn arenasite.wsgi -w 2` on loopback with DEBUG off, and
measures each scenario with one bounded `wrk` run (requests/s, p50, p99):

  cached page    /text/overall/, served from the page cache (gzip, as browsers ask; also
                 brotli and identity)
  304            If-None-Match with the page's ETag
  exports        export.csv, export.json, export.md (cached like the page)
  static         the cached page's exact bytes (gzip) from whitenoise (/static/…) and from a
                 plain `python -m http.server`, as the floor the others are compared with
  cache miss     323 rows under a fresh query string per request (rank_max=<unique>), so every
                 request renders and stores the page; also timed sequentially by one client for
                 an unqueued median, at 323 rows and at 266 (the seed's date, as_of=2025-11-18)
  under import   the cached page while imports publish new snapshots in another process (each
                 one stales every entry: the next requests render again); errors and p99
                 against the idle cached page

    python scripts/bench_pages.py [--redis [URL]] [--duration 10] [--connections 16]

Prints one table; the figures go in notes, not in tests. Needs `wrk` (Debian: apt-get install
wrk). Everything runs on 127.0.0.1 and the scratch folder is removed afterwards.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BOARD = "/text/overall/"
STATIC_NAME = "bench/board.html"
STARTUP_SECONDS = 30
SEQUENTIAL_MISSES = 40
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
GZIP = {"Accept-Encoding": "gzip"}
# A payload the bundled data does not hold; each import changes one vote count in it, so each
# publishes a new version of its date (and stales every cached page).
IMPORT_PAYLOAD = REPO / "tests/data/upstream/csv-fboulnois/lmarena_text_csv_2025-08-04.csv"

# Each wrk thread has its own Lua state: the thread number keeps query strings unique across
# threads. rank_max far above the row count keeps every row, so each miss renders the full page.
MISS_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local counter = 0
function request()
  counter = counter + 1
  return wrk.format(nil, "%s?rank_max=" .. (id * 100000000 + counter + 1000000))
end
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int
    errors: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True
    )


def wait_until_up(port: int, path: str = "/healthz") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            status, _, _ = get(port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port}{path} within {STARTUP_SECONDS}s")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[None]:
    """A child in its own process group, stopped (the whole group) on the way out."""
    with log.open("w") as out:
        child = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield
        finally:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def gunicorn(port: int, workers: int) -> list[str]:
    return [str(BIN / "gunicorn"), "arenasite.wsgi", "-w", str(workers),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def settle(port: int) -> None:
    """Wait until the workers are idle: requests still queued from the last run (wrk stops
    sending, not the server working) would otherwise be billed to the next scenario."""
    fast_in_a_row = 0
    deadline = time.monotonic() + STARTUP_SECONDS
    while fast_in_a_row < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        get(port, "/healthz")
        fast_in_a_row = fast_in_a_row + 1 if time.perf_counter() - started < 0.05 else 0
    time.sleep(0.5)


def run_wrk(
    name: str,
    url: str,
    args: argparse.Namespace,
    *,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    body_bytes: int,
    settle_port: int,
) -> Result:
    settle(settle_port)
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "--latency", "--timeout", "10s"]  # fmt: skip
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], check=True, capture_output=True, text=True, timeout=args.duration + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])  # type: ignore[index]
    problems = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        problems.append(f"{match[1]} non-2xx/3xx")
    if match := re.search(r"Socket errors: (.+)", output):
        problems.append(match[1].strip())
    return Result(name, rps, p50, p99, body_bytes, "; ".join(problems) or "-")


def sequential_misses(port: int, *, query: str = "", label: str = "323 rows") -> Result:
    """One client, one request at a time: the render time without queueing behind others."""
    settle(port)
    timings = []
    size = 0
    for n in range(SEQUENTIAL_MISSES):
        started = time.perf_counter()
        status, _, body = get(port, f"{BOARD}?{query}rank_max={9_000_000_000 + n}")
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"cache-miss request answered {status}")
        size = len(body)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    return Result(
        f"render, 1 client, {label}",
        1000 / statistics.mean(timings),
        statistics.median(timings),
        p99,
        size,
        "-",
    )


def under_import(
    env: dict[str, str],
    port: int,
    args: argparse.Namespace,
    base: str,
    size: int,
    results: list[Result],
) -> int:
    """The cached page under wrk while another process imports new snapshots in a loop;
    returns how many imports published during the run."""
    stop = threading.Event()
    published = 0

    lines = IMPORT_PAYLOAD.read_text(encoding="utf-8").splitlines(keepends=True)
    payload = Path(env["ARENA_VAR_DIR"]) / "bench-import" / IMPORT_PAYLOAD.name
    payload.parent.mkdir(parents=True, exist_ok=True)

    def imports() -> None:
        nonlocal published
        for n in itertools.count(1):
            if stop.is_set():
                return
            cells = lines[1].split(",")
            cells[5] = str(int(cells[5]) + n)
            payload.write_text("".join([lines[0], ",".join(cells), *lines[2:]]), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "manage.py", "import_leaderboard", str(payload)],
                cwd=REPO, env=env, capture_output=True, text=True,
            )  # fmt: skip
            published += re.search(r", [1-9]\d* published", done.stdout) is not None

    worker = threading.Thread(target=imports, daemon=True)
    settle(port)
    worker.start()
    try:
        results.append(
            run_wrk(
                "cached page while importing",
                base + BOARD,
                args,
                headers=GZIP,
                body_bytes=size,
                settle_port=port,
            )
        )
    finally:
        stop.set()
        worker.join(timeout=120)
    return published


RENDER_PROBE = """
import json, os, statistics, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arenasite.settings")
import django
django.setup()
from django.test import RequestFactory
from django.utils import translation
from leaderboard.views import BoardView
view, factory = BoardView.as_view(), RequestFactory()
translation.activate("en")
out = {}
for label, extra in (("323 rows", {}), ("266 rows", {"as_of": "2025-11-18"})):
    cpu, wall = [], []
    for n in range(%d):
        request = factory.get("/text/overall/", {"rank_max": 10**9 + n, **extra})
        started, started_cpu = time.perf_counter(), time.process_time()
        response = view(request, arena="text", category="overall")
        assert response.status_code == 200, response.status_code
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    out[label] = {"cpu": statistics.median(cpu[3:]), "wall": statistics.median(wall[3:])}
print(json.dumps(out))
"""


def render_medians(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """The view alone (no HTTP, no middleware) in one process: median wall and CPU time of an
    uncached render. CPU time stays meaningful on a machine other processes load."""
    import json

    probe = subprocess.run(
        [sys.executable, "-c", RENDER_PROBE % (SEQUENTIAL_MISSES + 3)],
        cwd=REPO, env={**env, "ALLOWED_HOSTS": "testserver"}, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(probe.stdout.strip().splitlines()[-1]))


def build_site(scratch: Path, redis_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-" + hashlib.sha256(str(scratch).encode()).hexdigest(),
        ARENA_VAR_DIR=str(scratch / "var"),
        STATIC_ROOT=str(scratch / "static"),
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "load_bundled_data")
    return env


def forget_cached_pages(redis_url: str) -> None:
    """Drop the page entries this run stored in Redis (every miss stored one)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="arena:*:page:*", count=1000))
    if keys:
        client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--redis",
        nargs="?",
        const=DEFAULT_REDIS,
        default="",
        help=f"use Redis as the cache (default URL when given bare: {DEFAULT_REDIS})",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    scratch = Path(tempfile.mkdtemp(prefix="arena-bench-pages-"))
    try:
        results, facts = bench(scratch, args)
    finally:
        if args.redis:
            forget_cached_pages(args.redis)
        if args.keep:
            print(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print_table(results, facts, args)


def bench(scratch: Path, args: argparse.Namespace) -> tuple[list[Result], dict[str, str]]:
    print(f"building the site in {scratch} …", file=sys.stderr)
    env = build_site(scratch, args.redis)
    port = free_port()
    command = gunicorn(port, args.workers)

    # Whitenoise indexes STATIC_ROOT at start-up (DEBUG off), so the page bytes must be in
    # place before the gunicorn that serves them starts: render once, stop, copy, restart.
    with process(command, env, scratch / "gunicorn-1.log", REPO):
        wait_until_up(port)
        status, _, page = get(port, BOARD)
        status_gz, headers_gz, page_gz = get(port, BOARD, GZIP)
        if status != 200 or status_gz != 200:
            raise SystemExit(f"{BOARD} answered {status}; see {scratch / 'gunicorn-1.log'}")
    # The same bytes as static files: whitenoise serves the .gz to a client asking for gzip.
    static_file = scratch / "static" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes(page)
    if headers_gz.get("Content-Encoding") == "gzip":
        static_file.with_name(static_file.name + ".gz").write_bytes(page_gz)

    miss_script = scratch / "miss.lua"
    miss_script.write_text(MISS_SCRIPT % BOARD)
    facts: dict[str, str] = {}
    static_port = free_port()
    plain_server = [sys.executable, "-m", "http.server", str(static_port), "-b", "127.0.0.1"]
    results: list[Result] = []
    with (
        process(command, env, scratch / "gunicorn-2.log", REPO),
        process(plain_server, env, scratch / "http-server.log", scratch / "static"),
    ):
        wait_until_up(port)
        wait_until_up(static_port, f"/{STATIC_NAME}")
        for _ in range(4 * args.workers):  # every worker's cache (locmem is per process)
            status, headers, body = get(port, BOARD, GZIP)
        etag = headers["ETag"]
        rows = gzip.decompress(body).count(b"<tr") - 1 if body[:2] == b"\x1f\x8b" else 0
        static_headers, served_static = get(port, f"/static/{STATIC_NAME}", GZIP)[1:]
        if not (body == page_gz == served_static):
            raise SystemExit("the page, its saved copy and whitenoise's answer differ")
        if static_headers.get("Content-Encoding") != headers.get("Content-Encoding"):
            raise SystemExit("whitenoise did not serve the same encoding as the page")
        if get(port, BOARD, {"If-None-Match": etag, **GZIP})[0] != 304:
            raise SystemExit("a matching ETag did not answer 304")

        base = f"http://127.0.0.1:{port}"
        static_base = f"http://127.0.0.1:{static_port}"
        page_size = len(page_gz)

        def measure(name: str, url: str, size: int, **options: Any) -> Result:
            options.setdefault("headers", GZIP)
            result = run_wrk(name, url, args, body_bytes=size, settle_port=port, **options)
            results.append(result)
            return result

        idle = measure("cached page (gzip)", base + BOARD, page_size)
        brotli_size = len(get(port, BOARD, {"Accept-Encoding": "br"})[2])
        measure("cached page (br)", base + BOARD, brotli_size, headers={"Accept-Encoding": "br"})
        measure("cached page (identity)", base + BOARD, len(page), headers={})
        measure("304 (If-None-Match)", base + BOARD, 0, headers={"If-None-Match": etag, **GZIP})
        for ext in ("csv", "json", "md"):
            path = f"{BOARD}export.{ext}"
            size = len(get(port, path, GZIP)[2])  # also fills its cache entry
            measure(f"export.{ext} (gzip)", base + path, size)
        measure("static: whitenoise (gzip)", f"{base}/static/{STATIC_NAME}", page_size)
        measure("static: http.server (identity)", f"{static_base}/{STATIC_NAME}", len(page),
                headers={})  # fmt: skip
        measure("cache miss (unique query)", base + BOARD, page_size, script=miss_script)
        results.append(sequential_misses(port))
        results.append(sequential_misses(port, query="as_of=2025-11-18&", label="266 rows"))
        imported = under_import(env, port, args, base, page_size, results)
        loaded = results[-1]
        results[-1] = dataclasses.replace(
            loaded,
            errors=f"{loaded.errors}; {imported} imports published; "
            f"p99 {loaded.p99_ms / idle.p99_ms:.1f}× idle",
        )
    for label, median in render_medians(env).items():
        facts[f"render {label} (view only)"] = (
            f"{median['wall']:.1f} ms wall, {median['cpu']:.1f} ms CPU median"
        )
    facts |= {
        "cache": f"Redis {args.redis}" if args.redis else "local memory (per worker)",
        "database": "SQLite (scratch file)",
        "board rows": str(rows),
        "page bytes": str(len(page)),
        "cpus": str(os.cpu_count()),
    }
    return results, facts


def print_table(
    results: list[Result],
    facts: dict[str, str],
    args: argparse.Namespace,
    floor_name: str = "static: whitenoise (gzip)",
) -> None:
    """The results as a table, each beside ``floor_name``'s requests per second."""
    floor = next(r for r in results if r.name == floor_name)
    print()
    print(
        f"gunicorn -w {args.workers} (sync workers), DEBUG=0; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s on loopback; "
        + "; ".join(f"{key}: {value}" for key, value in facts.items())
    )
    header = (
        f"| {'scenario':<32} | {'req/s':>9} | {'p50 ms':>8} | {'p99 ms':>8} | {'bytes':>8} "
        f"| {'× static req/s':>18} | errors |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for r in results:
        print(
            f"| {r.name:<32} | {r.requests_per_second:>9.1f} | {r.p50_ms:>8.2f} | "
            f"{r.p99_ms:>8.2f} | {r.body_bytes:>8} | "
            f"{r.requests_per_second / floor.requests_per_second:>18.3f} | {r.errors} |"
        )


if __name__ == "__main__":
    main()
