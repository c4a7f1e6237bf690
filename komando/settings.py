"""Komando settings. Everything that differs between machines comes from the environment."""

from pathlib import Path

import dj_database_url

from komando.core.city import CityDataInvalid, read_city
from komando.core.env import env_bool, env_float, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("KOMANDO_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "komando-insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "komando.core",
    "komando.accounts",
    "komando.audit",
    "komando.regions",
    "komando.agencies",
    "komando.sources",
    "komando.assets",
    "komando.metrics",
    "komando.development",
    "komando.hazards",
    "komando.realtime",
    "komando.api",
    "komando.dashboard",
    "komando.imports",
    "komando.fieldops",
    "komando.services",
    "komando.devices",
    "komando.operator_map",
    "komando.complaints",
    "komando.incidents",
    "komando.alerts",
    "komando.situation",
    "komando.wall",
    "komando.reports",
    "komando.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "komando.dashboard.middleware.InstallationLanguageMiddleware",  # Indonesian unless chosen otherwise
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "komando.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "komando.urls"
ASGI_APPLICATION = "komando.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "komando.core.context_processors.city_clock",
                "komando.dashboard.navigation.navigation",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, DATABASE_URL selects PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    # A connection pool (psycopg_pool): under ASGI every request runs its sync code in a thread of its
    # own, so per-thread persistent connections would open one connection per request and pile up
    # ("too many clients"); the pool lends each request a connection and takes it back at its end.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if env_bool("KOMANDO_DB_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("KOMANDO_DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("KOMANDO_DB_POOL_MAX_SIZE", 20),
            "timeout": env_float("KOMANDO_DB_POOL_TIMEOUT_SECONDS", 10.0),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "komando.sqlite3")),
            "OPTIONS": {
                # WAL lets the ingest threads write while pages read; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Live bus: in-memory by default, Redis across processes.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache (the /lapor/ rate limit, the scorecard): one Redis shared by every process when REDIS_URL is
# set, so N web processes count one limit and a restart keeps it; otherwise each process's own memory.
# KOMANDO_CACHE_KEY_PREFIX keeps two installations (or test runs) on one Redis apart.
CACHE_KEY_PREFIX = env_str("KOMANDO_CACHE_KEY_PREFIX", "komando")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Language and time: Bahasa Indonesia first, English second; stored in UTC, shown in the city's
# zone (``timezone`` of its city.json, see "The city" below; komando.core.clock asks the same city).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded files (incident photos): kept in the var dir, never served as public files. No URL maps
# MEDIA_URL; staff read photos through an access-checked view (komando.incidents.field.views).
MEDIA_ROOT = Path(env_str("KOMANDO_MEDIA_DIR", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # One error shape for every JSON endpoint: {"error": {"code", "message", "fields"}}.
    "EXCEPTION_HANDLER": "komando.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Komando API",
    "DESCRIPTION": "Public Information System and command-center data of the city.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Two choice sets are both called "status": name them after what they grade.
    "ENUM_NAME_OVERRIDES": {"DevelopmentStatusEnum": "komando.development.progress.STATUSES"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "komando": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        # httpx logs every request at INFO; connectors report failures themselves.
        "httpx": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # gmqtt (the MQTT ingest's client) logs every subscription and connection at INFO.
        "gmqtt": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- The city this installation serves: a folder of data files, nothing city-specific in code.
KOMANDO_CITY_DIR = Path(env_str("KOMANDO_CITY_DIR", str(BASE_DIR / "data" / "cities" / "kota-tangerang")))


def city_fact(key: str, default: str = "") -> str:
    """A default taken from the city's ``city.json`` (the city's own check reports a broken file)."""
    try:
        return str(read_city(KOMANDO_CITY_DIR).get(key) or default)
    except CityDataInvalid:
        return default


# The city's zone is the project's zone: Django's localtime(), forms and templates use it.
TIME_ZONE = read_city(KOMANDO_CITY_DIR).timezone

# Ingest: a source whose last success is older than this many schedule intervals shows as stale.
KOMANDO_STALE_AFTER_INTERVALS = env_float("KOMANDO_STALE_AFTER_INTERVALS", 2.0)
# Multiplies every connector's schedule (tests and demos may speed sources up, e.g. 0.1).
KOMANDO_SCHEDULE_SCALE = env_float("KOMANDO_SCHEDULE_SCALE", 1.0)
KOMANDO_HTTP_TIMEOUT = env_float("KOMANDO_HTTP_TIMEOUT", 10.0)
KOMANDO_INGEST_WORKERS = env_int("KOMANDO_INGEST_WORKERS", 4)
# Field devices over MQTT (blank: no MQTT ingest; `komando demo` starts an embedded broker).
KOMANDO_MQTT_URL = env_str("KOMANDO_MQTT_URL", "")
KOMANDO_MQTT_CLIENT_ID = env_str("KOMANDO_MQTT_CLIENT_ID", "komando-ingest")
KOMANDO_MQTT_TOPIC_PREFIX = env_str("KOMANDO_MQTT_TOPIC_PREFIX", city_fact("mqtt_topic_prefix", KOMANDO_CITY_DIR.name))
KOMANDO_MQTT_PROTOCOL = env_str("KOMANDO_MQTT_PROTOCOL", "5")  # "3.1.1" for brokers without MQTT 5

# --- Incidents (issue 4). Open311 API keys are read by komando.incidents.open311.config from
# KOMANDO_OPEN311_API_KEYS (or KOMANDO_OPEN311_API_KEYS_FILE), never kept in settings dumps.
# Ticket numbers: "<prefix>-<yymm>-<n>"; blank = the city's incidents.json (e.g. "TNG").
KOMANDO_INCIDENT_TICKET_PREFIX = env_str("KOMANDO_INCIDENT_TICKET_PREFIX", "")
# A new report this close (metres) to an open incident of the same category, within this many
# hours of its last report, is proposed to the operator as a duplicate.
KOMANDO_INCIDENT_DUPLICATE_RADIUS_M = env_float("KOMANDO_INCIDENT_DUPLICATE_RADIUS_M", 150.0)
KOMANDO_INCIDENT_DUPLICATE_WINDOW_HOURS = env_float("KOMANDO_INCIDENT_DUPLICATE_WINDOW_HOURS", 72.0)
# Largest photo a resident or an officer may send, in bytes.
KOMANDO_REPORT_PHOTO_MAX_BYTES = env_int("KOMANDO_REPORT_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# New reports per client address: "<reports>/<seconds>"; "0/1" turns the limit off (behind a proxy).
KOMANDO_REPORT_RATE_LIMIT = env_str("KOMANDO_REPORT_RATE_LIMIT", "30/600")
# A unit's position older than this many minutes is "stale" when recommending units to dispatch.
KOMANDO_DISPATCH_FRESH_MINUTES = env_float("KOMANDO_DISPATCH_FRESH_MINUTES", 10.0)

# --- Alerts (issue 5): rules evaluated every N seconds (in `komando serve`, or `komando evaluate_alerts --loop`).
KOMANDO_ALERTS_INTERVAL_SECONDS = env_float("KOMANDO_ALERTS_INTERVAL_SECONDS", 30.0)
KOMANDO_ALERTS_NOTIFY_ATTEMPTS = env_int("KOMANDO_ALERTS_NOTIFY_ATTEMPTS", 5)  # per notification, then failed
KOMANDO_ALERTS_RETRY_SECONDS = env_float("KOMANDO_ALERTS_RETRY_SECONDS", 60.0)  # first retry; doubles after
KOMANDO_ALERTS_WEBHOOK_SECRET = env_str("KOMANDO_ALERTS_WEBHOOK_SECRET", "")  # HMAC-SHA256 of webhook bodies
# CAP <sender>: blank = komando@ the city's Open311 jurisdiction (its web root), e.g. komando@tangerangkota.go.id.
KOMANDO_ALERTS_CAP_SENDER = env_str("KOMANDO_ALERTS_CAP_SENDER", f"komando@{city_fact('open311_jurisdiction_id', 'localhost')}")
KOMANDO_PUBLIC_URL = env_str("KOMANDO_PUBLIC_URL", "http://127.0.0.1:8000")  # links in notifications and CAP
# Outgoing e-mail (alert notifications): Django's backend, SMTP by default.
EMAIL_BACKEND = env_str("KOMANDO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("KOMANDO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KOMANDO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("KOMANDO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("KOMANDO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KOMANDO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_float("KOMANDO_EMAIL_TIMEOUT", 10.0)
DEFAULT_FROM_EMAIL = env_str("KOMANDO_EMAIL_FROM", "Komando <komando@localhost>")

# Parallel test runs against one PostgreSQL server need distinct test databases.
if env_str("KOMANDO_TEST_DB_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("KOMANDO_TEST_DB_NAME")
