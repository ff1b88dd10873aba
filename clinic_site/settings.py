"""Settings for the clinic site, driven by environment variables (see README.md).

Local use needs no variables at all: with ``DEBUG=1`` (what ``make run`` sets) the secret key and
the key-encryption key are generated into ``var/``. With DEBUG off (production), both must come
from the environment and start-up stops with one line naming what is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from django.utils.translation import gettext_lazy as _

from clinic_site.env import (
    UNSENT_MAIL_BACKENDS,
    ConfigurationError,
    database_config,
    env_admins,
    env_bool,
    env_choice,
    env_count,
    env_header_name,
    env_int,
    env_list,
    env_str,
    fernet_keys,
    local_secret,
    redis_url,
    required_keys,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError("SECRET_KEY: must be set when DEBUG is off (production)")
    SECRET_KEY = local_secret(VAR_DIR / "secret_key", nbytes=50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's usersessions templates load it
    "django.contrib.sitemaps",  # /sitemap.xml (clinic_site/sitemaps.py)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "cookie_consent",
    "csp",
    "members",
    "clinic",
    "consultations",
    "privacy",
    # The site itself: home, health check and the demo-content command, above every app.
    "clinic_site",
    "django.forms",  # its templates, for FORM_RENDERER below
]

MIDDLEWARE = [
    # First, so every log line of the request (the security ones too) carries its id.
    "clinic_site.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "privacy.consents.middleware.ReconsentMiddleware",
    # Cookie opt-in: remove optional cookies not accepted; count visits with consent.
    "cookie_consent.middleware.CleanCookiesMiddleware",
    "privacy.cookies.middleware.CookieFeaturesMiddleware",
    "members.middleware.StaffMFARequiredMiddleware",
    # Staff sessions end after STAFF_SESSION_IDLE_TIMEOUT idle.
    "members.middleware.StaffIdleTimeoutMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"

# Forms render through the project's templates, so templates/django/forms/ can override
# Django's own (accessibility: form-level errors are announced).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "csp.context_processors.nonce",
                "clinic_site.context_processors.site",
                "clinic.context_processors.business",
            ],
        },
    },
]

# --- Databases ---------------------------------------------------------------------------------
# `default` holds live data; `retention` is the separate database of policy section 4, holding
# only what a law requires to keep after the purpose is achieved (see privacy/routers.py).
DATABASES = {
    "default": database_config("DATABASE_URL", VAR_DIR / "db.sqlite3"),
    "retention": database_config("RETENTION_DATABASE_URL", VAR_DIR / "retention.sqlite3"),
}
DATABASE_ROUTERS = ["privacy.routers.RetentionRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if any(db["ENGINE"].endswith("sqlite3") for db in DATABASES.values()):
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Cache: shared by all workers (allauth rate limits, cookie groups) -----------------------
REDIS_URL = redis_url("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "clinic"),
            # A Redis that stops answering fails a request in seconds instead of holding it
            # (the near cache then serves from memory; /healthz reports the cache).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clinic_cache",
        }
    }

# Values every page reads and staff rarely change (cookie groups, policy versions): process
# memory in front of the shared cache, so a page costs no query for them (clinic_site/cache.py);
# a change made on any server reaches every worker of every server within
# NEAR_CACHE_CHECK_SECONDS.
CACHES["near"] = {
    "BACKEND": "clinic_site.cache.NearCache",
    "LOCATION": "near",
    "OPTIONS": {"SHARED": "default", "LOCAL_TIMEOUT": env_int("NEAR_CACHE_SECONDS", 30),
                # How often a process asks whether another one changed an entry.
                "CHECK_SECONDS": env_int("NEAR_CACHE_CHECK_SECONDS", 1)},
}

# Fixed fragments cached by the templates' {% cache ... using="layout" %} (header, footer,
# cookie banner, the board's heading, the policy body per version and processors in force):
# derived from the code, settings, catalogues and such non-personal rows only, keyed by them,
# never personal, so each process keeps its own and a deployment starts with new ones.
CACHES["layout"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "layout",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 200},
}

# --- Cookie opt-in (django-cookie-consent) ----------------------------------------------------
COOKIE_CONSENT_CACHE_BACKEND = "near"
COOKIE_CONSENT_NAME = "cookie_consent"
COOKIE_CONSENT_MAX_AGE = 60 * 60 * 24 * 365  # consent is asked again after 12 months
COOKIE_CONSENT_SECURE = env_bool("HTTPS", False)
COOKIE_CONSENT_HTTPONLY = True
COOKIE_CONSENT_SAMESITE: Literal["Strict", "Lax", "None", False] = "Lax"
COOKIE_CONSENT_OPT_OUT = False  # opt-in: nothing optional before an explicit acceptance
COOKIE_CONSENT_LOG_ENABLED = True  # counts only: it names no visitor, the consent ledger does
COOKIE_CONSENT_SUCCESS_URL = "/cookies/"

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.Member"
AUTHENTICATION_BACKENDS = [
    "members.backends.MemberModelBackend",
    "members.backends.NormalisingAuthenticationBackend",
]
# The login ID is sealed (a column of ciphertext differs for equal IDs): its keyed digest,
# ``Member.username_digest``, is the unique column, and both backends look members up by it.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# allauth's address rows hold stand-ins (members/emails.py); the account's own sealed email is
# kept in step with the primary address by members, never written by allauth.
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_USERNAME_MIN_LENGTH = 4
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("HTTPS", False) else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Jang Plastic Surgery"
USERSESSIONS_TRACK_ACTIVITY = False
# Members: sign-up items from the privacy registry, blocks, access log, staff MFA.
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
MFA_ADAPTER = "members.adapters.MFAAdapter"
ACCOUNT_FORMS = {"signup": "members.forms.SignupForm", "add_email": "members.forms.AddEmailForm",
                 "reset_password": "members.forms.ResetPasswordForm"}
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # before password and email changes
# Identity is confirmed again by the password (members) or the authenticator (staff), never by
# a code mailed to the address that may be the one being changed.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_PRESERVE_USERNAME_CASING = False  # login IDs are lowercase (members.models)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_SAVE_EVERY_REQUEST = False

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
# The site's catalogue, then its rewording of libraries' messages (clinic_site/locale_overrides),
# both above every app's own catalogue.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "clinic_site" / "locale_overrides"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static files (WhiteNoise; hashed names in production) ------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Media (photos uploaded in the admin, named by their contents' hash): var/media on the
# filesystem, or S3-compatible object storage with MEDIA_STORAGE=s3 (django-storages, the "s3"
# extra; docs/operations.md).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    _media_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MEDIA_S3_BUCKET"),
            "region_name": env_str("MEDIA_S3_REGION") or None,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "custom_domain": env_str("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
            # Names are content hashes: a file never changes, so it may be cached for a year.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
elif MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ConfigurationError("MEDIA_STORAGE: 'filesystem' or 's3'")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = env_str("MEDIA_URL", "/media/")

# Request bodies: small, apart from the photos staff upload in the admin (files stream to
# disk past FILE_UPLOAD_MAX_MEMORY_SIZE; clinic/images.py limits them to 5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 512 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Email -------------------------------------------------------------------------------------
# Outgoing mail passes through a wrapper that refuses to hand a member's mail to a processor
# the member has not consented to (policy section 5); EMAIL_BACKEND chooses the real backend.
EMAIL_REAL_BACKEND = (env_str("EMAIL_BACKEND")
                      or "django.core.mail.backends.console.EmailBackend")
# A backend that never sends (console, file, memory, dummy) would write password-reset links and
# login IDs into the server log or drop them: production refuses it unless told otherwise.
ALLOW_UNSENT_MAIL = env_bool("ALLOW_UNSENT_MAIL", False)
if not DEBUG and EMAIL_REAL_BACKEND in UNSENT_MAIL_BACKENDS and not ALLOW_UNSENT_MAIL:
    raise ConfigurationError(
        f"EMAIL_BACKEND: {EMAIL_REAL_BACKEND} sends no mail; set a real backend (SMTP) or "
        "ALLOW_UNSENT_MAIL=1 when DEBUG is off"
    )
EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may block (connect, send); a hung server fails the send instead
# of holding a worker until it is killed.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "장성형외과 <noreply@jangps.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ----------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address behind proxies, read by allauth and by privacy.access_log.client_ip:
# how many proxies of ours append to X-Forwarded-For, or the header one of them sets.
ALLAUTH_TRUSTED_PROXY_COUNT = env_count("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_header_name("ALLAUTH_TRUSTED_CLIENT_IP_HEADER")
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ConfigurationError("ALLAUTH_TRUSTED_CLIENT_IP_HEADER: set it or "
                             "ALLAUTH_TRUSTED_PROXY_COUNT, not both")
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms carry the token, django-cookie-consent fetches it.
CSRF_COOKIE_HTTPONLY = True
# A refused form shows the site's page (403_csrf.html), asking to reload the form.
CSRF_FAILURE_VIEW = "clinic_site.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features the site never uses are switched off for it and anything it embeds;
# passkeys (WebAuthn) stay possible for our own origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera",
            "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
            "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone",
            "midi", "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
        )
    },
    "fullscreen": ["self"],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Privacy -----------------------------------------------------------------------------------
# Key-encryption keys for personal data and the staff's second-factor secrets, newest first;
# older ones are kept only while `privacy rotate-keys` re-wraps what they wrapped.
_kek = env_str("PRIVACY_KEK")
if not _kek:
    if not DEBUG:
        raise ConfigurationError("PRIVACY_KEK: must be set when DEBUG is off (production)")
    _kek = local_secret(VAR_DIR / "privacy_kek", urlsafe_b64=True)
PRIVACY_KEK = fernet_keys("PRIVACY_KEK", _kek)
# Keys the staff access log's hash chain (HMAC): the database never holds it, so whoever can
# write to the database cannot re-chain the log after deleting or editing an entry.
_access_log_keys = required_keys("PRIVACY_ACCESS_LOG_KEY", debug=DEBUG, var_dir=VAR_DIR)
if len(_access_log_keys) != 1:
    raise ConfigurationError("PRIVACY_ACCESS_LOG_KEY: one key only (see privacy "
                             "rechain-access-log for replacing it)")
PRIVACY_ACCESS_LOG_KEY = _access_log_keys[0]
# Keys the digests that stand in for personal values where equality is needed (mobile-number
# search, member blocks), newest first: the first computes, every listed key still matches a
# block. Not SECRET_KEY, so that rotating Django's secret leaves the lookups alone.
PRIVACY_LOOKUP_KEY = required_keys("PRIVACY_LOOKUP_KEY", debug=DEBUG, var_dir=VAR_DIR)

CLINIC_NAME = {"ko": env_str("CLINIC_NAME_KO", "장성형외과"),
               "en": env_str("CLINIC_NAME_EN", "Jang Plastic Surgery")}
# Section 8 of the policy: the person and department in charge of personal information.
PRIVACY_OFFICER = {
    "name_ko": env_str("PRIVACY_OFFICER_NAME_KO", "장진우"),
    "name_en": env_str("PRIVACY_OFFICER_NAME_EN", "Jang Jin-woo"),
    "department_ko": env_str("PRIVACY_OFFICER_DEPARTMENT_KO", "고객지원팀"),
    "department_en": env_str("PRIVACY_OFFICER_DEPARTMENT_EN", "Customer Service Department"),
    "phone": env_str("PRIVACY_OFFICER_PHONE", "02-6677-0010"),
    "email": env_str("PRIVACY_OFFICER_EMAIL", "jangplasticsurgery@naver.com"),
}
# The site's address for links in emails and consent receipts, the
# controller's postal address (receipts), and the complaint form's rate limit (allauth format).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CLINIC_ADDRESS = {"ko": env_str("CLINIC_ADDRESS_KO", "서울특별시"),
                  "en": env_str("CLINIC_ADDRESS_EN", "Seoul, Republic of Korea")}
PRIVACY_COMPLAINT_RATE_LIMIT = env_str("PRIVACY_COMPLAINT_RATE_LIMIT", "5/h/ip")
# Correction and deletion requests from the self-service pages, per requesting member (allauth
# format; the key is the member, not the address).
PRIVACY_RIGHTS_REQUEST_RATE_LIMIT = env_str("PRIVACY_RIGHTS_REQUEST_RATE_LIMIT",
                                            "5/h/key,20/d/key")
# Days after which a guest consultation's personal data is destroyed (policy registry rule).
GUEST_CONSULTATION_DAYS_AFTER_ANSWER = env_int("GUEST_CONSULTATION_DAYS_AFTER_ANSWER", 30)
GUEST_CONSULTATION_DAYS_UNANSWERED = env_int("GUEST_CONSULTATION_DAYS_UNANSWERED", 90)
# Days after which a booking request is destroyed: after its appointment or its decline, and
# after the request when the clinic never answers it (registry rule booking_requests).
BOOKING_DAYS_AFTER_APPOINTMENT = env_int("BOOKING_DAYS_AFTER_APPOINTMENT", 30)
BOOKING_DAYS_UNANSWERED = env_int("BOOKING_DAYS_UNANSWERED", 90)
# How far ahead a booking may be asked for, and the length of one consultation slot.
BOOKING_DAYS_AHEAD = env_int("BOOKING_DAYS_AHEAD", 90)
BOOKING_SLOT_MINUTES = env_int("BOOKING_SLOT_MINUTES", 30)

# --- The clinic's business information (footer, visit page; clinic/) -------------------------
# Korean sites show the business name, representative, registration number, address and the
# medical institution's details on every page; demo values until the environment sets them.
CLINIC_BUSINESS = {
    "representative_ko": env_str("CLINIC_REPRESENTATIVE_KO", "장진우"),
    "representative_en": env_str("CLINIC_REPRESENTATIVE_EN", "Jang Jin-woo"),
    "registration_number": env_str("CLINIC_REGISTRATION_NUMBER", "000-00-00000"),
    "medical_institution_ko": env_str(
        "CLINIC_MEDICAL_INSTITUTION_KO", "의원 (성형외과), 의료기관 개설신고번호 0000-00000"
    ),
    "medical_institution_en": env_str(
        "CLINIC_MEDICAL_INSTITUTION_EN", "Clinic (plastic surgery), licence no. 0000-00000"
    ),
    "phone": env_str("CLINIC_PHONE", "02-6677-0000"),
}
# What the Naver Map and Kakao Map links search for (the visit page).
CLINIC_MAP_QUERY = env_str("CLINIC_MAP_QUERY", f"{CLINIC_NAME['ko']} {CLINIC_ADDRESS['ko']}")

# --- Marketing and notices (privacy/marketing/, privacy/processors/sms.py) ------------------
# Text messages go through this backend; a real provider's class implements
# privacy.processors.sms.BaseSmsBackend (it is a processor: record it as a privacy.Processor).
SMS_BACKEND = env_str("SMS_BACKEND", "privacy.processors.sms.ConsoleBackend")
# The registered call-back number shown as the sender of text messages.
SMS_SENDER_NUMBER = env_str("SMS_SENDER_NUMBER", PRIVACY_OFFICER["phone"])
# Campaigns are claimed and sent in batches of this many members.
MARKETING_BATCH_SIZE = env_int("MARKETING_BATCH_SIZE", 200)

# --- Background tasks (django-tasks; privacy/outbox.py, deploy/, docs/operations.md) --------
# Mail and text messages leave the request on a queue kept in the live database: no broker to
# run, and the enqueue commits in the same transaction as the write that caused it, so an
# acknowledged write never loses its message. `manage.py db_worker` runs what is queued;
# `TASKS_BACKEND=immediate` runs each task at once in the caller (the tests; no worker).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env_str("TASKS_BACKEND", "database")
if _tasks_backend not in TASKS_BACKENDS:
    raise ConfigurationError(
        f"TASKS_BACKEND: expected one of {', '.join(TASKS_BACKENDS)}; got {_tasks_backend!r}"
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}
# A send that fails on the mail server or the text-message provider is tried again this many
# times in all, the first retry after TASKS_RETRY_SECONDS and each next one four times later
# (1 min, 4 min, 16 min, ... with the defaults: about 5.7 hours before it gives up).
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 6)
TASKS_RETRY_SECONDS = env_int("TASKS_RETRY_SECONDS", 60)
if not 1 <= TASKS_MAX_ATTEMPTS <= 20:
    raise ConfigurationError(f"TASKS_MAX_ATTEMPTS: expected 1 to 20, got {TASKS_MAX_ATTEMPTS}")
if not 1 <= TASKS_RETRY_SECONDS <= 86_400:
    raise ConfigurationError(
        f"TASKS_RETRY_SECONDS: expected 1 to 86400, got {TASKS_RETRY_SECONDS}"
    )

# --- Staff admin (privacy/admin_mixins.py, privacy/access_log.py) -----------------------------
# Seconds without a request after which a staff session ends (members keep SESSION_COOKIE_AGE).
STAFF_SESSION_IDLE_TIMEOUT = env_int("STAFF_SESSION_IDLE_TIMEOUT", 30 * 60)

# --- Logging and error reports ---------------------------------------------------------------
# No personal data is ever passed to a logger. Lines carry time, level, logger and request id;
# JSON lines in production for the log collector, plain text for a developer's terminal.
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "text"), "text" if DEBUG else "json")
# Errors are mailed to ADMINS ("Name <address>, ..."); the report shows no request values
# (clinic_site/error_reports.py).
ADMINS = env_admins("ADMINS")
DEFAULT_EXCEPTION_REPORTER = "clinic_site.error_reports.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic_site.error_reports.PrivateExceptionReporterFilter"
_LOG_HANDLERS = ["console", "mail_admins"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "clinic_site.logs.RequestIdFilter"},
        "one_line": {"()": "clinic_site.logs.OneLineWarningFilter"},
        "request_path": {"()": "clinic_site.error_reports.RequestPathFilter"},
    },
    "formatters": {
        "json": {"()": "clinic_site.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                    "filters": ["request_id", "request_path"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["request_id", "request_path"]},
        # Oversized and malformed requests (Django's security loggers): one WARNING line, no
        # traceback and no mail, so a visitor cannot flood the log or the admins' inbox.
        "security": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                     "filters": ["request_id", "request_path", "one_line"]},
    },
    "root": {"handlers": _LOG_HANDLERS, "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (console only with DEBUG, mail) are replaced by the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Django logs request paths and query strings on 4xx/5xx; ours carry no personal data,
        # but a 404 path typed by a visitor might, so keep those at ERROR.
        "django.request": {"handlers": _LOG_HANDLERS, "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}
