"""Test settings: the real settings, driven by the same environment, with test-only speedups."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from arenasite.settings import *  # noqa: F403

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
