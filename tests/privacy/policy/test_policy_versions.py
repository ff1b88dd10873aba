"""Publishing, archived versions, the diff, the banner and notifying members."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from privacy.models import PolicyNotice, PolicyVersion
from privacy.policy.services import policy_version_publish
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


def privacy(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def first_version() -> PolicyVersion:
    return policy_version_publish(version="1.0", effective_on=datetime.date(2024, 7, 1))


def test_publish_freezes_both_languages(first_version: PolicyVersion) -> None:
    output = privacy("publish-policy", "--version", "2.0", "--effective", "2026-12-10",
                     "--summary", "Adds a mail delegate.")
    assert "Published version 2.0, effective 2026-12-10" in output
    version = PolicyVersion.objects.get(version="2.0")
    assert version.summary == "Adds a mail delegate."
    assert "1. 수집하는 개인정보 항목" in version.content_ko
    assert "1. Personal information collection items" in version.content_en
    assert version.requires_reconsent is False


def test_each_language_shows_its_own_summary(first_version: PolicyVersion,
                                             client: Client) -> None:
    privacy("publish-policy", "--version", "2.0", "--effective", "2026-12-10",
            "--summary", "위탁업체 추가", "--summary-en", "Adds a mail delegate.")
    version = PolicyVersion.objects.get(version="2.0")
    assert (version.summary, version.summary_en) == ("위탁업체 추가", "Adds a mail delegate.")
    korean = client.get("/privacy/policy/versions/").content.decode()
    assert "위탁업체 추가" in korean and "Adds a mail delegate." not in korean
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/privacy/policy/versions/").content.decode()
    assert "Adds a mail delegate." in english and "위탁업체 추가" not in english


def test_a_summary_over_2000_characters_is_refused(first_version: PolicyVersion) -> None:
    with pytest.raises(CommandError, match="--summary-en is longer than 2000 characters"):
        privacy("publish-policy", "--version", "2.0", "--effective", "2026-12-10",
                "--summary-en", "x" * 2001)
    assert not PolicyVersion.objects.filter(version="2.0").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--effective", "2026-13-01"], "is not a date in the form YYYY-MM-DD"),
    (["--effective", "next week"], "is not a date in the form YYYY-MM-DD"),
    (["--effective", "2026-11-24"], "is in the past"),
    (["--effective", "2026-12-10", "--version", "1.0"], "already published"),
    (["--effective", "2026-12-10", "--version", "../x"], "is not valid"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(
    first_version: PolicyVersion, args: list[str], message: str
) -> None:
    if "--version" not in args:
        args = [*args, "--version", "2.0"]
    with pytest.raises(CommandError, match=message):
        privacy("publish-policy", *args)
    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["1.0"]


def test_dry_run_writes_nothing(first_version: PolicyVersion) -> None:
    output = privacy("publish-policy", "--version", "2.0", "--effective", "2026-12-10",
                     "--dry-run")
    assert "Dry run: would publish version 2.0" in output
    assert not PolicyVersion.objects.filter(version="2.0").exists()


def test_short_notice_is_published_with_a_warning(first_version: PolicyVersion) -> None:
    output = privacy("publish-policy", "--version", "2.0", "--effective", "2026-11-28")
    assert "fewer than 7 days" in output


def frozen(version: str, day: datetime.date, *, ko: str = "", en: str = "") -> PolicyVersion:
    """A version frozen with the given text, as if the policy had read so when published."""
    return PolicyVersion.objects.create(version=version, effective_on=day, content_ko=ko,
                                        content_en=en)


def test_archived_versions_stay_as_frozen_and_are_listed(client: Client) -> None:
    frozen("1.0", datetime.date(2024, 7, 1), ko="<p>옛 방침 본문</p>", en="<p>The old text</p>")
    policy_version_publish(version="2.0", effective_on=datetime.date(2026, 11, 26))
    archived = client.get("/privacy/policy/1.0/").content.decode()
    assert "옛 방침 본문" in archived
    listing = client.get("/privacy/policy/versions/").content.decode()
    assert 'href="/privacy/policy/1.0/"' in listing
    assert 'href="/privacy/policy/2.0/"' in listing
    assert 'href="/privacy/policy/2.0/diff/"' in listing
    assert client.get("/privacy/policy/9.9/").status_code == 404
    assert client.get("/privacy/policy/1.0/diff/").status_code == 404  # nothing before it


def test_the_comparison_table_sets_old_beside_new_escaped(
    client: Client, django_assert_max_num_queries
) -> None:
    frozen("1.0", datetime.date(2024, 7, 1),
           ko="<p>같은 줄</p>\n<p>지워진 줄 &lt;script&gt;</p>\n<p>그대로</p>\n<p>없앤 줄</p>")
    frozen("2.0", datetime.date(2026, 12, 10),
           ko="<p>같은 줄</p>\n<p>새 줄 <b>굵게</b></p>\n<p>그대로</p>\n<p>더한 줄</p>\n"
              "<p>끝에 더한 줄</p>")
    client.get("/privacy/policy/2.0/diff/")  # warms the banner's and the cookie groups' caches
    # the version, the one before it
    with django_assert_max_num_queries(3):
        html = client.get("/privacy/policy/2.0/diff/").content.decode()
    assert "<table class=\"policy-compare\">" in html
    assert "개정 전 (1.0 버전)" in html and "개정 후 (2.0 버전)" in html
    # The replaced line beside its replacement, in one row; markup of the text escaped.
    assert ('<td class="compare-old" data-label="개정 전 (1.0 버전)"><del>지워진 줄 &lt;script&gt;'
            '</del></td>\n      <td class="compare-new" data-label="개정 후 (2.0 버전)"><ins>새 줄 '
            '굵게</ins></td>') in html
    assert "<ins>끝에 더한 줄</ins>" in html and "〈신 설〉" in html and "〈삭 제〉" not in html
    assert html.count('class="compare-gap"') == 1  # "그대로" between two changes, left out
    assert "같은 줄" not in html and "@@" not in html and "<script>" not in html


def test_the_comparison_compares_table_rows_cell_by_cell(client: Client) -> None:
    frozen("1.0", datetime.date(2024, 7, 1),
           en="<table><tr><th>name</th><td>required</td></tr><tr><th>fax</th><td>x</td></tr>"
              "</table>")
    frozen("2.0", datetime.date(2026, 12, 10),
           en="<table><tr><th>name</th><td>optional</td></tr></table>")
    client.cookies["django_language"] = "en"
    html = client.get("/privacy/policy/2.0/diff/").content.decode()
    assert "<del>name | required</del>" in html
    assert "<ins>name | optional</ins>" in html
    assert "<del>fax | x</del>" in html and "(deleted)" in html
    assert "Before (version 1.0)" in html


def test_the_comparison_stacks_on_a_phone() -> None:
    with open("static/css/site.css", encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    narrow = css[css.index("@media (max-width: 600px) {\n  .policy-compare"):]
    narrow = narrow[:narrow.index("\n}\n")]
    assert ".policy-compare thead { display: none; }" in narrow
    assert ".policy-compare td { display: block; width: 100%; }" in narrow


def test_banner_shows_from_7_days_before(client: Client, first_version: PolicyVersion) -> None:
    policy_version_publish(version="2.0", effective_on=datetime.date(2026, 12, 3))
    assert 'class="policy-banner"' not in client.get("/").content.decode()  # 8 days before
    with time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)):
        html = client.get("/").content.decode()
        assert 'class="policy-banner"' in html
        assert 'href="/privacy/policy/2.0/"' in html
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)):
        assert 'class="policy-banner"' not in client.get("/").content.decode()  # in force


def test_the_banner_costs_at_most_one_cached_query(
    client: Client, first_version: PolicyVersion, django_assert_max_num_queries
) -> None:
    client.get("/privacy/policy/versions/")  # warms the cache
    # The page's own list and the banner's cache read (the test cache is a database table).
    with django_assert_max_num_queries(2):
        client.get("/privacy/policy/versions/")


def test_notify_emails_each_active_member_once_and_a_second_run_none(
    first_version: PolicyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("privacy.actions.notify_policy.BATCH", 2)  # several batches
    members = MemberFactory.create_batch(3)
    MemberFactory(is_active=False)
    version = policy_version_publish(version="2.0", effective_on=datetime.date(2026, 12, 10),
                                     summary="Adds a mail delegate.")
    output = privacy("notify-policy", "--version", "2.0")
    assert "Emailed 3 member(s)" in output
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    message = mail.outbox[0]
    assert "2026-12-10" in message.subject
    assert "Adds a mail delegate." in message.body
    assert "http://127.0.0.1:8000/privacy/policy/2.0/" in message.body
    assert PolicyNotice.objects.filter(version=version, sent_at__isnull=False).count() == 3

    assert "Emailed 0 member(s)" in privacy("notify-policy", "--version", "2.0")
    assert len(mail.outbox) == 3


def test_notify_resumes_after_an_interruption(
    first_version: PolicyVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemberFactory.create_batch(3)
    policy_version_publish(version="2.0", effective_on=datetime.date(2026, 12, 10))

    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("SMTP went away")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(ConnectionError):
        privacy("notify-policy", "--version", "2.0")
    assert len(mail.outbox) == 1
    assert PolicyNotice.objects.filter(sent_at__isnull=False).count() == 1
    assert PolicyNotice.objects.filter(sent_at__isnull=True).count() == 1  # the failed one
    assert "would email 2 member(s)" in privacy("notify-policy", "--version", "2.0",
                                                 "--dry-run")
    assert "Emailed 2 member(s)" in privacy("notify-policy", "--version", "2.0")
    assert len({m.to[0] for m in mail.outbox}) == 3 == len(mail.outbox)


def test_notify_dry_run_and_unknown_version(first_version: PolicyVersion) -> None:
    MemberFactory.create_batch(2)
    assert "would email 2 member(s)" in privacy("notify-policy", "--version", "1.0",
                                                 "--dry-run")
    assert mail.outbox == []
    assert not PolicyNotice.objects.exists()
    with pytest.raises(CommandError, match=r"no published policy version '7\.0'"):
        privacy("notify-policy", "--version", "7.0")


def test_versions_are_published_by_the_command_not_added_in_the_admin(admin_client) -> None:
    assert admin_client.get("/admin/privacy/policyversion/add/").status_code == 403
