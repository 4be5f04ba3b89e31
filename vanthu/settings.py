"""Django settings for vanthu: every value comes from a VANTHU_* environment variable.

Nothing needs configuring for the embedded run (SQLite and files under ./var). `.env.example` lists
every variable with a comment. Configuration mistakes surface as system checks (vanthu.E0xx).
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from vanthu.core.env import database_from_url, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = env_path("DATA_DIR", PROJECT_DIR / "var")
TESTING = env_bool("TESTING", "pytest" in sys.modules)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    # Embedded run: a random key kept next to the data, created on first start.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    if TESTING:
        return "vanthu-tests-" + "x" * 40
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public address of this deployment: printed in certificates (CRL/OCSP URLs) and links.
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_ratelimit",
    "axes",  # lockout after repeated failures: logins, signing keys' passphrases (core/lockout.py, decision 0021)
    "django_otp",  # the second factor (decision 0020): TOTP devices and their throttling
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time backup codes (each works once)
    "ninja",  # its bundled Swagger UI (static files) for the API's docs page /api/v1/docs: no CDN
    "vanthu.core",
    "vanthu.jobs",
    "vanthu.audit",
    "vanthu.org",
    "vanthu.notify",
    "vanthu.signing",
    "vanthu.documents",
    "vanthu.workflow",
    "vanthu.exchange",
    "vanthu.reports",
    "vanthu.search",
    "vanthu.records",
    "vanthu.api",
    "vanthu.demo",
    "vanthu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vanthu.core.middleware.security_headers",
    "vanthu.api.middleware.api_errors",  # /api/v1/ only: every error in the API's JSON shape
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "vanthu.org.middleware.person_middleware",
    "vanthu.org.middleware.second_factor_middleware",  # VANTHU_2FA_ALL_LOGINS (decision 0020)
    "django.contrib.messages.middleware.MessageMiddleware",
    "vanthu.org.sessions.session_middleware",  # idle timeout, the session's device and address (decision 0021)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked login answers the login page saying when it reopens
    "vanthu.ops.interruptions.InterruptionMiddleware",  # last: a lost database or a full disk → 503 / 507
    "vanthu.core.store_middleware.StoreFaults",  # the file store unreachable or a file damaged: a page, not a 500
]

ROOT_URLCONF = "vanthu.urls"
WSGI_APPLICATION = "vanthu.wsgi.application"

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
                "vanthu.org.context_processors.person",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'vanthu.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL, base_dir=PROJECT_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vanthu"}
}
if env_str("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
# The second factor (decision 0020): always at signing, sealing and administration; at every login if set.
VANTHU_2FA_ALL_LOGINS = env_bool("2FA_ALL_LOGINS", False)
VANTHU_2FA_STEP_UP_MINUTES = env_int("2FA_STEP_UP_MINUTES", 15)  # an administrator's proof lasts this long
OTP_TOTP_ISSUER = env_str("2FA_ISSUER", "vanthu")
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: after n wrong codes, every code is refused for 2^(n-1) seconds
OTP_TOTP_SYNC = False  # the window stays one step either side of the server's clock (no drift learnt)
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600
# Sessions are rows with their person, device and address (org/sessions.py): the person's list, "log out
# everywhere", the admin's view. A session unused for SESSION_IDLE_MINUTES ends (0: no idle limit).
SESSION_ENGINE = "vanthu.org.sessions"
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# Lockout (django-axes, core/lockout.py): after LOCKOUT_FAILURES failures within LOCKOUT_MINUTES an account (or a
# signing key) is locked for LOCKOUT_MINUTES after the last failure.
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]  # per account: many people share one address behind a unit's gateway
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the reopening time shown stays true
AXES_LOCKOUT_CALLABLE = "vanthu.org.views.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # logins are audited by vanthu; axes keeps only the failures it counts
AXES_SENSITIVE_PARAMETERS = ["username", "password", "secret", "old", "new", "passphrase", "pin"]
# Rate limits (django-ratelimit over the default cache): the API's signing operations per person, the TSA per
# client, failed API tokens per address (past it, 429 instead of 401; valid tokens always served). "N/m", "N/h".
RATELIMIT_SIGNING = env_str("RATELIMIT_SIGNING", "30/m")
RATELIMIT_TSA = env_str("RATELIMIT_TSA", "120/m")
RATELIMIT_API_AUTH = env_str("RATELIMIT_API_AUTH", "100/m")
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",  # per account on purpose; axes sums an account's rows whatever the user agent (decision 0021)
    # Rate limits count in the default cache: the local memory cache counts per process, right for the one
    # process of `./run` (waitress, threads); with several processes set VANTHU_REDIS_URL.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused CSRF check is a page in the site's design (issue 12); JSON under /api/ and /exchange/v1/.
CSRF_FAILURE_VIEW = "vanthu.ops.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vanthu/static: app.css, app.js, vendored htmx
STATIC_ROOT = None if TESTING else DATA_DIR / "static"  # tests serve static files from the finders
STORAGES = {
    # FileFields (a task's progress report): into the file store, not this machine's MEDIA_ROOT (core/media.py)
    "default": {"BACKEND": "vanthu.core.media.StoreMediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Files kept by Django's default storage (progress reports' files of tasks): under the data directory.
MEDIA_ROOT = DATA_DIR / "media"

# Documents: content-addressed files (SHA-256) in the store VANTHU_FILES_URL names (docs/files.md, decision
# 0025): file:///PATH (default: FILES_DIR) or s3://BUCKET/PREFIX, with VANTHU_S3_ENDPOINT_URL for a server other
# than AWS and boto3's usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION.
FILES_DIR = env_path("FILES_DIR", DATA_DIR / "files")
FILES_URL = env_str("FILES_URL", "")
if FILES_URL.startswith("file://"):
    FILES_DIR = Path(FILES_URL.removeprefix("file://"))
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL", "")
S3_MULTIPART_MB = env_int("S3_MULTIPART_MB", 16)  # uploads above this go in parts of this size
# How many app servers (and workers' machines) share this deployment: above 1, state kept on one machine's
# disk or memory is a fault (system check vanthu.W040).
SERVERS = env_int("SERVERS", 1)
# This app server's name among them (e.g. its machine and port): sent in X-Vanthu-Server (vanthu/wsgi.py) and
# named by /healthz, so an operator can tell which one answered.
SERVER_ID = env_str("SERVER_ID", "")
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 50)
# Downloads of stored files behind a reverse proxy (docs/deploy.md): "nginx" hands the bytes to nginx with
# X-Accel-Redirect after vanthu's access check (the internal location FILES_HANDOFF_PREFIX maps to FILES_DIR);
# empty (the default, the embedded server) streams them through Python.
FILES_HANDOFF = env_str("FILES_HANDOFF", "")
FILES_HANDOFF_PREFIX = env_str("FILES_HANDOFF_PREFIX", "/_vanthu_files/")
FILES_HANDOFF_S3_PREFIX = env_str("FILES_HANDOFF_S3_PREFIX", "/_vanthu_s3/")
# Signed download links (decision 0035, core/links.py): with FILES_HANDOFF=nginx and the local store, the document
# page and the API's document answer give each file of a document without a secrecy mark a link valid
# FILES_LINK_SECONDS, signed with FILES_LINK_SECRET (shared with nginx's secure_link, at least 32 characters) for the
# person's session cookie or API token; nginx checks it and sends the file itself, writing each download to
# FILES_LINK_LOG, which a job turns into the read's audit event. An expired or invalid link falls to the checked path.
FILES_LINKS = env_bool("FILES_LINKS", False)
FILES_LINK_SECONDS = env_int("FILES_LINK_SECONDS", 60)
FILES_LINK_SECRET = env_str("FILES_LINK_SECRET", "")
FILES_LINK_PREFIX = env_str("FILES_LINK_PREFIX", "/_vanthu_link/")
# The log nginx writes for each download served from a signed link (decision 0035, docs/files.md): the job
# `documents.jobs.record_link_reads` turns its lines into read audit events (`vanthu files record-reads`).
FILES_LINK_LOG = env_path("FILES_LINK_LOG", DATA_DIR / "logs" / "links.log")
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# The whole of one request (all its files and fields): the API refuses more with 413 request_too_large.
MAX_REQUEST_MB = env_int("MAX_REQUEST_MB", 60)
MAX_REQUEST_BYTES = MAX_REQUEST_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "vanthu.core.uploads.LimitedMemoryFileUploadHandler",
    "vanthu.core.uploads.LimitedTemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Search (decisions 0011, 0028): empty → the database's own engine (SQLite FTS5 embedded, PostgreSQL's tsvector
# table); "tantivy" → a Tantivy index in SEARCH_DIR/tantivy, kept in step from the database by the search sync.
SEARCH_ENGINE = env_str("SEARCH_ENGINE", "")
SEARCH_DIR = env_path("SEARCH_DIR", DATA_DIR / "search")

# Signing.
SIGNING_DIR = env_path("SIGNING_DIR", DATA_DIR / "signing")
# PAdES level of issued documents: B-B, B-T, B-LT or B-LTA. Empty: B-LT with a TSA service (a URL), B-T with
# the built-in TSA (the embedded default), B-B without a TSA (tests, unless they set one).
PADES_LEVEL = env_str("PADES_LEVEL", "")
# RFC 3161 timestamp authority: "builtin" (default) is vanthu's own TSA, called in-process; a URL uses that
# service; empty means no timestamps.
TSA_URL = env_str("TSA_URL", "" if TESTING else "builtin")
# The bearer token vanthu sends to a TSA_URL that asks for one (another vanthu's /pki/tsa: `vanthu service-client add`).
TSA_TOKEN = env_str("TSA_TOKEN")
PKCS11_MODULE = env_str("PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# SIM-PKI (decision 0026): how often the signing job asks the MSSP whether the person confirmed on the phone.
SIM_POLL_SECONDS = float(env_str("SIM_POLL_SECONDS", "2"))
LIBREOFFICE = env_str("LIBREOFFICE", "soffice")
KEY_ENCRYPTION_SECRET = env_str("KEY_ENCRYPTION_SECRET", "")
# Seconds a process recognises a passphrase it has proven (by a keyed hash) without scrypt: signing/keystore.py.
KEY_UNLOCK_CACHE_SECONDS = env_int("KEY_UNLOCK_CACHE_SECONDS", 300)
# Seconds a stored verdict on a personal signature stands for the check before the seal (signing/verdicts.py;
# 0: the seal always checks in full).
SIGNATURE_VERDICT_SECONDS = env_int("SIGNATURE_VERDICT_SECONDS", 600)
# Faster replacements of pyHanko/asn1crypto parsing routines (vanthu/signing/speedups.py, decision 0005).
SIGNING_SPEEDUPS = env_bool("SIGNING_SPEEDUPS", True)

# Decree 30 Điều 12 (checklist point 10, decision 0026): a draft reaches its signer only after the check of
# content and format. A unit whose head set no rule of its own (page /numbering/) gets the default one: required,
# checked by the issuing unit's clerks. Off: such a unit keeps the chain its drafter chooses (the head may still
# require the check). Off by default in tests, whose drafts mostly go straight to the signer.
FORMAT_CHECK_REQUIRED = env_bool("FORMAT_CHECK_REQUIRED", not TESTING)

# Exchange (docs/exchange.md, decision 0013). The passphrase or PIN that unlocks the units' seal keys for the
# envelopes and statuses the exchange signs by itself (VANTHU_EXCHANGE_SEAL_SECRET_FILE for a file); empty:
# the keys are server-held without a passphrase. Between units of this deployment, messages travel as signed
# envelopes through the receiving checks (off by default in tests, whose units mostly hold no key).
EXCHANGE_SEAL_SECRET = env_str("EXCHANGE_SEAL_SECRET", "")
EXCHANGE_LOCAL_ENVELOPES = env_bool("EXCHANGE_LOCAL_ENVELOPES", not TESTING)
EXCHANGE_MAX_BYTES = env_int("EXCHANGE_MAX_MB", 50) * 1024 * 1024
EXCHANGE_HTTP_TIMEOUT = env_int("EXCHANGE_HTTP_TIMEOUT", 30)
# How many envelopes one HTTP delivery carries to a peer (decision 0029; 1: one request per envelope).
EXCHANGE_BATCH = max(1, env_int("EXCHANGE_BATCH", 25))
# Whether this deployment's batches ask the peer for the statuses 01 of the documents it accepts inside its answer
# (decision 0046; off: they come back as messages, as from a peer that does not answer them).
EXCHANGE_ANSWER_ARRIVALS = env_bool("EXCHANGE_ANSWER_ARRIVALS", True)
# The peer (its name in the peer directory) whose list of agencies the daily job applies to the directory of
# outside agencies (checklist point 47, decision 0034); empty: no synchronisation.
AGENCY_HUB = env_str("AGENCY_HUB", "")

# How many waiting messages to one unit of this deployment one delivery takes together (decision 0037: one
# transaction at the destination, one at each sender, the audit chain heads locked once; 1: one by one).
OUTBOX_BATCH = max(1, env_int("OUTBOX_BATCH", 25))

# Jobs (docs/decisions/0006): empty VANTHU_JOBS_URL → the database backend (no broker, `vanthu worker` polls the
# database); redis://… → RQ over that Redis. `vanthu serve` starts one worker beside the web server.
JOBS_URL = env_str("JOBS_URL", "")
JOBS_ON_REDIS = JOBS_URL.startswith(("redis://", "rediss://", "unix://"))
RQ = {"COMMIT_MODE": "auto"}  # vanthu enqueues on commit itself (vanthu.jobs.enqueue_on_commit)
_RQ_URL = JOBS_URL if JOBS_ON_REDIS else "redis://127.0.0.1:6379/0"
if "socket_connect_timeout" not in _RQ_URL:  # a Redis that does not answer must not hold a request for long
    _RQ_URL += ("&" if "?" in _RQ_URL else "?") + "socket_connect_timeout=2"
RQ_QUEUES: dict[str, dict[str, object]] = {"default": {"URL": _RQ_URL, "DEFAULT_TIMEOUT": 1800}}
_JOBS_BACKEND = "vanthu.jobs.backends.RQBackend" if JOBS_ON_REDIS else "vanthu.jobs.backends.DatabaseBackend"
TASKS: dict[str, dict[str, object]] = {"default": {"BACKEND": _JOBS_BACKEND, "QUEUES": ["default"]}}
# Each worker beats every JOBS_BEAT_SECONDS; a job running on a worker silent for JOBS_WORKER_LEASE runs again.
JOBS_BEAT_SECONDS = float(env_str("JOBS_BEAT_SECONDS", "10"))
JOBS_WORKER_LEASE = float(env_str("JOBS_WORKER_LEASE", "60"))
# Registers with more rows than this are printed by a job (progress bar, then the download).
REPORTS_ASYNC_ROWS = env_int("REPORTS_ASYNC_ROWS", 300)
if TESTING:
    # Tests run a job when its transaction commits (django_capture_on_commit_callbacks(execute=True) in
    # pytest-django); the engine's own tests switch to the database backend or RQ.
    TASKS["default"] = {"BACKEND": "vanthu.jobs.backends.ImmediateBackend", "QUEUES": ["default"]}

# The network scanner's folder (checklist point 17): an hourly job takes the PDFs in <SCAN_DIR>/<unit
# abbreviation>/ into that unit's arrivals (moved to done/ or rejected/ after). Empty: no folder is watched.
SCAN_DIR = env_str("SCAN_DIR", "")

# Working-day calendar (vanthu/core/workdays.py): the weekly rest days (ISO numbers, 1 = Monday … 7 = Sunday),
# default deadlines in working days per urgency (0 = the same day), and how long a process keeps a year's
# holidays before re-reading the overrides (other processes' writes show up within this time).
WEEKEND_DAYS = [int(d) if d.isdigit() else 0 for d in env_list("WEEKEND_DAYS", ["6", "7"])]  # 0: vanthu.E030
DEADLINE_WORKING_DAYS = {
    "normal": env_int("DEADLINE_DAYS_NORMAL", 10),
    "urgent": env_int("DEADLINE_DAYS_URGENT", 2),
    "very_urgent": env_int("DEADLINE_DAYS_VERY_URGENT", 1),
    "flash": env_int("DEADLINE_DAYS_FLASH", 0),
    "flash_timed": env_int("DEADLINE_DAYS_FLASH_TIMED", 0),
}
CALENDAR_CACHE_SECONDS = env_int("CALENDAR_CACHE_SECONDS", 300)

# Notifications (vanthu/notify): e-mail through an SMTP server (none when VANTHU_SMTP_HOST is empty: the bell
# only), and the hourly reminder pass: N working days before a deadline, on it, after it, and M working days
# after it to the handler's leaders; items more than REMIND_LOOKBACK_DAYS (calendar days) past their deadline
# are no longer looked at. Half a configuration is vanthu.E040/E041.
SMTP_HOST = env_str("SMTP_HOST", "")
SMTP_TLS = env_str("SMTP_TLS", "starttls").strip().lower()  # none | starttls | ssl
SMTP_FROM = env_str("SMTP_FROM", "")
MAIL_ENABLED = bool(SMTP_HOST)
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if MAIL_ENABLED
                 else "django.core.mail.backends.dummy.EmailBackend")
EMAIL_HOST = SMTP_HOST or "localhost"
EMAIL_PORT = env_int("SMTP_PORT", 465 if SMTP_TLS == "ssl" else 587 if SMTP_TLS == "starttls" else 25)
EMAIL_HOST_USER = env_str("SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("SMTP_PASSWORD", "")
EMAIL_USE_TLS = SMTP_TLS == "starttls"
EMAIL_USE_SSL = SMTP_TLS == "ssl"
EMAIL_TIMEOUT = env_int("SMTP_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = SMTP_FROM or "vanthu@localhost"
REMIND_BEFORE_DAYS = env_int("REMIND_BEFORE_DAYS", 2)
REMIND_ESCALATE_AFTER_DAYS = env_int("REMIND_ESCALATE_AFTER_DAYS", 2)
REMIND_LOOKBACK_DAYS = env_int("REMIND_LOOKBACK_DAYS", 30)

# Work records (vanthu/records, Decree 30 Điều 30): a unit's closed records of a year whose retention is at least
# RECORDS_TRANSFER_MIN_YEARS (or permanent) are due at the archive RECORDS_TRANSFER_MONTHS months after that year
# ends; the reminder pass alerts the unit's clerks as the deadline nears. The archive is the clerks of the unit
# whose code is RECORDS_ARCHIVE_UNIT, or (empty) of each unit's top unit.
RECORDS_TRANSFER_MONTHS = env_int("RECORDS_TRANSFER_MONTHS", 12)
# Construction (XDCB) records are due this many months after the final settlement (their end date; Điều 30.1.a).
RECORDS_TRANSFER_CONSTRUCTION_MONTHS = env_int("RECORDS_TRANSFER_CONSTRUCTION_MONTHS", 3)
RECORDS_TRANSFER_MIN_YEARS = env_int("RECORDS_TRANSFER_MIN_YEARS", 5)
RECORDS_ARCHIVE_UNIT = env_str("RECORDS_ARCHIVE_UNIT", "")

# Fonts for printed registers and signature appearances (Times New Roman metrics where installed).
FONT_DIRS = [Path(p) for p in env_list("FONT_DIRS", [])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "ERROR"},  # its own warnings repeat what vanthu's audit and the locks page show
        # One line per job state change drowns the run command's login instructions: warnings and errors only
        # (the jobs page shows the queue; VANTHU_JOBS_LOG_LEVEL=INFO brings the lines back).
        "django_tasks": {"level": env_str("JOBS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": env_str("JOBS_LOG_LEVEL", "WARNING")},
        "botocore": {"level": "WARNING"},  # the S3 file store's client: no line per request or credential lookup
        "boto3": {"level": "WARNING"},
        "s3transfer": {"level": "WARNING"},
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
