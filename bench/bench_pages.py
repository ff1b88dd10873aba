"""Pages under load, as ratios to a bare Django view measured in the same run.

Generates the data (``bench/generate.py``: 100,000 members, 200,000 consultations, 20,000
reviews by default) on a scratch database (``bench/environment.py``: SQLite in ``VAR_DIR``, or
the PostgreSQL database of ``DATABASE_URL``), starts gunicorn with 2 workers on loopback and
puts each page under load for a fixed time with ``wrk`` (or a small threaded client when wrk is
not installed). Prints, per page: requests/s, p50 and p99 latency, the ratio of its throughput
to its bare view's (a constant response through the same middleware stack, ``bench.urls``,
requested anonymously or with the same signed-in session as the page), and the number of
queries the page runs. Exits non-zero when a target is missed:

- anonymous read pages (home, board page 1 and page 500, a consultation, reviews, policy, and
  the clinic's procedure, doctors and visit pages) at least ``READ_RATIO`` of the anonymous
  bare view's throughput;
- member pages (my data and one of its item pages) at least ``READ_RATIO`` of the bare view
  requested with the same session;
- form pages (GET of log-in, sign-up, guest consultation, booking request, new consultation)
  at least ``FORM_RATIO`` of the bare view (anonymous, or the same session for the
  new-consultation form, which needs a member);
- p99 at most ``MAX_TAIL`` times p50 on every target row;
- page 500 of the board within ``MAX_DEPTH_COST`` of page 1 (keyset pagination).

Options: ``--members N`` (consultations 2N, reviews N/5), ``--seconds S`` per page,
``--connections C``; or ``BENCH_MEMBERS``, ``BENCH_SECONDS``, ``BENCH_CONNECTIONS``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import environment, generate  # noqa: E402

READ_RATIO = 0.15
FORM_RATIO = 0.10
MAX_TAIL = 5.0
MAX_DEPTH_COST = 0.20
PORT = int(os.environ.get("BENCH_PORT", "8112"))
WARM_UP_SECONDS = 1
ROUNDS = 3


BARE = "bare view (same middleware)"
BARE_SIGNED_IN = "bare view, signed in (same session as the member pages)"
BOARD_FIRST = "consultations, page 1"


@dataclass
class Page:
    name: str
    path: str
    cookie: str = ""
    min_ratio: float | None = None  # share of its bare view's throughput; None: informational
    queries: int | None = None

    @property
    def target(self) -> bool:
        return self.min_ratio is not None

    @property
    def bare(self) -> str:
        """The bare view this page is compared with: the one with the same session."""
        return BARE_SIGNED_IN if self.cookie else BARE


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    cpu_ms: float = 0.0  # CPU time of the gunicorn workers per request


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids``: what the requests cost the server, whatever else
    runs on the machine (throughput on a shared machine also measures the neighbours)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- load generators --------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if not found:
        raise RuntimeError(f"wrk printed no {label} latency:\n{text}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def load_wrk(url: str, *, seconds: int, connections: int, cookie: str) -> Result:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       text)
    count = int(errors.group(1)) if errors else 0
    count += sum(int(n) for n in failed.groups()) if failed else 0
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    return Result(rps, _wrk_ms(text, "50%"), _wrk_ms(text, "99%"), count, requests)


def load_threads(url: str, *, seconds: int, connections: int, cookie: str) -> Result:
    """Fallback without wrk: ``connections`` threads, each sending requests one after another."""
    path = url.split(str(PORT), 1)[1]
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection = HTTPConnection("127.0.0.1", PORT, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            finally:
                connection.close()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return Result(len(latencies) / elapsed, cuts[49], cuts[98], errors[0], len(latencies))


def load(url: str, *, workers: list[int], **kwargs: object) -> Result:
    before = cpu_seconds(workers)
    result = (load_wrk if shutil.which("wrk") else load_threads)(url, **kwargs)
    result.cpu_ms = (cpu_seconds(workers) - before) * 1000 / max(1, result.requests)
    return result


# --- the site under test ----------------------------------------------------------------------

def session_cookie_for(username: str) -> str:
    """Log ``username`` in the way the login view does, without a password round trip."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    member = get_user_model().objects.with_login_id(username).get()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def pages(*, owner_cookie: str) -> list[Page]:
    from django.urls import reverse

    from clinic.models import ProcedurePage
    from consultations import selectors
    from consultations.models import Answer
    from consultations.pagination import cursor_for
    from consultations.views import PAGE_SIZE

    board = selectors.consultation_list_for(viewer=None)
    depth = min(500, board.count() // PAGE_SIZE)  # 500 at full size; less in small trials
    last_of_499 = board[(depth - 1) * PAGE_SIZE - 1]
    answered = (
        Answer.objects.filter(consultation__is_private=False,
                              consultation__kind="board")
        .order_by("consultation_id").values_list("consultation_id", flat=True)
    )
    detail_pk = answered[answered.count() // 2]
    procedure = ProcedurePage.objects.filter(is_published=True).select_related("area").first()
    assert procedure is not None, "load_demo publishes the clinic's procedure pages"
    read, form = READ_RATIO, FORM_RATIO
    return [
        Page(BARE, "/bench/bare/"),
        Page(BARE_SIGNED_IN, "/bench/bare/", cookie=owner_cookie),
        # Anonymous read pages.
        Page("home", "/", min_ratio=read),
        Page(BOARD_FIRST, "/consultations/", min_ratio=read),
        Page(f"consultations, page {depth} (next link)",
             f"/consultations/?page={depth}&after={cursor_for(last_of_499)}", min_ratio=read),
        Page(f"consultations, ?page={depth} (old link)", f"/consultations/?page={depth}"),
        Page("consultation detail (answered)", f"/consultations/{detail_pk}/", min_ratio=read),
        Page("reviews", "/reviews/", min_ratio=read),
        Page("privacy policy", "/privacy/policy/", min_ratio=read),
        # The clinic's own pages are read pages under the same budget.
        Page("procedure page", reverse("clinic:procedure_page", args=[procedure.area.slug]),
             min_ratio=read),
        Page("doctors", reverse("clinic:doctors"), min_ratio=read),
        Page("visit", reverse("clinic:visit"), min_ratio=read),
        # Member pages, against the bare view with the same session.
        Page("my data, member with 500 posts", reverse("privacy:my_data"), cookie=owner_cookie,
             min_ratio=read),
        Page("my data, item: consultation contents (500)",
             reverse("privacy:my_data_item", args=["consultation_content"]),
             cookie=owner_cookie, min_ratio=read),
        # Form pages (GET).
        Page("log-in form", reverse("account_login"), min_ratio=form),
        Page("sign-up form", reverse("account_signup"), min_ratio=form),
        Page("guest consultation form", reverse("consultations:guest"), min_ratio=form),
        Page("booking request form", reverse("consultations:booking"), min_ratio=form),
        Page("new consultation form (member)", reverse("consultations:create"),
             cookie=owner_cookie, min_ratio=form),
    ]


def count_queries(page_list: list[Page]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in page_list:
        client = Client()
        headers = {"cookie": page.cookie} if page.cookie else {}
        client.get(page.path, headers=headers)  # warm the site-wide caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{page.path} answered {response.status_code}, not 200")
        page.queries = len(queries)


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    env = {**env, "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{PORT}",
           "DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # --max-requests 0: no worker restarts in the middle of a measurement.
    process = subprocess.Popen(
        [str(gunicorn), "clinic_site.wsgi:application", "-c", str(ROOT / "gunicorn.conf.py"),
         "--chdir", str(ROOT), "--max-requests", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPUs (nproc), {memory:.0f} GiB memory, "
            f"{platform.platform()}, Python {platform.python_version()}, "
            f"{environment.database_description()}, "
            f"cache {'Redis (REDIS_URL)' if os.environ.get('REDIS_URL') else 'database table'}, "
            f"load {'wrk' if shutil.which('wrk') else 'threaded client'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=int(os.environ.get("BENCH_MEMBERS",
                                                                          100_000)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--connections", type=int,
                        default=int(os.environ.get("BENCH_CONNECTIONS", 4)))
    args = parser.parse_args()
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"port {PORT} is in use (BENCH_PORT chooses another)")

    env = environment.prepare()
    consultations, reviews = args.members * 2, args.members // 5
    timings = generate.generate(members=args.members, consultations=consultations,
                                reviews=reviews)
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum / a periodic ANALYZE keeps current
        cursor.execute("ANALYZE")
    print(f"machine: {machine()}")
    print(f"data: {args.members:,} members, {consultations:,} consultations, {reviews:,} reviews"
          f" generated in {timings.total:.1f} s (members {timings.members:.1f} s, "
          f"consultations with answers {timings.consultations:.1f} s, "
          f"reviews {timings.reviews:.1f} s)")

    page_list = pages(owner_cookie=session_cookie_for(generate.OWNER_USERNAME))
    count_queries(page_list)
    connection.close()
    gunicorn = start_gunicorn(env)
    # The machine may be shared: every page (the bare view included) is measured in ROUNDS
    # rounds of seconds/ROUNDS, interleaved, and its best round counts, so that a burst of
    # outside load during one measurement does not decide a ratio.
    best: dict[str, Result] = {}
    errors: dict[str, int] = {}  # over every round
    cpu: dict[str, list[float]] = {}
    workers = worker_pids(gunicorn.pid)
    try:
        for page in page_list:
            load(f"http://127.0.0.1:{PORT}{page.path}", seconds=WARM_UP_SECONDS,
                 connections=args.connections, cookie=page.cookie, workers=workers)
        for _ in range(ROUNDS):
            for page in page_list:
                result = load(f"http://127.0.0.1:{PORT}{page.path}",
                              seconds=max(1, args.seconds // ROUNDS),
                              connections=args.connections, cookie=page.cookie,
                              workers=workers)
                errors[page.name] = errors.get(page.name, 0) + result.errors
                cpu.setdefault(page.name, []).append(result.cpu_ms)
                if page.name not in best or result.rps > best[page.name].rps:
                    best[page.name] = result
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    print("load average (1, 5, 15 min) after the measurements: "
          + ", ".join(f"{value:.1f}" for value in os.getloadavg())
          + f" on {os.cpu_count()} CPUs (above the CPU count: the machine was shared)")
    print(f"gunicorn 2 workers (sync), {args.connections} connections, {args.seconds} s per page"
          f" in {ROUNDS} interleaved rounds, best round counted")
    print()
    print("| page | req/s | p50 ms | p99 ms | p99/p50 | vs its bare view | target "
          "| server CPU ms/req | bare/page by CPU | queries | |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    failures = []
    for page in page_list:
        result = best[page.name]
        ratio = result.rps / best[page.bare].rps
        tail = result.p99_ms / result.p50_ms if result.p50_ms else float("inf")
        missed = []
        if page.target and ratio < page.min_ratio:
            missed.append(f"< {page.min_ratio:.0%} of {page.bare}")
        if page.target and tail > MAX_TAIL:
            missed.append(f"p99 > {MAX_TAIL:.0f}x p50")
        if errors[page.name]:
            missed.append(f"{errors[page.name]} errors")
        failures += [f"{page.name}: {reason}" for reason in missed]
        note = "; ".join(missed) or ("met" if page.target else "not a target")
        page_cpu = min(cpu[page.name])
        bare_cpu = min(cpu[page.bare])
        goal = f">= {page.min_ratio:.0%}" if page.target else "-"
        print(f"| {page.name} | {result.rps:.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} "
              f"| {tail:.1f} | {ratio:.0%} | {goal} | {page_cpu:.2f} "
              f"| {bare_cpu / page_cpu:.0%} | {page.queries} | {note} |")
    by_name = {page.name: page for page in page_list}
    deep_page = next(page for page in page_list if page.name.endswith("(next link)"))
    first, deep = best[BOARD_FIRST].rps, best[deep_page.name].rps
    depth_cost = 1 - deep / first
    print()
    first_cpu, deep_cpu = min(cpu[BOARD_FIRST]), min(cpu[deep_page.name])
    print(f"deep page vs page 1: {deep:.0f} / {first:.0f} req/s = {deep / first:.0%} "
          f"(target: within {MAX_DEPTH_COST:.0%}); server CPU per request "
          f"{deep_cpu:.2f} / {first_cpu:.2f} ms = {deep_cpu / first_cpu:.0%}")
    signed_in = best[by_name[BARE_SIGNED_IN].name].rps / best[BARE].rps
    print(f"signed-in bare view vs anonymous bare view: {signed_in:.0%} (what the session, "
          "the member and the re-consent check cost the middleware; informational)")
    if depth_cost > MAX_DEPTH_COST:
        failures.append(f"the deep page is {depth_cost:.0%} slower than page 1")
    print("OK" if not failures else "FAIL: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
