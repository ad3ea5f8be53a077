"""One environment-driven settings module.

Every deployment knob comes from a ``SHAILOO_*`` environment variable so that the same code
runs the embedded demo (SQLite under ``var/``) and a production site (PostgreSQL, real
secrets). Production mode refuses to start with the development defaults.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SHAILOO_VAR_DIR", Path.cwd() / "var")).resolve()

ENVIRONMENT = os.environ.get("SHAILOO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "dev-insecure-secret-do-not-use-in-production"
SECRET_KEY = os.environ.get("SHAILOO_SECRET_KEY", _DEV_SECRET)
DEBUG = os.environ.get("SHAILOO_DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SHAILOO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0") == "1"


# Cookies travel only over HTTPS in production; turning that off there is refused below.
SESSION_COOKIE_SECURE = _flag("SHAILOO_SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = _flag("SHAILOO_CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_SAMESITE = os.environ.get("SHAILOO_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("SHAILOO_ENV=production refuses SHAILOO_DEBUG=1")
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SHAILOO_ENV=production needs SHAILOO_SECRET_KEY (50+ characters, not the dev default)"
        )
    if not (SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE):
        raise ImproperlyConfigured(
            "SHAILOO_ENV=production refuses insecure cookies "
            "(SHAILOO_SESSION_COOKIE_SECURE / SHAILOO_CSRF_COOKIE_SECURE must stay 1)"
        )
    if SESSION_COOKIE_SAMESITE not in ("Lax", "Strict"):
        raise ImproperlyConfigured(
            "SHAILOO_ENV=production refuses SHAILOO_COOKIE_SAMESITE other than Lax or Strict"
        )
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("SHAILOO_ENV=production refuses SHAILOO_ALLOWED_HOSTS=*")
    from shailoo.accounts.crypto import KeyConfigError, load_keyring

    try:
        load_keyring(os.environ, VAR_DIR, production=True, create=False)
    except KeyConfigError as exc:
        raise ImproperlyConfigured(str(exc)) from exc

INSTALLED_APPS = [
    # Before the admin, so that the admin sees the per-language name fields it adds.
    "modeltranslation",
    "shailoo.accounts.apps.ShailooAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "axes",
    "shailoo.accounts",
    "shailoo.common",
    "shailoo.integrity",
    "shailoo.geo",
    "shailoo.elections",
    "shailoo.register",
    "shailoo.incidents",
    "shailoo.biometrics",
    "shailoo.biometrics.dedup",
    "shailoo.candidates",
    "shailoo.finance",
    "shailoo.polling",
    "shailoo.counting",
    "shailoo.counting.audits",
    "shailoo.counting.results",
    "shailoo.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shailoo.accounts.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Public results pages whole from the cache until a protocol changes (results.cache): here,
    # once the language and the CSRF cookie are known, before everything a cached page skips.
    "shailoo.counting.results.cache.PublicPageCache",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "shailoo.common.web.RefusalMiddleware",
    # Requests by view, method and status class, and their latency (common.metrics).
    "shailoo.common.metrics.MetricsMiddleware",
]

ROOT_URLCONF = "shailoo.urls"
WSGI_APPLICATION = "shailoo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {{ n|unlocalize }} everywhere without a load line: station numbers, ids in
            # URLs and attributes, SVG coordinates stay raw (docs/translations.md).
            "builtins": ["django.templatetags.l10n"],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("SHAILOO_DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'shailoo.sqlite3'}"
    # `shailoo serve` keeps each thread's connection for a minute (SHAILOO_DB_CONN_MAX_AGE=60):
    # opening one per request (and, with SQLite, checkpointing the WAL when the last one
    # closes) cost more than a cached answer. Checked before each request's first use.
    keep = int(os.environ.get("SHAILOO_DB_CONN_MAX_AGE", "0"))
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=keep, conn_health_checks=keep > 0)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while an import writes; IMMEDIATE avoids
        # lock-upgrade deadlocks between concurrent writers.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes watches every password check (it must come first); roles answer permissions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shailoo.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # reads hashes made before Argon2
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English")]


def default_language(wanted: str) -> str:
    """The site's default language: Kyrgyz, the state language, unless the operator names
    another of the three (``SHAILOO_LANGUAGE_CODE``; empty is unset). A reader who asks (the
    language switch, the browser's Accept-Language) gets their own; this one is for everybody
    else: a browser asking only for German, a program sending no header, a subscriber who chose
    nothing. Anything else is refused at start-up: a typo would otherwise serve a language
    the catalogues do not have, in English, without anyone noticing."""
    wanted = wanted or "ky"
    offered = [code for code, _name in LANGUAGES]
    if wanted not in offered:
        raise ImproperlyConfigured(
            f"SHAILOO_LANGUAGE_CODE must be one of {', '.join(offered)} "
            f"(the languages of the interface), not {wanted!r}"
        )
    return wanted


LANGUAGE_CODE = default_language(os.environ.get("SHAILOO_LANGUAGE_CODE", ""))
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers and dates per language (shailoo.formats): 121 089 and 52,3 in Kyrgyz and Russian,
# 121,089 and 52.3 in English, dd.mm.yyyy dates. What must stay raw (CSV, JSON, URLs, form
# values, SVG, station numbers) is listed in docs/translations.md.
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["shailoo.formats"]
# Names of elections in three languages (django-modeltranslation, elections/translation.py):
# a page shows the reader's language, else Kyrgyz, Russian, English, in that order.
# MODELTRANSLATION_DEFAULT_LANGUAGE is not the site's default language (LANGUAGE_CODE above
# is): it names the language of the untranslated ``name`` column, which every election named
# before names were translated was written in (migration 0002 copied it into ``name_ru``), and
# the column ``update_translation_fields`` would copy it into, the language the stable name of
# the results API is read in first (``Election.stable_name``), and the admin's "default" field.
# Kyrgyz here would file those Russian names as Kyrgyz and rename every election in the API.
# What a reader sees does not depend on it: a request always has its language active
# (LocaleMiddleware), and the fallback order decides what shows where a name is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_LANGUAGES = ("ky", "ru", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ky", "ru", "en")
TIME_ZONE = "Asia/Bishkek"

# Mail (case notices to response-group members): SMTP in production, configured from the
# environment; in development the console backend, so that nothing leaves the machine.
EMAIL_BACKEND = os.environ.get(
    "SHAILOO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("SHAILOO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SHAILOO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SHAILOO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHAILOO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SHAILOO_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("SHAILOO_EMAIL_FROM", "shailoo@localhost")
# The portal's public address, for links in messages sent outside a request: subscription
# confirmations, result and turnout updates, their unsubscribe links (portal.subscriptions).
PUBLIC_URL = os.environ.get("SHAILOO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when empty
# Served (`shailoo serve` sets SHAILOO_STATIC_MANIFEST=1, production defaults to it), static
# files are collected under content-hashed names, gzip- (and Brotli-, where the library is
# installed) compressed beside them, and whitenoise serves a hashed name with a far-future
# `Cache-Control: immutable`; `shailoo serve` runs collectstatic at start when a source
# changed (common.server.collect_static). Development and the tests read the sources
# directly (no manifest to build first).
STATIC_MANIFEST = _flag("SHAILOO_STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# A results night (docs/operator/serving.md): the public results pages and API are cached
# here, keyed by a results version that accepting a protocol advances. Local memory by
# default (one cache per process); SHAILOO_CACHE_URL=file:///path shares one between the
# workers of one host, redis://... between hosts where the redis library is installed.
RESULTS_CACHE_SECONDS = int(os.environ.get("SHAILOO_RESULTS_CACHE_SECONDS", "300"))
# How long a worker trusts the protocols' stamp it read (0: read it for every answer, as the
# tests do); `shailoo serve` sets 1 s: another worker's acceptance shows within that second.
RESULTS_STAMP_SECONDS = float(os.environ.get("SHAILOO_RESULTS_STAMP_SECONDS", "0"))
# Processes that resolve donors in a finance screen (0: one per core this process may use).
FINANCE_SCREEN_WORKERS = int(os.environ.get("SHAILOO_FINANCE_WORKERS", "0"))


def _cache() -> dict[str, object]:
    url = os.environ.get("SHAILOO_CACHE_URL", "").strip()
    if not url or url.startswith("locmem:"):
        # Every station's page in three languages fits (300 entries, Django's default, do not).
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shailoo",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    if url.startswith("file://"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://") or str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url == "dummy:":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        "SHAILOO_CACHE_URL takes locmem:, file:///path, redis://host:port/db or dummy:"
    )


CACHES = {"default": _cache()}

# /metrics (common.metrics) answers the host's own scraper from loopback, or a request with
# "Authorization: Bearer $SHAILOO_METRICS_TOKEN"; nobody else. SHAILOO_METRICS_LOOPBACK=0
# closes the loopback door (a reverse proxy on the same host that sets no forwarding header).
METRICS_TOKEN = os.environ.get("SHAILOO_METRICS_TOKEN", "")
METRICS_LOOPBACK = _flag("SHAILOO_METRICS_LOOPBACK", True)
if PRODUCTION and METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("SHAILOO_METRICS_TOKEN needs 32 characters or more")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
# Staff sessions end when the browser closes and after eight hours at most.
SESSION_COOKIE_AGE = int(os.environ.get("SHAILOO_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_USE_SESSIONS = False  # the API docs' "try it out" reads the CSRF cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SHAILOO_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Second factor: staff complete every login with a TOTP code (accounts.mfa). A user with no
# authenticator yet may register one right after the password step unless this is 0 (then
# an administrator enrols it: shailoo accounts enrol-totp).
SHAILOO_TOTP_SELF_ENROLMENT = os.environ.get("SHAILOO_TOTP_SELF_ENROLMENT", "1") == "1"
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout (django-axes): after this many failed passwords or codes for one username from
# one address, logins are refused for the cool-off time (or until an admin unlocks).
AXES_FAILURE_LIMIT = int(os.environ.get("SHAILOO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHAILOO_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Open data (portal.views_open_data): the licence the commission publishes under (an SPDX id;
# CC-BY-4.0 until the commission decides otherwise), and whether cast vote records are public
# (off: a record of every ballot can expose voters at small stations).
OPEN_DATA_LICENCE = os.environ.get("SHAILOO_OPEN_DATA_LICENCE", "CC-BY-4.0")
PUBLISH_CAST_VOTE_RECORDS = os.environ.get("SHAILOO_PUBLISH_CVR", "0") == "1"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Deny by default: every API view names its permission (accounts.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["shailoo.accounts.permissions.DenyAll"],
    # A refusal a view lets through answers with its kind's status (common.web).
    "EXCEPTION_HANDLER": "shailoo.common.web.api_exception_handler",
    # JSON bodies are untrusted: bounded size, depth and numbers (common.safe_json).
    "DEFAULT_PARSER_CLASSES": [
        "shailoo.common.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Throttles key on the client's address: REMOTE_ADDR unless the operator says how many
    # reverse proxies stand in front (then the address they appended to X-Forwarded-For). Left
    # unset, DRF would trust a forwarded address the client wrote itself and every per-client
    # limit could be dodged by changing a header.
    "NUM_PROXIES": int(os.environ.get("SHAILOO_NUM_PROXIES", "0")),
    "DEFAULT_THROTTLE_RATES": {
        "selfcheck": os.environ.get("SHAILOO_SELFCHECK_RATE", "30/min"),
        # Station voter-list pages and files, per client: a 3,000-voter list is 30 pages.
        "publiclist": os.environ.get("SHAILOO_PUBLIC_LIST_RATE", "120/hour"),
        # The public complaint form and Open311 share one budget per client address.
        "incidents": os.environ.get("SHAILOO_INCIDENTS_RATE", "20/hour"),
        # Subscriptions to results and turnout: sign-ups and codes per client, and confirmation
        # messages per address, so that the form cannot flood a third party's inbox or phone.
        "subscribe": os.environ.get("SHAILOO_SUBSCRIBE_RATE", "10/hour"),
        "subscribe_address": os.environ.get("SHAILOO_SUBSCRIBE_ADDRESS_RATE", "3/day"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shailoo API",
    "DESCRIPTION": "Election administration: voter register, geography, law editions.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # An operation's summary is a button; a deep link inside it nests one control in another
    # (axe: nested-interactive). Operations are still reachable by their tag's anchor.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

# The law edition in force for this deployment (see src/shailoo/law/editions/).
SHAILOO_LAW_EDITION = os.environ.get("SHAILOO_LAW_EDITION", "kg-2025")


def _float_env(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


# Biometric operating points (docs/biometrics.md): thresholds are chosen by target error rates,
# not raw scores, so the matcher's calibration turns them into scores.
BIOMETRICS_THRESHOLDS = {
    "target_fpir": _float_env("SHAILOO_BIOMETRICS_TARGET_FPIR", 1e-3),
    "verify_fmr": _float_env("SHAILOO_BIOMETRICS_VERIFY_FMR", 1e-4),
    "ambiguity_margin": _float_env("SHAILOO_BIOMETRICS_AMBIGUITY_MARGIN", 1.0),
    "max_candidates": int(os.environ.get("SHAILOO_BIOMETRICS_MAX_CANDIDATES", "10")),
}
BIOMETRICS_GALLERY_CACHE_SIZE = int(os.environ.get("SHAILOO_BIOMETRICS_GALLERY_CACHE", "8"))
# Prepared station galleries sealed on disk ("" keeps them in memory only): a restart reads
# them back instead of preparing every template again.
BIOMETRICS_GALLERY_DIR = os.environ.get(
    "SHAILOO_BIOMETRICS_GALLERY_DIR", str(VAR_DIR / "galleries")
)
# Election day: prepare the opened stations' galleries in the background after a restart.
POLLING_WARM_GALLERIES = os.environ.get("SHAILOO_POLLING_WARM_GALLERIES", "1") != "0"
BIOMETRICS_FACE_MODEL = os.environ.get("SHAILOO_BIOMETRICS_FACE_MODEL") or None
# National deduplication: a pair goes to the adjudication queue above these (docs/dedup).
DEDUP_FACE_THRESHOLD = _float_env("SHAILOO_DEDUP_FACE_THRESHOLD", 0.5)
DEDUP_STRENGTH_THRESHOLD = _float_env("SHAILOO_DEDUP_STRENGTH_THRESHOLD", 11.0)
DEDUP_DIR = Path(os.environ.get("SHAILOO_DEDUP_DIR", VAR_DIR / "dedup"))

# No PIN reaches a log (common.logs): every handler masks 14-digit runs, and so do the loggers
# that write request lines and paths, so that any handler added later sees masked records.
# Django's own handlers (console, mail_admins, django.server) are replaced by these.
LOG_LEVEL = os.environ.get("SHAILOO_LOG_LEVEL", "WARNING")
# SHAILOO_LOG_FORMAT=json: one JSON object per line (common.jsonlog), masked the same way.
LOG_FORMAT = os.environ.get("SHAILOO_LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("SHAILOO_LOG_FORMAT takes text or json")
_MASKED = {"filters": ["mask_pins"]}
_JSON = {"formatter": "json"} if LOG_FORMAT == "json" else {}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pins": {"()": "shailoo.common.logs.MaskPins"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "shailoo.common.jsonlog.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", **_MASKED, **_JSON},
        "server": {"class": "logging.StreamHandler", "formatter": "server", **_MASKED, **_JSON},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL, **_MASKED},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True, **_MASKED},
        "django.request": {"handlers": [], "propagate": True, **_MASKED},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False, **_MASKED},
        "waitress": {"handlers": [], "level": LOG_LEVEL, "propagate": True, **_MASKED},
        "shailoo": {"handlers": [], "propagate": True, **_MASKED},
    },
}
