"""Load and faults: gunicorn on PostgreSQL, concurrent clients, a database restart mid-run.

Not a test and not run by `make bench` (it needs minutes and a whole machine). It:

1. starts a throwaway PostgreSQL server in a temporary directory (``--server private``, the
   default; nothing else uses it, so restarting it disturbs no one) or uses the local cluster
   (``--server cluster``, restarted with ``pg_ctlcluster``; never on a shared machine);
2. migrates two fresh databases, collects static files, loads the demo content;
3. starts gunicorn with production settings (DEBUG off, manifest static files);
4. runs ``--clients`` clients for ``--duration`` seconds, each mixing browsing (home, board,
   a consultation, reviews, policy) and posting (a sign-up through allauth's form with every
   required item, a guest consultation);
5. restarts PostgreSQL half-way (unless ``--no-restart``) and measures how long until the site
   answers again, without restarting gunicorn;
6. checks that every acknowledged sign-up (a 302 to the confirmation page) and guest
   consultation (a 302 to the page with its reference) is in the database.

It exits non-zero on a 5xx outside the restart window, on a lost acknowledged write, or when
the site does not recover. Example (the issue's target):

    .venv/bin/python bench/load_faults.py --clients 50 --duration 60
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from privacy.lookup import login_id_digest  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
AREA_OPTION = re.compile(r'<option value="(\d+)"')
REFERENCE = re.compile(r'class="reference">([A-Z0-9-]+)<')
BROWSE_PATHS = ["/", "/consultations/", "/reviews/", "/privacy/policy/", "/healthz"]
PASSWORD = f"Load-{secrets.token_urlsafe(12)}"
RECOVERY_LIMIT = 60.0  # seconds the site may take to answer again after the restart


# --- PostgreSQL ------------------------------------------------------------------------------

class PrivateServer:
    """A PostgreSQL server of our own in a temporary directory, on its own port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="clinic-load-pg-"))
        self.data = self.directory / "data"

    def _as_postgres(self, *command: str) -> list[str]:
        if os.geteuid() == 0:  # the server refuses to run as root
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def start(self) -> str:
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres")
        subprocess.run(self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U",
                                         "postgres", "--auth=trust", "-E", "UTF8"),
                       check=True, stdout=subprocess.DEVNULL)
        self._pg_ctl("start")
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _pg_ctl(self, action: str) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=200")
        subprocess.run(self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o",
                                         options, "-l", str(self.directory / "log"), "-m", "fast",
                                         "-w", action),
                       check=True, stdout=subprocess.DEVNULL)

    def restart(self) -> None:
        self._pg_ctl("restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class ClusterServer:
    """The machine's own cluster (``pg_ctlcluster``); restarting it stops everyone's work."""

    def __init__(self, cluster: str, url: str) -> None:
        self.cluster = cluster.split()
        self.url = url

    def start(self) -> str:
        return self.url

    def restart(self) -> None:
        subprocess.run(["pg_ctlcluster", *self.cluster, "restart"], check=True)

    def stop(self) -> None:
        pass


# --- Site ------------------------------------------------------------------------------------

@dataclass
class Site:
    server_url: str
    port: int
    workers: int
    name: str = field(default_factory=lambda: f"clinic_load_{os.getpid()}")
    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="clinic-load-")))
    process: subprocess.Popen[bytes] | None = None
    guests_before: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def database_url(self, suffix: str = "") -> str:
        return f"{self.server_url}/{self.name}{suffix}"

    def env(self) -> dict[str, str]:
        kek = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        return {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PRIVACY_KEK": os.environ.get("PRIVACY_KEK", kek),
            "PRIVACY_ACCESS_LOG_KEY": os.environ.get("PRIVACY_ACCESS_LOG_KEY", kek),
            "PRIVACY_LOOKUP_KEY": os.environ.get("PRIVACY_LOOKUP_KEY", kek),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": self.database_url(),
            "RETENTION_DATABASE_URL": self.database_url("_ret"),
            "VAR_DIR": str(self.var_dir),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "ALLOW_UNSENT_MAIL": "1",
            "DJANGO_SETTINGS_MODULE": "load_faults_settings",
            "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "LOG_LEVEL": "WARNING",
        }

    def create(self) -> None:
        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as connection:
            for suffix in ("", "_ret"):
                connection.execute(f'CREATE DATABASE "{self.name}{suffix}"')
        env = self.env()
        for args in (["migrate", "--noinput"], ["migrate", "--noinput", "--database", "retention"],
                     ["createcachetable"], ["collectstatic", "--noinput"], ["load_demo"]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        self._env = env

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "clinic_site.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT, env=self._env, start_new_session=True,
        )
        if wait_until_healthy(self.base, limit=30.0) is None:
            raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def drop(self) -> None:
        with contextlib.suppress(psycopg.Error), psycopg.connect(
            f"{self.server_url}/postgres", autocommit=True
        ) as connection:
            for suffix in ("", "_ret"):
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}{suffix}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def usernames(self, candidates: set[str]) -> set[str]:
        """The candidates that are stored: login IDs are sealed, so they are compared by their
        keyed digests under the site's lookup key."""
        key = base64.urlsafe_b64decode(self._env["PRIVACY_LOOKUP_KEY"].split(",")[0])
        by_digest = {login_id_digest(name, key=key): name for name in candidates}
        with psycopg.connect(self.database_url()) as connection:
            rows = connection.execute(
                "SELECT username_digest FROM members_member WHERE username_digest = ANY(%s)",
                [list(by_digest)])
            return {by_digest[row[0]] for row in rows}

    def guest_references(self) -> tuple[int, set[str]]:
        with psycopg.connect(self.database_url()) as connection:
            rows = connection.execute("SELECT reference FROM consultations_guestconsultation")
            references = {row[0] for row in rows}
        return len(references), references

    def consultation_ids(self) -> list[int]:
        with psycopg.connect(self.database_url()) as connection:
            return [row[0] for row in connection.execute(
                "SELECT id FROM consultations_consultation WHERE NOT is_private")]


