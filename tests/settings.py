"""Test settings: the real settings, driven by the same environment, with test-only speedups."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

# The xdist worker this process is (0 outside xdist), for what two workers must not share.
TEST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
# Each worker its own Redis database (1, 2, …): Django's cache.clear() is FLUSHDB, and the
# cache, the content token and the Celery queues would otherwise be the other worker's too.
# Set in the environment, so the processes a test starts (gunicorn, worker, beat) use it too.
# A second one per worker (9, 10, …) for tests that build a Redis cache of their own.
REDIS_SPARE_DB = 9 + TEST_WORKER
if _redis_url := os.environ.get("REDIS_URL"):
    _parts = urlsplit(_redis_url)
    if TEST_WORKER > 6 or _parts.scheme not in ("redis", "rediss") or "db=" in _parts.query:
        raise RuntimeError(
            f"tests give each of at most 7 workers a Redis database of its own, named in the "
            f"URL's path: REDIS_URL={_redis_url!r} with worker {TEST_WORKER} cannot have one"
        )
    os.environ["REDIS_URL"] = _parts._replace(path=f"/{1 + TEST_WORKER}").geturl()

from arenasite.settings import *  # noqa: E402, F403 (after the environment it reads)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# SQLite test databases are files, not memory: tests that start subprocesses or threads (a
# killed import, concurrent imports) must see the same database. Every test database is named
# after the test process, so two runs at once (or xdist workers) never share one.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
# Bumps would queue real warm-up tasks in the filesystem broker that no worker reads; the
# warm-up tests turn it on (and run the task) themselves.
ARENA_WARM_PAGES = False
# Each test process (xdist worker) its own content token, as it has its own database: another
# process's bump would stale this one's cached pages mid-test.
ARENA_CONTENT_TOKEN_FILE = VAR_DIR / f"content-token-{os.getpid()}"  # noqa: F405
