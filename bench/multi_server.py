"""More than one app server: two gunicorn instances and a worker behind a real nginx.

Not a test and not run by `make bench` (it starts servers and takes a minute or two). On
loopback it starts a throwaway PostgreSQL (as ``bench/load_faults.py`` does), a throwaway
Redis and Debian's nginx with an upstream of two gunicorn instances (production settings,
``REDIS_URL``, the database task queue and its worker), then shows:

1. **sessions**: a member who logs in on server A is logged in on server B;
2. **rate limits**: failed log-ins made alternately on A and B share one limit;
3. **staff changes**: an area renamed and a policy version published by another process
   (as the admin on any server would) are seen on both servers within seconds;
4. **fail-over**: clients browse, sign up and post guest consultations through nginx while
   server A is killed half-way; no request that starts after the kill may fail (nginx takes
   it to B), and those that were in flight on A are counted;
5. **no acknowledged write lost**: every acknowledged sign-up and guest consultation is in the
   database afterwards.

It exits non-zero when any of these does not hold. Example:

    .venv/bin/python bench/multi_server.py --clients 20 --duration 20
"""

from __future__ import annotations

import argparse
import contextlib
import os
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_faults import (
    CSRF_INPUT,
    PASSWORD,
    ROOT,
    VENV_BIN,
    Client,
    FaultWindow,
    NoRedirect,
    PrivateServer,
    Results,
    Site,
    report,
    wait_until_healthy,
)