def wait_until_healthy(base: str, *, limit: float) -> float | None:
    """Seconds until /healthz answers 200, or None after ``limit``."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        with (contextlib.suppress(OSError, urllib.error.URLError),
              urllib.request.urlopen(f"{base}/healthz", timeout=5) as response):  # noqa: S310
            if response.status == 200:
                return time.monotonic() - start
        time.sleep(0.2)
    return None


# --- Clients ---------------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    errors_in_window: list[str] = field(default_factory=list)
    errors_outside: list[str] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    guest_posts: int = 0
    guest_references: set[str] = field(default_factory=set)
    requests: int = 0


@dataclass
class FaultWindow:
    """From the restart's start until the site answers again, plus a grace period."""

    start: float | None = None
    end: float | None = None
    grace: float = 2.0

    def overlaps(self, started: float, finished: float) -> bool:
        """Whether a request that ran from ``started`` to ``finished`` met the restart (one in
        flight when the server went down counts)."""
        if self.start is None or finished < self.start:
            return False
        return self.end is None or started <= self.end + self.grace


class Client:
    def __init__(self, site: Site, results: Results, window: FaultWindow, number: int,
                 consultation_ids: list[int], run: str) -> None:
        self.site, self.results, self.window = site, results, window
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)
        self.random = random.Random(number)
        self.number, self.run, self.sent = number, run, 0
        self.consultation_ids = consultation_ids or [1]

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(self.site.base + path, data=body, timeout=30) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, ""
        except OSError as error:  # refused or reset connection: as bad as a 5xx
            status, text = 599, str(error)
        finished = time.monotonic()
        with self.results.lock:
            self.results.requests += 1
            self.results.statuses[status] += 1
            if status >= 500:
                in_window = self.window.overlaps(started, finished)
                errors = self.results.errors_in_window if in_window else self.results.errors_outside
                errors.append(f"{status} {'POST' if data else 'GET'} {path}")
        return status, text

    def browse(self) -> None:
        path = self.random.choice(
            [*BROWSE_PATHS, f"/consultations/{self.random.choice(self.consultation_ids)}/"])
        self.request(path)

    def sign_up(self) -> None:
        status, page = self.request("/accounts/signup/")
        token = CSRF_INPUT.search(page)
        if status != 200 or token is None:
            return
        self.sent += 1
        username = f"l{self.run}_{self.number:02d}_{self.sent:05d}"
        status, _ = self.request("/accounts/signup/", {
            "csrfmiddlewaretoken": token.group(1), "username": username, "name": "부하시험",
            "email": f"{username}@load.example", "password1": PASSWORD, "password2": PASSWORD,
            "mobile_phone": "010-1234-5678", "date_of_birth": "1990-05-17",
        })
        if status == 302:  # acknowledged: the member must exist from now on
            with self.results.lock:
                self.results.acknowledged.add(username)

    def post_guest_consultation(self) -> None:
        """A guest's question: acknowledged by the redirect; the reference, when the next page
        shows it, must be in the database afterwards."""
        status, page = self.request("/consultations/guest/")
        token, area = CSRF_INPUT.search(page), AREA_OPTION.search(page)
        if status != 200 or token is None or area is None:
            return
        status, _ = self.request("/consultations/guest/", {
            "csrfmiddlewaretoken": token.group(1), "name": "부하시험", "area": area.group(1),
            "mobile_phone": "010-1234-5678", "title": f"부하 시험 {self.number}",
            "body": "부하 시험 중 작성한 비회원 상담입니다.", "password": PASSWORD,
            "password_again": PASSWORD, "consent": "on", "sensitive_consent": "on",
        })
        if status != 302:
            return
        with self.results.lock:
            self.results.guest_posts += 1
        status, page = self.request("/consultations/guest/done/")
        reference = REFERENCE.search(page)
        if status == 200 and reference is not None:
            with self.results.lock:
                self.results.guest_references.add(reference.group(1))

    def loop(self, until: float) -> None:
        while time.monotonic() < until:
            draw = self.random.random()
            if draw < 0.75:
                self.browse()
            elif draw < 0.9:
                self.sign_up()
            else:
                self.post_guest_consultation()


