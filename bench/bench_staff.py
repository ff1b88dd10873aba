"""Staff pages and privacy commands at a small and a large size, on SQLite and PostgreSQL.

Each (database, size) is a worker process on a scratch site of its own (``environment.py``):
it generates the data (``generate.py``: members, consultations, reviews, then the consent
ledger, login records, visits, sessions, guest consultations and the access log), then times
every ``privacy`` command (``--dry-run`` where it changes data) and the main admin change lists
(plain, with a search or a filter, and a deep page), the owner's my-data page and export, and
appending to the access log (and its two statements alone, what the machine allows). Time is
the best of a few runs (a command: of three, unless one run is over 30 s); peak memory is Python's
(tracemalloc, in a separate run); queries are counted in the timed run.

The parent prints every figure with its growth from the small to the large size and checks the
budgets; it exits non-zero when one is missed:
- every admin change list <= 150 ms at the large size and x2 at most for 10x the data;
- my data and the export do not grow with other people's data (x1.2 at most);
- every command grows at most linearly (time x1.25 the data ratio at most; x2 for a command
  under 50 ms, whose figure is mostly noise) with flat memory (x2 + 1 MB at most);
- ``privacy verify-access-log`` checks >= 200,000 entries/s;
- appending an access-log entry takes <= 0.5 ms on PostgreSQL, in its own transaction and
  in a request's (the head's move after the commit included).

PostgreSQL: 127.0.0.1:5432 as ``postgres`` (``BENCH_PG_URL`` for another server; the
database names must contain "bench"; created here and dropped afterwards). Without a reachable
server only the SQLite half runs, and the reason is printed.

Sizes: ``BENCH_STAFF_MEMBERS`` (default "5000,50000") and ``BENCH_STAFF_LOG`` (access-log
entries, default "50000,500000"); consultations are twice the members, reviews a fifth,
guest consultations a tenth. The defaults keep a whole run (four generated sites) near ten
minutes on a shared 2-core machine; "10000,100000" and "100000,1000000" are the sizes of the
first measurements, at about three times the run time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
MEMBERS = tuple(int(n) for n in os.environ.get("BENCH_STAFF_MEMBERS", "5000,50000").split(","))
LOG = tuple(int(n) for n in os.environ.get("BENCH_STAFF_LOG", "50000,500000").split(","))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_NAMES = ("clinic_bench_staff", "clinic_bench_staff_retention")

LIST_BUDGET_MS = 150.0
LIST_GROWTH = 2.0
OWN_DATA_GROWTH = 1.2
LINEAR_SLACK = 1.25
NOISE_MS = 50.0
MEMORY_GROWTH = 2.0
MEMORY_SLACK = 1e6
VERIFY_RATE = 200_000
APPEND_BUDGET_MS = 0.5
DEEP_PAGE = 50
LIST_RUNS = 7
APPENDS = 1000
COMMAND_RUNS = 3
ONE_RUN_MS = 30_000


# --- Scratch databases (parent) ------------------------------------------------------------------

def scratch_name_check(name: str) -> str:
    """The benchmark drops and creates its databases: a name without "bench" is refused."""
    if "bench" not in name:
        raise SystemExit(f"refusing scratch database {name!r}: its name must contain 'bench'")
    return name


def _pg_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True,
                           connect_timeout=3)


def postgres_unavailable(url: str) -> str | None:
    """Why PostgreSQL cannot be used (``None`` when it can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    try:
        with _pg_admin(url) as connection:
            connection.execute("select 1")
    except Exception as error:  # any failure means: run without it
        return f"no PostgreSQL at {urlsplit(url).netloc} ({str(error).strip().splitlines()[0]})"
    return None


def recreate(url: str, name: str) -> None:
    scratch_name_check(name)
    with _pg_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop(url: str, name: str) -> None:
    scratch_name_check(name)
    with _pg_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- One worker: one database, one size ----------------------------------------------------------

def _best(runs: int, call: Any) -> tuple[float, int]:
    """Best wall time (ms) of ``runs`` calls, and the queries of the last one."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connections["default"]) as live, \
                CaptureQueriesContext(connections["retention"]) as kept:
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
        best = min(best, elapsed)
        queries = len(live.captured_queries) + len(kept.captured_queries)
    return best, queries


def _peak(call: Any) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _staff_client() -> Any:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.test import Client

    staff = get_user_model().objects.create_superuser(
        username="bench_admin", email="bench_admin@bench.example", password=None,
        name="관리자")
    TOTP.activate(staff, generate_totp_secret())
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(staff)
    return client


def _lists() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from bench.generate import OWNER_USERNAME
    from consultations.models import GuestConsultation
    from privacy.models import AccessLogEntry

    guest = GuestConsultation.objects.order_by("pk").values_list("reference", flat=True).first()
    actor = AccessLogEntry.objects.order_by("sequence").values_list("actor", flat=True).first()
    owner_ref = get_user_model().objects.with_login_id(OWNER_USERNAME).get().subject_ref
    small = MEMBERS[0]
    # (list, search or filter, rows at the small size: the deep page is the same page at both
    # sizes, at most DEEP_PAGE and inside the small size's list)
    lists = {
        "members": ("/admin/members/member/", "q=bench000123", small),
        "consultations": ("/admin/consultations/consultation/", "q=1234", small * 2),
        "guest consultations": ("/admin/consultations/guestconsultation/", f"q={guest}",
                                small // 10),
        "reviews": ("/admin/consultations/review/", "q=1234", small // 5),
        "consent ledger": ("/admin/privacy/consentrecord/", "consent=marketing_sms&granted=0",
                           small * 2),
        "access log": ("/admin/privacy/accesslogentry/", f"q={actor}", LOG[0]),
    }
    urls = {}
    for name, (url, search, rows) in lists.items():
        page = max(1, min(DEEP_PAGE, rows // 100 - 1))
        urls[f"{name}"] = url
        urls[f"{name}, search"] = f"{url}?{search}"
        urls[f"{name}, page {page}"] = f"{url}?p={page}"
    # Who looked at one person's data: the owner's entries, as many at both sizes.
    urls["access log, one subject"] = f"/admin/privacy/accesslogentry/?q={owner_ref}"
    return urls


def _commands(tmp: Path) -> dict[str, list[str]]:
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.generate import OWNER_USERNAME
    from privacy.models import Campaign, CampaignChannel, PolicyVersion

    member = get_user_model().objects.with_login_id("bench000042").get()
    campaign = Campaign.objects.create(title="bench", body="벤치 안내",
                                       channel=CampaignChannel.EMAIL)
    version = PolicyVersion.objects.order_by("-effective_on").values_list("version",
                                                                           flat=True).first()
    today = timezone.localdate()
    request = ["--member", OWNER_USERNAME, "--channel", "email", "--reference", "BENCH-1"]
    return {
        "registry": ["registry"],
        "report": ["report"],
        "inventory": ["inventory"],
        "retention-list": ["retention-list"],
        "verify-access-log": ["verify-access-log"],
        "verify-erasure": ["verify-erasure", "--member-ref", str(member.subject_ref)],
        "purge --dry-run": ["purge", "--dry-run"],
        "replay-destruction --dry-run": [
            "replay-destruction", "--since", f"{today - datetime.timedelta(days=30)}",
            "--dry-run"],
        "rotate-keys --dry-run": ["rotate-keys", "--dry-run"],
        "refresh-lookup-digests --dry-run": ["refresh-lookup-digests", "--dry-run"],
        "remind-consents --dry-run": ["remind-consents", "--dry-run"],
        "send-campaign --dry-run": ["send-campaign", str(campaign.pk), "--dry-run"],
        "notify-policy --dry-run": ["notify-policy", "--version", str(version), "--dry-run"],
        "publish-policy --dry-run": [
            "publish-policy", "--version", "99.0",
            "--effective", f"{today + datetime.timedelta(days=8)}", "--dry-run"],
        "breach open --dry-run": [
            "breach", "open", "--items", "mobile_phone,email", "--since",
            f"{today - datetime.timedelta(days=3)}", "--description", "벤치", "--dry-run"],
        "breach list": ["breach", "list"],
        "erase --dry-run": ["erase", *request, "--dry-run"],
        "correct --dry-run": ["correct", *request, "--item", "mobile_phone", "--dry-run"],
        "restrict --dry-run": ["restrict", *request, "--item", "mobile_phone", "--dry-run"],
        "export --dry-run": ["export", *request, "--output", str(tmp / "dry.zip"), "--dry-run"],
    }


def _append_statements_ms() -> float:
    """What an append's two statements cost on this machine with nothing around them: the
    insert (a row outside the chain, its sequence empty, with the same check of the head and
    the same commit) and the head's move to where it is, each its own transaction, written
    and bound once. The rest of an append's time is the code's; this part is the database's
    and the machine's, which the append budget has to be read against."""
    from django.db import connections, router

    from privacy import access_log
    from privacy.models import AccessLogEntry, AccessLogHead

    live, kept = router.db_for_write(AccessLogEntry), router.db_for_write(AccessLogHead)
    no_flush = access_log._one_wal(live, kept)
    head = AccessLogEntry.objects.filter(sequence__isnull=False).order_by("-sequence").first()
    assert head is not None and head.sequence is not None  # the appends above wrote some
    row = AccessLogEntry(actor="bench", action="view:members.member", fields="name",
                         ip_address="192.0.2.1", sequence=None, reason="statements alone")
    insert = access_log._insert_sql(live, guarded=True, no_flush=no_flush)
    insert_params = [field.get_db_prep_save(getattr(row, field.attname), connections[live])
                     for field in access_log._insert_columns()] + [head.sequence,
                                                                   head.entry_hash]
    move = access_log._head_sql(kept, force=True, no_flush=no_flush)
    move_params = [head.sequence, head.entry_hash, AccessLogHead._meta.get_field(
        "updated_at").get_db_prep_save(head.at, connections[kept])]
    with connections[live].cursor() as inserting, connections[kept].cursor() as moving:
        started = time.perf_counter()
        for _ in range(APPENDS):
            inserting.execute(insert, insert_params)
            moving.execute(move, move_params)
        return (time.perf_counter() - started) * 1000 / APPENDS


def worker(members: int, log_entries: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from bench import environment

    environment.prepare()
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command
    from django.db import connections, transaction
    from django.urls import reverse

    from bench.generate import OWNER_USERNAME, generate, generate_staff_records
    from privacy.access_log import access_log_append

    def say(text: str) -> None:
        print(f"  [{connections['default'].vendor} {members}] {text}", file=sys.stderr,
              flush=True)

    result: dict[str, Any] = {"database": environment.database_description(),
                              "members": members, "log": log_entries}
    started = time.perf_counter()
    generate(members=members, consultations=members * 2, reviews=members // 5)
    generate_staff_records(access_log=log_entries, guests=members // 10)
    for alias in ("default",):
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connections[alias].cursor() as cursor:
                cursor.execute("ANALYZE")
    result["generation_s"] = time.perf_counter() - started
    say(f"generated in {result['generation_s']:.0f} s")

    figures: dict[str, dict[str, float]] = {}
    client = _staff_client()
    for name, url in _lists().items():
        response = client.get(url)  # warm up (and check)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        ms, queries = _best(LIST_RUNS, lambda url=url: client.get(url))
        figures[f"admin: {name}"] = {"ms": ms, "queries": queries,
                                     "peak": _peak(lambda url=url: client.get(url))}
    say("admin lists done")

    owner = get_user_model().objects.with_login_id(OWNER_USERNAME).get()
    client.force_login(owner)
    my_data = reverse("privacy:my_data")
    if client.get(my_data).status_code != 200:
        raise SystemExit(f"{my_data}: not shown to its owner")
    ms, queries = _best(LIST_RUNS, lambda: client.get(my_data))
    figures[f"my data ({my_data})"] = {
        "ms": ms, "queries": queries, "peak": _peak(lambda: client.get(my_data))}

    with tempfile.TemporaryDirectory(prefix="bench-staff-") as scratch:
        tmp = Path(scratch)
        counter = iter(range(1000))

        def export() -> None:
            call_command("privacy", "export", "--member", OWNER_USERNAME, "--channel", "email",
                         "--reference", "BENCH-EXPORT", "--output",
                         str(tmp / f"export-{next(counter)}.zip"), stdout=io.StringIO())

        ms, queries = _best(3, export)
        figures["privacy export (real)"] = {"ms": ms, "queries": queries, "peak": _peak(export)}

        for name, args in _commands(tmp).items():
            def run(args: list[str] = args) -> None:
                try:
                    call_command("privacy", *args, stdout=io.StringIO())
                except CommandError:
                    # verify-erasure of a live member lists its rows and exits non-zero
                    if args[0] != "verify-erasure":
                        raise

            # A single run of a long command moves by up to 2x on a shared machine: the
            # best of three unless one run is already too long to repeat.
            first_ms, queries = _best(1, run)
            ms = first_ms if first_ms > ONE_RUN_MS else min(
                first_ms, _best(COMMAND_RUNS - 1, run)[0])
            figures[f"privacy {name}"] = {"ms": ms, "queries": queries, "peak": _peak(run)}
            say(f"privacy {name}: {ms:.0f} ms")
            if name == "verify-access-log":
                result["verify_rate"] = log_entries / (ms / 1000)

    # The database's round trip (SELECT 1) on this machine now: what an append's two
    # statements and its commit are made of.
    with connections["default"].cursor() as cursor:
        started = time.perf_counter()
        for _ in range(APPENDS):
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result["round_trip_ms"] = (time.perf_counter() - started) * 1000 / APPENDS
    # Appending: each in its own transaction (a command, a purge step) and in a request's.
    started = time.perf_counter()
    for n in range(APPENDS):
        access_log_append(actor="bench", action="view:members.member",
                          subject_ref=owner.subject_ref, ip_address="192.0.2.1",
                          fields=("name",), reason=f"{n}")
    result["append_ms"] = (time.perf_counter() - started) * 1000 / APPENDS
    started = time.perf_counter()
    with transaction.atomic():
        for n in range(APPENDS):
            access_log_append(actor="bench", action="view:members.member",
                              subject_ref=owner.subject_ref, ip_address="192.0.2.1",
                              fields=("name",), reason=f"{n}")
    result["append_in_transaction_ms"] = (time.perf_counter() - started) * 1000 / APPENDS
    result["statements_ms"] = _append_statements_ms()
    say(f"append {result['append_ms']:.2f} ms, in a transaction "
        f"{result['append_in_transaction_ms']:.2f} ms, its two statements alone "
        f"{result['statements_ms']:.2f} ms")
    result["figures"] = figures
    return result


# --- The parent: run the workers, print, check ---------------------------------------------------

def run_worker(members: int, log_entries: int, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="bench-staff-", suffix=".json") as out:
        completed = subprocess.run(
            [sys.executable, __file__, "--worker", str(members), str(log_entries), out.name],
            env=env, check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(f"the worker for {members} members failed "
                             f"(exit {completed.returncode})")
        return json.loads(Path(out.name).read_text())


def report(label: str, small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    """Print one database's table; return the budgets missed."""
    missed: list[str] = []
    ratio = large["members"] / small["members"]
    print(f"\n{label}: {small['database']}; {small['members']:,} -> {large['members']:,} "
          f"members, {small['log']:,} -> {large['log']:,} access-log entries (x{ratio:.0f}); "
          f"generated in {small['generation_s']:.0f} s and {large['generation_s']:.0f} s")
    print(f"{'':44} {'small ms':>9} {'large ms':>9} {'growth':>7} {'queries':>9} "
          f"{'peak MB':>13}")
    for name, a in small["figures"].items():
        b = large["figures"][name]
        growth = b["ms"] / a["ms"]
        print(f"{name:44} {a['ms']:9.1f} {b['ms']:9.1f} {growth:6.2f}x "
              f"{a['queries']:>4}/{b['queries']:<4} "
              f"{a['peak'] / 1e6:6.1f}/{b['peak'] / 1e6:<6.1f}")
        if name.startswith("admin:"):
            if b["ms"] > LIST_BUDGET_MS:
                missed.append(f"{label} {name}: {b['ms']:.0f} ms > {LIST_BUDGET_MS:.0f} ms")
            if growth > LIST_GROWTH:
                missed.append(f"{label} {name}: grows x{growth:.2f} > x{LIST_GROWTH}")
        elif name.startswith(("my data", "privacy export (real)")):
            if growth > OWN_DATA_GROWTH:
                missed.append(f"{label} {name}: grows x{growth:.2f} > x{OWN_DATA_GROWTH}")
        else:
            limit = ratio * LINEAR_SLACK if b["ms"] > NOISE_MS else max(2.0, ratio * LINEAR_SLACK)
            if b["ms"] > NOISE_MS and growth > limit:
                missed.append(f"{label} {name}: grows x{growth:.2f} > x{limit:.1f}")
            if b["peak"] > a["peak"] * MEMORY_GROWTH + MEMORY_SLACK:
                missed.append(f"{label} {name}: peak memory {a['peak'] / 1e6:.1f} -> "
                              f"{b['peak'] / 1e6:.1f} MB")
    for size, figures in (("small", small), ("large", large)):
        print(f"verify-access-log ({size}): {figures['verify_rate']:,.0f} entries/s; append "
              f"{figures['append_ms']:.2f} ms each in its own transaction, "
              f"{figures['append_in_transaction_ms']:.2f} ms in a request's; its two "
              f"statements alone {figures['statements_ms']:.2f} ms; a round trip "
              f"(SELECT 1) {figures['round_trip_ms']:.2f} ms")
    if large["verify_rate"] < VERIFY_RATE:
        missed.append(f"{label} verify-access-log: {large['verify_rate']:,.0f} entries/s "
                      f"< {VERIFY_RATE:,}")
    if label == "PostgreSQL":
        for key, where in (("append_ms", "its own transaction"),
                           ("append_in_transaction_ms", "a request's transaction")):
            if large[key] > APPEND_BUDGET_MS:
                missed.append(f"{label} append in {where}: {large[key]:.2f} ms "
                              f"> {APPEND_BUDGET_MS} ms")
    return missed


def main() -> int:
    if len(MEMBERS) != 2 or len(LOG) != 2:
        raise SystemExit("BENCH_STAFF_MEMBERS and BENCH_STAFF_LOG take two sizes each")
    for name in PG_NAMES:
        scratch_name_check(name)
    base = {key: value for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "RETENTION_DATABASE_URL", "VAR_DIR")}
    base["VAR_DIR"] = str(Path(tempfile.gettempdir()) / "bench-staff-var")
    missed: list[str] = []
    runs = {"SQLite": dict(base)}
    why_not = postgres_unavailable(PG_URL)
    if why_not is None:
        runs["PostgreSQL"] = {**base, "DATABASE_URL": f"{PG_URL}/{PG_NAMES[0]}",
                              "RETENTION_DATABASE_URL": f"{PG_URL}/{PG_NAMES[1]}"}
    try:
        for label, env in runs.items():
            results = []
            for members, log_entries in zip(MEMBERS, LOG, strict=True):
                if label == "PostgreSQL":
                    recreate(PG_URL, PG_NAMES[1])  # the worker recreates the main one
                print(f"== {label}: {members:,} members, {log_entries:,} log entries",
                      flush=True)
                results.append(run_worker(members, log_entries, env))
            missed += report(label, *results)
    finally:
        if why_not is None:
            for name in PG_NAMES:
                drop(PG_URL, name)
    if why_not is not None:
        print(f"\nPostgreSQL half skipped: {why_not}")
    if missed:
        print("\nFAIL:\n  " + "\n  ".join(missed))
        return 1
    print("\nOK: every budget met")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        Path(sys.argv[4]).write_text(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