NGINX_SITE = """
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{}}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    upstream clinic_app {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=10s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 512k;
        location / {{
            proxy_pass http://clinic_app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 35s;
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""
SEEN_WITHIN = 5.0  # seconds a staff change may take to show on every server


class PrivateRedis:
    """A Redis server of our own on its own port, with nothing saved to disk."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="clinic-multi-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )
        time.sleep(0.5)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class MultiSite(Site):
    """Two app servers (``port`` + 1 and + 2) and a worker, with nginx on ``port``."""

    redis_url: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    nginx_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="clinic-ngx-")))

    def server_base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port + (1 if name == 'a' else 2)}"

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "REDIS_URL": self.redis_url,
            "BEHIND_PROXY": "1",
            "TASKS_BACKEND": "database",
            "DJANGO_SETTINGS_MODULE": "multi_server_settings",
        }

    def start(self) -> None:
        for name in ("a", "b"):
            self.start_server(name)
        self.processes["worker"] = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload",
             "--interval", "0.5", "--verbosity", "0"],
            cwd=ROOT, env=self._env, start_new_session=True,
        )
        for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_dir / part).mkdir(exist_ok=True)
        config = self.nginx_dir / "nginx.conf"
        config.write_text(NGINX_SITE.format(dir=self.nginx_dir, port=self.port,
                                            a=self.port + 1, b=self.port + 2))
        self.processes["nginx"] = subprocess.Popen(
            ["nginx", "-c", str(config), "-g", "daemon off;"], start_new_session=True,
        )
        if wait_until_healthy(self.base, limit=10.0) is None:
            raise SystemExit("nginx did not answer /healthz within 10 s")

    def start_server(self, name: str) -> None:
        env = {**self._env, "GUNICORN_BIND": self.server_base(name).removeprefix("http://")}
        self.processes[name] = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "clinic_site.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        if wait_until_healthy(self.server_base(name), limit=30.0) is None:
            raise SystemExit(f"gunicorn {name} did not answer /healthz within 30 s")

    def kill(self, name: str) -> None:
        """Kill a server at once, as a lost host would go: no graceful shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        shutil.rmtree(self.nginx_dir, ignore_errors=True)

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self._env,
                              check=True, capture_output=True, text=True).stdout


class Browser:
    """One visitor's cookies, sent to whichever server is named; redirects are not followed
    (a log-in answered with a redirect is a log-in that worked)."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect)

    def open(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # The host name nginx passes on: allauth keys log-in failures by host and login ID.
        request = urllib.request.Request(  # noqa: S310 (our own loopback http URLs)
            url, data=body, headers={"Host": "127.0.0.1"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def log_in(self, base: str, username: str, password: str) -> tuple[int, str]:
        _, page = self.open(f"{base}/accounts/login/")
        token = CSRF_INPUT.search(page)
        assert token is not None, "no log-in form"
        return self.open(f"{base}/accounts/login/", {
            "csrfmiddlewaretoken": token.group(1), "login": username, "password": password,
        })


def verified_member(site: MultiSite) -> str:
    """A member signed up through nginx with a confirmed email address."""
    client = Client(site, Results(), FaultWindow(), 0, [1], secrets.token_hex(2))
    client.sign_up()
    (username,) = client.results.acknowledged
    with psycopg.connect(site.database_url(), autocommit=True) as connection:
        connection.execute(
            "UPDATE account_emailaddress SET verified = true WHERE user_id = "
            "(SELECT id FROM members_member WHERE username = %s)", [username])
    return username


def check(label: str, ok: bool, detail: str) -> bool:
    print(f"{'ok  ' if ok else 'FAIL'} {label}: {detail}", flush=True)
    return ok


def check_sessions(site: MultiSite) -> bool:
    username = verified_member(site)
    browser = Browser()
    browser.log_in(site.server_base("a"), username, PASSWORD)
    status_a, _ = browser.open(f"{site.server_base('a')}/privacy/my-data/")
    status_b, _ = browser.open(f"{site.server_base('b')}/privacy/my-data/")
    return check("sessions", status_a == 200 and status_b == 200,
                 f"logged in on A; my data on A {status_a}, on B {status_b}")


def check_rate_limit(site: MultiSite) -> bool:
    """allauth refuses a log-in over the limit with the form's message (not a redirect)."""
    username, control = verified_member(site), verified_member(site)
    for attempt in range(6):
        server = site.server_base("a" if attempt % 2 == 0 else "b")
        Browser().log_in(server, username, "wrong-password")
    limited, _ = Browser().log_in(site.server_base("b"), username, PASSWORD)
    free, _ = Browser().log_in(site.server_base("b"), control, PASSWORD)
    return check("rate limits", limited == 200 and free == 302,
                 f"after 6 wrong passwords alternating A/B the right one is "
                 f"{'refused' if limited != 302 else 'ACCEPTED'} on B; another member logs in "
                 f"({free})")


def seen_on_both(site: MultiSite, path: str, text: str) -> float | None:
    """Seconds until ``text`` is on ``path`` on both servers, or None."""
    started = time.monotonic()
    while time.monotonic() - started < SEEN_WITHIN:
        pages = [Browser().open(site.server_base(name) + path)[1] for name in ("a", "b")]
        if all(text in page for page in pages):
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def check_staff_changes(site: MultiSite) -> bool:
    for name in ("a", "b"):  # both servers hold the areas and versions in memory
        Browser().open(site.server_base(name) + "/consultations/")
        Browser().open(site.server_base(name) + "/privacy/policy/")
    new_name = f"이름바꿈{secrets.token_hex(2)}"
    site.manage("shell", "-c", (
        "from consultations.models import ConsultationArea\n"
        "from consultations.selectors import area_list_cache_clear\n"
        "area = ConsultationArea.objects.filter(is_active=True).order_by('position').first()\n"
        f"area.name_ko = {new_name!r}\narea.save()\narea_list_cache_clear()\n"
    ))
    area_seconds = seen_on_both(site, "/consultations/", new_name)
    version = f"9.{secrets.randbelow(1000)}"
    site.manage("privacy", "publish-policy", "--version", version, "--effective",
                time.strftime("%Y-%m-%d"), "--summary", "multi-server check")
    policy_seconds = seen_on_both(site, "/privacy/policy/", version)
    ok_area = check("area renamed", area_seconds is not None,
                    f"on both servers after {area_seconds or SEEN_WITHIN:.1f} s")
    ok_policy = check("policy version published", policy_seconds is not None,
                      f"on both servers after {policy_seconds or SEEN_WITHIN:.1f} s")
    return ok_area and ok_policy


def check_failover(site: MultiSite, args: argparse.Namespace) -> bool:
    results, window = Results(), FaultWindow()
    run = secrets.token_hex(2)
    ids = site.consultation_ids()
    until = time.monotonic() + args.duration
    threads = [threading.Thread(target=Client(site, results, window, n, ids, run).loop,
                                args=(until,), daemon=True) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.duration / 2)
    print("killing app server A ...", flush=True)
    # Requests in flight on A when it dies fail (a POST cannot be sent again safely); every
    # request that starts after the kill must succeed on B.
    window.start = window.end = time.monotonic()
    window.grace = 0.0
    site.kill("a")
    for thread in threads:
        thread.join()
    ok = check("fail-over", not results.errors_outside,
               f"{results.requests} requests through nginx; server A killed half-way: "
               f"{len(results.errors_in_window)} in flight on it failed, "
               f"{len(results.errors_outside)} failed after")
    args.no_restart = True  # the report's PostgreSQL restart line does not apply
    return report(args, site, results, None) == 0 and ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--port", type=int, default=8120,
                        help="nginx port; the app servers take the next two")
    parser.add_argument("--pg-port", type=int, default=5497)
    parser.add_argument("--redis-port", type=int, default=6397)
    args = parser.parse_args(argv)
    if shutil.which("nginx") is None or shutil.which("redis-server") is None:
        parser.error("needs Debian's nginx and redis-server (apt-get install nginx redis-server)")

    postgres, redis = PrivateServer(args.pg_port), PrivateRedis(args.redis_port)
    with managed(postgres) as server_url, managed(redis) as redis_url:
        site = MultiSite(server_url=server_url, port=args.port, workers=args.workers,
                         redis_url=redis_url)
        try:
            site.create()
            site.guests_before = site.guest_references()[0]
            site.start()
            results = [check_sessions(site), check_rate_limit(site),
                       check_staff_changes(site), check_failover(site, args)]
        finally:
            site.stop()
            site.drop()
    print("OK" if all(results) else "FAILED")
    return 0 if all(results) else 1


@contextlib.contextmanager
def managed(server: PrivateServer | PrivateRedis) -> Iterator[str]:
    try:
        yield server.start()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
