"""Django settings for Jimaku.

Everything comes from environment variables with safe local defaults (see ``.env.example``).
``DJANGO_DEBUG=0`` is production mode: it requires ``DJANGO_SECRET_KEY`` and
``DJANGO_ALLOWED_HOSTS`` and turns on the secure-cookie / HSTS settings that
``manage.py check --deploy`` looks for.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read ``KEY=value`` lines from a local ``.env`` (never overriding the real environment)."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip().strip("'\"")
        if value:  # an empty line in .env means "use the default"
            os.environ.setdefault(key.strip(), value)


_load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
DATA_DIR = Path(os.environ.get("JIMAKU_DATA_DIR") or BASE_DIR / "data")


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    # Local development: generate once into a git-ignored file, never a fixed default.
    path = DATA_DIR / ".secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "translator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server (gunicorn), compressed and cached for a year.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and locale: strips their Vary from the published page (a CDN document).
    "translator.middleware.SharedCacheMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Logged-in pages: Cache-Control private (+ no-store for HTML); public pages untouched.
    "translator.middleware.PrivateCacheMiddleware",
    # Last, as axes requires: turns a locked-out login into the lock-out page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "translator.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

# --- Database -------------------------------------------------------------------------------
# SQLite by default (a file under the git-ignored data directory) in WAL mode with a busy
# timeout and IMMEDIATE transactions, so concurrent editors do not hit "database is locked".
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'jimaku.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("JIMAKU_TEST_DB_NAME") or None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "translator:episode_list"
LOGOUT_REDIRECT_URL = "login"
# Login throttling: django-axes with translator/services/accounts.py as its handler, on the app
# login and /admin/login/ alike. Wrong passwords allowed inside the window (seconds after the
# last counted failure): per username from one address, per address over all usernames, per
# username over all addresses (not applied to an address that has logged in as that user
# before). See docs/reliability.md "Login throttling".
LOGIN_MAX_FAILURES = env_int("JIMAKU_LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("JIMAKU_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_MAX_FAILURES_PER_USERNAME = env_int("JIMAKU_LOGIN_MAX_FAILURES_PER_USERNAME", 20)
LOGIN_FAILURE_WINDOW_S = env_int("JIMAKU_LOGIN_FAILURE_WINDOW_S", 900)
# Proxies whose X-Forwarded-For is believed (README "Deployment": one on 127.0.0.1).
JIMAKU_TRUSTED_PROXIES = env_list("JIMAKU_TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in JIMAKU_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"JIMAKU_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None
AUTHENTICATION_BACKENDS = ["translator.services.accounts.ThrottledModelBackend"]
AXES_HANDLER = "translator.services.accounts.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "translator.services.accounts.client_ip"
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_S)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
# Attempts refused while locked out are not counted and do not extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The handler clears the username+address pair on success; axes's own reset would also clear
# the address's count (an insider could log in between guesses to reset it).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "translator.views.auth.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no start-up banner on every management command

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "translator" / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves hashed, compressed files (needs `manage.py collectstatic`); debug and tests
# serve the app's static folders as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fixed from DJANGO_DEBUG at start-up (the test runner turns settings.DEBUG off later): in debug
# and tests whitenoise serves the apps' static folders as they are, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
# Uploads: transcripts and subtitle files are refused above this size (bytes).
JIMAKU_MAX_IMPORT_BYTES = env_int("JIMAKU_MAX_IMPORT_BYTES", 20 * 1024 * 1024)
JIMAKU_MAX_MEDIA_BYTES = env_int("JIMAKU_MAX_MEDIA_BYTES", 500 * 1024 * 1024)
# Above this size (bytes) an import's preview and import run in the worker, with progress.
JIMAKU_INLINE_IMPORT_BYTES = env_int("JIMAKU_INLINE_IMPORT_BYTES", 1024 * 1024)
# Pasted text has the same limit as an uploaded file (plus room for the form's other fields).
DATA_UPLOAD_MAX_MEMORY_SIZE = JIMAKU_MAX_IMPORT_BYTES + 1024 * 1024
# The published transcript page: how long browsers (max-age) and shared caches such as a CDN
# (s-maxage) may reuse it before revalidating with its ETag (an unpublished page leaves a CDN
# within s-maxage).
JIMAKU_PUBLIC_MAX_AGE_S = env_int("JIMAKU_PUBLIC_MAX_AGE_S", 60)
JIMAKU_PUBLIC_S_MAXAGE_S = env_int("JIMAKU_PUBLIC_S_MAXAGE_S", 60)
# Rendered public pages kept per web process, reused while the episode is unchanged (0: off).
JIMAKU_PUBLIC_PAGE_CACHE = env_int("JIMAKU_PUBLIC_PAGE_CACHE", 32)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background tasks -----------------------------------------------------------------------
# JIMAKU_TASK_BACKEND: "db" (default: the database queue, `manage.py db_worker`), "rq" (Redis
# Queue through django-tasks-rq, `manage.py rqworker default`), or a backend's dotted path.
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASK_BACKEND = os.environ.get("JIMAKU_TASK_BACKEND", "").strip() or "db"
TASK_BACKEND = TASK_BACKENDS.get(TASK_BACKEND.lower(), TASK_BACKEND)
if "." not in TASK_BACKEND:
    raise ImproperlyConfigured(
        f"JIMAKU_TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)} or a dotted path, "
        f"not {TASK_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKEND, "QUEUES": ["default"]}}
REDIS_URL = os.environ.get("JIMAKU_REDIS_URL") or os.environ.get("REDIS_URL") or ""
if TASK_BACKEND.startswith("django_tasks_rq."):
    if not REDIS_URL:
        raise ImproperlyConfigured("JIMAKU_REDIS_URL must be set when JIMAKU_TASK_BACKEND=rq.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            # A long episode is one job; RQ's default 180 s limit would kill it half-way.
            "DEFAULT_TIMEOUT": env_int("JIMAKU_RQ_JOB_TIMEOUT_S", 6 * 3600),
        }
    }
    RQ = {
        "JOB_CLASS": "django_tasks_rq.Job",
        # Jobs run inside the worker process (no fork per job), so the engine registry's cached
        # Argos model loads once per worker instead of once per job; stale database
        # connections are closed around each job (project/rq_worker.py).
        "WORKER_CLASS": "project.rq_worker.JimakuWorker",
    }
    RQ_SHOW_ADMIN_LINK = False

# --- Translation engines --------------------------------------------------------------------
DEEPL_AUTH_KEY = os.environ.get("DEEPL_AUTH_KEY", "")
DEEPL_SERVER_URL = os.environ.get("DEEPL_SERVER_URL", "") or None
ARGOS_PACKAGES_DIR = os.environ.get("ARGOS_PACKAGES_DIR") or str(DATA_DIR / "argos-packages")
ARGOS_BEAM_SIZE = env_int("ARGOS_BEAM_SIZE", 2)
# CTranslate2 on the CPU; the defaults come from bench/bench_model_shape.py (README explains).
ARGOS_COMPUTE_TYPE = os.environ.get("ARGOS_COMPUTE_TYPE", "int8")
# Threads per model replica (0 = CTranslate2's default) and replicas per worker.
ARGOS_INTRA_THREADS = env_int("ARGOS_INTRA_THREADS", 1)
ARGOS_INTER_THREADS = env_int("ARGOS_INTER_THREADS", 1)
# Longest translation: ratio x the sentence's source tokens + 10 (and never over 256 tokens).
ARGOS_MAX_DECODING_RATIO = float(os.environ.get("ARGOS_MAX_DECODING_RATIO", "") or 2.0)
# An engine is offered when it is configured: DeepL needs a key; Argos is always listed (its
# page says how to install a model when none is installed).
TRANSLATION_ENGINES = {
    "argos": {
        "CLASS": "translator.engines.argos.ArgosEngine",
        "OPTIONS": {
            "packages_dir": ARGOS_PACKAGES_DIR,
            "beam_size": ARGOS_BEAM_SIZE,
            "compute_type": ARGOS_COMPUTE_TYPE,
            "intra_threads": ARGOS_INTRA_THREADS,
            "inter_threads": ARGOS_INTER_THREADS,
            "max_decoding_ratio": ARGOS_MAX_DECODING_RATIO,
        },
    },
}
if DEEPL_AUTH_KEY:
    TRANSLATION_ENGINES["deepl"] = {
        "CLASS": "translator.engines.deepl.DeepLEngine",
        "OPTIONS": {"auth_key": DEEPL_AUTH_KEY, "server_url": DEEPL_SERVER_URL},
    }

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0.")

# Content-Security-Policy (django-csp). Scripts only from our own static files: no inline
# <script>, no on*= handlers, no eval (htmx is configured for that in base.html). Stylesheets
# only from our files too, or a <style> carrying the page's nonce (the waveform strip); style=""
# attributes are allowed (progress bars, the admin). Media may
# be an episode's http(s) address; images include data: URIs (admin widgets).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # NONCE: only pages that use it (the waveform strip: wavesurfer's shadow-root <style>).
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "https:", "http:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIMAKU_LOG_LEVEL", "INFO")},
    "loggers": {
        # argostranslate logs user text at INFO: never let it through.
        "argostranslate": {"level": "WARNING", "propagate": True},
        "argostranslate.utils": {"level": "WARNING", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # The DeepL library logs every request at INFO (through `translate --wait`'s progress
        # bar, and into the worker's log): keep its warnings and errors only.
        "deepl": {"level": "WARNING", "propagate": True},
    },
}
