"""CI's dependency audit fails on a known vulnerability and never passes an audit that could
not run as a clean one (.ci/pip_audit_summary.py reads pip-audit's JSON report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "pip_audit_summary.py"


def summarise(tmp_path: Path, dependencies: list[dict]) -> subprocess.CompletedProcess[str]:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    return subprocess.run([sys.executable, str(SCRIPT), str(report)], capture_output=True,
                          text=True, check=False, timeout=30)


def test_a_known_vulnerability_fails_and_is_named(tmp_path: Path) -> None:
    result = summarise(tmp_path, [
        {"name": "django", "version": "5.2.0", "vulns": [
            {"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": [],
             "description": "x"}]},
        {"name": "redis", "version": "8.1.0", "vulns": []},
    ])
    assert result.returncode == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in result.stdout
    assert "2 package(s) audited, 1 vulnerable" in result.stdout


def test_a_clean_report_passes(tmp_path: Path) -> None:
    result = summarise(tmp_path, [
        {"name": "redis", "version": "8.1.0", "vulns": []},
        {"name": "clinic-site", "skip_reason": "distribution marked as editable"},
    ])
    assert result.returncode == 0
    assert "1 package(s) audited, 0 vulnerable, 1 not audited" in result.stdout
    assert "WARNING" not in result.stdout


def test_packages_the_service_could_not_look_up_are_named(tmp_path: Path) -> None:
    result = summarise(tmp_path, [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be "
                                          "audited: django (5.2.19)"},
    ])
    assert "0 package(s) audited" in result.stdout
    assert "WARNING: the vulnerability service could not look up: django" in result.stdout
