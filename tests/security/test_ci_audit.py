"""CI's dependency audit fails on a known vulnerability and never passes an audit that could
not run as a clean one (.ci/pip_audit_summary.py reads pip-audit's JSON report and looks up on
the project page what pip-audit's per-version lookup could not find)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "pip_audit_summary.py"
NOT_FOUND = "Dependency not found on PyPI and could not be audited: {name} ({version})"


def summarise(tmp_path: Path, dependencies: list[dict],
              project_pages: dict[str, dict] | None = None) -> subprocess.CompletedProcess[str]:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    for name, page in (project_pages or {}).items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "json").write_text(json.dumps(page))
    env = {**os.environ, "PIP_AUDIT_PROJECT_JSON": f"file://{tmp_path}/{{name}}/json"}
    return subprocess.run([sys.executable, str(SCRIPT), str(report)], capture_output=True,
                          text=True, check=False, timeout=30, env=env)


def not_found(name: str, version: str) -> dict:
    """A dependency pip-audit could not look up per version (the reason names the version)."""
    return {"name": name, "skip_reason": NOT_FOUND.format(name=name, version=version)}


def project_page(newest: str, vulnerabilities: list[dict]) -> dict:
    return {"info": {"version": newest}, "vulnerabilities": vulnerabilities}


def test_a_known_vulnerability_fails_and_is_named(tmp_path: Path) -> None:
    result = summarise(tmp_path, [
        {"name": "django", "version": "5.2.0", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": [],
             "description": "x"}]},
        {"name": "redis", "version": "8.1.0", "vulns": []},
    ])
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout
    assert "2 package(s) audited (0 from the project page), 1 vulnerable" in result.stdout


def test_a_clean_report_passes_and_our_own_editable_package_is_not_counted(
        tmp_path: Path) -> None:
    result = summarise(tmp_path, [
        {"name": "redis", "version": "8.1.0", "vulns": []},
        {"name": "clinic-site", "skip_reason": "distribution marked as editable"},
    ])
    assert result.returncode == 0
    assert "1 package(s) audited (0 from the project page), 0 vulnerable, 0 not audited" in (
        result.stdout)
    assert "NOT AUDITED" not in result.stdout


def test_the_newest_release_is_audited_from_the_project_page(tmp_path: Path) -> None:
    result = summarise(
        tmp_path,
        [not_found("nosuchpkg-a", "2.0"), not_found("nosuchpkg-b", "1.1")],
        {"nosuchpkg-a": project_page("2.0", []),
         "nosuchpkg-b": project_page("1.1", [
             {"id": "GHSA-xxxx", "fixed_in": [], "withdrawn": None},
             {"id": "PYSEC-OLD", "fixed_in": ["1.2"], "withdrawn": "2026-01-01T00:00:00Z"}])},
    )
    assert result.returncode == 1
    assert "VULNERABLE nosuchpkg-b 1.1: GHSA-xxxx (fixed in no fixed version)" in result.stdout
    assert "PYSEC-OLD" not in result.stdout  # withdrawn advisories do not count
    assert "2 package(s) audited (2 from the project page), 1 vulnerable, 0 not audited" in (
        result.stdout)


def test_an_older_release_or_an_unreachable_page_is_named_not_audited(tmp_path: Path) -> None:
    result = summarise(
        tmp_path,
        [not_found("nosuchpkg-a", "5.2.19"), not_found("nosuchpkg-c", "1.0")],
        {"nosuchpkg-a": project_page("6.1.3", [])},
    )
    assert result.returncode == 0
    assert "0 package(s) audited (0 from the project page), 0 vulnerable, 2 not audited" in (
        result.stdout)
    assert ("NOT AUDITED nosuchpkg-a 5.2.19: 5.2.19 is not the newest release (6.1.3)"
            in result.stdout)
    assert "NOT AUDITED nosuchpkg-c 1.0: Dependency not found on PyPI" in result.stdout


def test_a_project_page_without_a_vulnerability_list_is_not_a_clean_audit(
        tmp_path: Path) -> None:
    result = summarise(
        tmp_path,
        [not_found("nosuchpkg-a", "2.0"), not_found("editables", "0.5")],
        {"nosuchpkg-a": {"info": {"version": "2.0"}}},
    )
    assert "0 package(s) audited (0 from the project page), 0 vulnerable, 2 not audited" in (
        result.stdout)
    assert ("NOT AUDITED nosuchpkg-a 2.0: the project page carries no vulnerability list"
            in result.stdout)
    assert "NOT AUDITED editables 0.5" in result.stdout  # a name with "editable" in it counts