# --- Run -------------------------------------------------------------------------------------

def run_clients(site: Site, server: PrivateServer | ClusterServer, args: argparse.Namespace,
                results: Results, window: FaultWindow) -> float | None:
    run = secrets.token_hex(2)
    ids = site.consultation_ids()
    until = time.monotonic() + args.duration
    threads = [threading.Thread(target=Client(site, results, window, n, ids, run).loop,
                                args=(until,), daemon=True) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    recovery = None
    if not args.no_restart:
        time.sleep(args.duration / 2)
        print("restarting PostgreSQL ...", flush=True)
        window.start = time.monotonic()
        server.restart()
        recovery = wait_until_healthy(site.base, limit=RECOVERY_LIMIT)
        window.end = time.monotonic()
        recovery = None if recovery is None else window.end - window.start
    for thread in threads:
        thread.join()
    return recovery


def report(args: argparse.Namespace, site: Site, results: Results,
           recovery: float | None) -> int:
    stored = site.usernames(results.acknowledged)
    lost = sorted(results.acknowledged - stored)
    guests_now, references = site.guest_references()
    lost_guests = sorted(results.guest_references - references)
    guests_missing = max(0, results.guest_posts - (guests_now - site.guests_before))
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(results.statuses.items()))
    print(f"clients {args.clients}, duration {args.duration:.0f} s, requests {results.requests} "
          f"({results.requests / args.duration:.1f}/s); statuses {statuses}")
    print(f"5xx outside the restart window: {len(results.errors_outside)}"
          + (f" (first: {results.errors_outside[:3]})" if results.errors_outside else ""))
    failed = bool(results.errors_outside) or bool(lost) or bool(lost_guests) or bool(
        guests_missing)
    if args.no_restart:
        print("PostgreSQL restart: skipped (--no-restart)")
    elif recovery is None:
        print(f"PostgreSQL restart: the site did NOT answer again within {RECOVERY_LIMIT:.0f} s")
        failed = True
    else:
        print(f"PostgreSQL restart: site answered again after {recovery:.1f} s, without a "
              f"restart of its own; 5xx during the restart window: "
              f"{len(results.errors_in_window)}")
    print(f"acknowledged sign-ups {len(results.acknowledged)}, lost {len(lost)}"
          + (f": {lost[:5]}" if lost else ""))
    print(f"acknowledged guest consultations {results.guest_posts} (references seen "
          f"{len(results.guest_references)}), lost {max(len(lost_guests), guests_missing)}")
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8106, help="gunicorn port")
    parser.add_argument("--server", choices=["private", "cluster"], default="private",
                        help="a throwaway PostgreSQL server (default) or the local cluster")
    parser.add_argument("--pg-port", type=int, default=5496, help="port of the private server")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster version and name")
    parser.add_argument("--cluster-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-restart", action="store_true",
                        help="do not restart PostgreSQL during the run")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0:
        parser.error("--clients and --duration must be positive")

    server = (PrivateServer(args.pg_port) if args.server == "private"
              else ClusterServer(args.cluster, args.cluster_url))
    with managed(server) as server_url:
        site = Site(server_url=server_url, port=args.port, workers=args.workers)
        try:
            site.create()
            site.guests_before = site.guest_references()[0]
            site.start()
            results, window = Results(), FaultWindow()
            recovery = run_clients(site, server, args, results, window)
            return report(args, site, results, recovery)
        finally:
            site.stop()
            site.drop()


@contextlib.contextmanager
def managed(server: PrivateServer | ClusterServer) -> Iterator[str]:
    try:
        yield server.start()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
