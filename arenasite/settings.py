"""The one settings module. Every knob comes from the environment (see .env.example).

No environment at all is the embedded default: SQLite (WAL), a local-memory cache and a
Celery broker on the filesystem, so the site runs with no servers. ``DATABASE_URL`` moves
the database to PostgreSQL; ``REDIS_URL`` moves the cache and the Celery broker to Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    # A developer's .env; real deployments set the environment itself. Read first, so every
    # variable below (ARENA_VAR_DIR included) may come from it.
    env.read_env(BASE_DIR / ".env", overwrite=False)

# SQLite file, beat schedule, filesystem broker. Only named here: importing settings writes
# nothing; the SQLite backend and the Celery app create the folders they use.
VAR_DIR = Path(env.str("ARENA_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the site is reached from outside: links in mails (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "leaderboard.apps.ArenaAdminConfig",  # django.contrib.admin with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",  # audit trail of curation (who, when, what, why)
    "axes",  # login throttling against password guessing
    "corsheaders",  # CORS for the public API (GET under /api/ only)
    "leaderboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "arenasite.csp.ContentSecurityPolicyMiddleware",  # Django's, its policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GET/HEAD of a cached public page is answered here, before sessions, CSRF,
    # auth and messages; the headers of the middleware below were recorded with the page.
    "leaderboard.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, as its docs require; it acts on CORS_URLS_REGEX only.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as its docs require: turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arenasite.urls"
WSGI_APPLICATION = "arenasite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "arenasite.sqlite3"  # Django's, creating its folder
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes a snapshot; IMMEDIATE takes
        # the write lock up front so two writers queue instead of failing with "locked".
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The entry index by model INCLUDEs the rank for PostgreSQL (the organisation page reads it
# alone); SQLite keeps the plain two-column index, as intended: no warning at every start.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache and broker -------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
# The cache fails open (arenasite/cache.py): a Redis that refuses or hangs costs a page its
# socket timeout once, then is skipped for ARENA_CACHE_BREAKER_SECONDS; pages render uncached.
ARENA_CACHE_TIMEOUT = env.float("ARENA_CACHE_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "arenasite.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "arena",
            "BREAKER_SECONDS": env.float("ARENA_CACHE_BREAKER_SECONDS", default=5.0),
            "LOG_INTERVAL": 60,
            "OPTIONS": {
                "socket_connect_timeout": ARENA_CACHE_TIMEOUT,
                "socket_timeout": ARENA_CACHE_TIMEOUT,
            },
        }
    }
else:
    # Room for every board's page and exports in both languages (two entries each: gzip and
    # brotli) plus filtered views; Django's default of 300 would evict plain boards.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
# Seconds a broker connect or reply may take (must exceed kombu's 1 s BRPOP wait). A publish
# from a web request tries twice at most, so a dead broker costs it seconds, not minutes.
ARENA_BROKER_TIMEOUT = env.float("ARENA_BROKER_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# /readyz: how long the broker check may wait (the cache uses ARENA_CACHE_TIMEOUT).
ARENA_READINESS_TIMEOUT = env.float("ARENA_READINESS_TIMEOUT", default=1.0)
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: real Celery messages, no broker server. One folder
    # serves as both inbox and outbox so the worker sees what beat publishes. arenasite.celery
    # creates the folders.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # The Redis visibility timeout must exceed the hard time limit, or a long task would be
    # redelivered to a second worker while the first still runs it. Socket timeouts: without
    # them a Redis that accepts and never answers holds a publishing web request for ever.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": ARENA_BROKER_TIMEOUT,
        "socket_timeout": ARENA_BROKER_TIMEOUT,
    }

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in the database (ImportRun)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = False  # opted into per task, only where the task is idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

_visibility_timeout = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if _visibility_timeout is not None and _visibility_timeout <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must stay below the visibility timeout.")


def _cron(value: str) -> crontab:
    """A five-field cron expression ("m h dom mon dow") from the environment."""
    fields = value.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"Expected a five-field cron expression, got {value!r}.")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


# The schedule is data: keys are named by cadence so a reader sees how often each runs.
CELERY_BEAT_SCHEDULE = {
    # Proves the beat → broker → worker → database chain end to end; /healthz reports its age.
    # Upstream publishes about daily; hourly polling finds it within the hour, and an
    # unchanged dataset revision costs one small request.
    "hourly-import-sources": {
        "task": "leaderboard.tasks.import_enabled_sources",
        "schedule": _cron(env.str("ARENA_IMPORT_CRON", default="23 * * * *")),
    },
    # After the hourly import: a stale board or failing source mails ADMINS once per incident.
    "hourly-freshness-alerts": {
        "task": "leaderboard.tasks.send_freshness_alerts",
        "schedule": crontab(minute=53),
    },
    # Model facts from the installed catalogue package: it changes only when the package is
    # upgraded, so daily is plenty; curated values are never overwritten.
    # The history blocks are rebuilt after every change (with the page warm-up); hourly as
    # well, so they are built after a deploy and catch up after a broker outage.
    "hourly-refresh-history-blocks": {
        "task": "leaderboard.tasks.refresh_history_blocks",
        "schedule": crontab(minute=33),
    },
    "daily-enrich-models": {
        "task": "leaderboard.tasks.enrich_models",
        "schedule": crontab(minute=41, hour=4),
    },
    "frequent-heartbeat": {
        "task": "leaderboard.tasks.record_heartbeat",
        "schedule": timedelta(seconds=env.int("ARENA_HEARTBEAT_SECONDS", default=300)),
    },
    # Fails runs whose process died and resends uploads no worker picked up.
    "every-minute-sweep-import-runs": {
        "task": "leaderboard.tasks.sweep_import_runs",
        "schedule": timedelta(seconds=60),
    },
}

# --- Upstream ---------------------------------------------------------------------------

ARENA_ALLOWED_UPSTREAM_HOSTS = [
    "datasets-server.huggingface.co",
    "huggingface.co",
    "arena.ai",
    "lmarena.ai",
    "raw.githubusercontent.com",
    *env.list("ARENA_ALLOWED_UPSTREAM_HOSTS", default=[]),
]
# A snapshot with more than this share fewer rows than the board's previous one is rejected.
ARENA_MAX_ROW_DROP = env.float("ARENA_MAX_ROW_DROP", default=0.5)
# A snapshot replaced by a newer version of its date is deleted this long after: longer than
# any request that may still be reading it.
ARENA_SUPERSEDED_GRACE_SECONDS = env.int("ARENA_SUPERSEDED_GRACE_SECONDS", default=600)
# An import's lease on its board, renewed by the run's heartbeat every third of it: a killed
# import blocks its board (and stays "running") for at most this long.
ARENA_IMPORT_CLAIM_SECONDS = env.int("ARENA_IMPORT_CLAIM_SECONDS", default=60)
# A payload whose board another import holds is retried after this many seconds, doubling.
ARENA_IMPORT_BUSY_RETRY_SECONDS = env.int("ARENA_IMPORT_BUSY_RETRY_SECONDS", default=30)
ARENA_IMPORT_BUSY_RETRIES = env.int("ARENA_IMPORT_BUSY_RETRIES", default=6)
ARENA_FETCH_MAX_BYTES = env.int("ARENA_FETCH_MAX_BYTES", default=64 * 1024 * 1024)
ARENA_FETCH_CONNECT_TIMEOUT = env.float("ARENA_FETCH_CONNECT_TIMEOUT", default=10.0)
ARENA_FETCH_READ_TIMEOUT = env.float("ARENA_FETCH_READ_TIMEOUT", default=30.0)
ARENA_FETCH_DEADLINE = env.float("ARENA_FETCH_DEADLINE", default=120.0)
ARENA_FETCH_ATTEMPTS = env.int("ARENA_FETCH_ATTEMPTS", default=3)
ARENA_FETCH_BACKOFF = env.float("ARENA_FETCH_BACKOFF", default=2.0)

# How long a rendered page or export stays cached. Keys change with the data, so these only
# bound memory: plain board views are few; filtered ones are as many as visitors can type.
ARENA_PAGE_CACHE_SECONDS = env.int("ARENA_PAGE_CACHE_SECONDS", default=24 * 3600)
ARENA_FILTERED_PAGE_CACHE_SECONDS = env.int("ARENA_FILTERED_PAGE_CACHE_SECONDS", default=600)
# After each import or curation change a worker renders every board's plain views (both
# languages, page and exports) into the cache, so no visitor pays the miss (a shared cache
# only: a worker cannot fill the web processes' local memory).
ARENA_WARM_PAGES = env.bool("ARENA_WARM_PAGES", default=True)
# With the local-memory cache, the content token (cache_keys) is this file, read by every
# process on the machine; with Redis it lives in Redis.
ARENA_CONTENT_TOKEN_FILE = VAR_DIR / "content-token"

# Freshness (/status/, the admin banner, /readyz, alert mails): a board whose published
# snapshot is older than this is stale; a source whose last N finished runs all failed or
# were rejected is failing. Alerts go to ADMINS ("Name <addr>, Name <addr>"), once per incident.
ARENA_STALE_AFTER_HOURS = env.float("ARENA_STALE_AFTER_HOURS", default=48)
ARENA_FAILING_AFTER_RUNS = env.int("ARENA_FAILING_AFTER_RUNS", default=3)
ADMINS = env.list("ADMINS", default=[])
SERVER_EMAIL = env.str("SERVER_EMAIL", default="arena@localhost")
# One URL for the mail server, e.g. smtp+tls://user:password@smtp.example.org:587
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
EMAIL_TIMEOUT = 10

# --- Public API (/api/v1/, leaderboard/api/) --------------------------------------------

# Requests per client (its address) through the cache, e.g. "120/m"; empty: no limit. A cache
# that is down lets every request through (it fails open). Behind N proxies that append to
# X-Forwarded-For, ARENA_API_PROXIES=N takes the client's address from there.
ARENA_API_RATE_LIMIT = env.str("ARENA_API_RATE_LIMIT", default="120/m")
NINJA_NUM_PROXIES = env.int("ARENA_API_PROXIES", default=0)
# Browser caches and proxies may keep an answer this long (seconds); permalinks longer.
ARENA_API_MAX_AGE = env.int("ARENA_API_MAX_AGE", default=60)
ARENA_API_PERMALINK_MAX_AGE = env.int("ARENA_API_PERMALINK_MAX_AGE", default=86400)
# How long a rendered API answer stays in the cache (keys change with the data).
ARENA_API_CACHE_SECONDS = env.int("ARENA_API_CACHE_SECONDS", default=600)
# Read-only and credential-free: any origin may GET it; nothing else is offered.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOWED_ORIGINS = env.list("ARENA_API_CORS_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# --- Auth, i18n, static -----------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Failed logins allowed per username + IP before that pair is locked out for the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Counted per username + IP and per IP alone; axes locks when either count reaches the limit
# (one limit for all combinations), so one address spraying passwords over many usernames is
# stopped after AXES_FAILURE_LIMIT failures in all, and a guesser elsewhere never locks a
# curator out of their own address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["arenasite.formats"]  # thousands separators in Chinese too (3,298)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------------------

# No inline script anywhere, no asset from another host.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Only once every subdomain serves HTTPS: browsers then refuse plain HTTP for all of them, and
# a preload listing takes months to undo.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every process start; only its warnings matter here.
    "loggers": {"axes": {"level": "WARNING"}},
}
