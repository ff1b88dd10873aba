"""Summarise pip-audit's JSON report of requirements.lock; exit 1 when any locked dependency
has a known vulnerability.

pip-audit asks PyPI for each locked version (``/pypi/<name>/<version>/json``). Where that
answer is missing (some package proxies serve only the project page), the dependency is looked
up once more on the project page (``/pypi/<name>/json``), whose ``vulnerabilities`` list is
that of the newest release: it is the locked version's own list exactly when the locked
version is the newest, so those dependencies are audited too. Whatever still could not be
looked up is counted and named, so an audit that could not run is never mistaken for a clean
one.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

# Overridable so that the tests read project pages from files instead of the network.
PROJECT_JSON = os.environ.get("PIP_AUDIT_PROJECT_JSON", "https://pypi.org/pypi/{name}/json")
TIMEOUT_SECONDS = 30
# pip-audit's reason for skipping our own package (installed with ``pip install -e``).
EDITABLE = "distribution marked as editable"


def project_page(name: str) -> dict | None:
    url = PROJECT_JSON.format(name=name)
    if not url.startswith(("https://", "file://")):
        raise SystemExit(f"PIP_AUDIT_PROJECT_JSON must be an https:// or file:// URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return None


def locked_version(dep: dict) -> str | None:
    """pip-audit leaves the version out of a dependency it could not look up, except in the
    reason's closing parenthesis: the version the lock pins."""
    found = re.search(r"\(([^()\s]+)\)\s*$", dep.get("skip_reason", ""))
    return found.group(1) if found else None


def from_project_page(dep: dict) -> dict:
    """``dep`` audited from the project page when its version is the newest release."""
    dep = {**dep, "version": dep.get("version") or locked_version(dep)}
    page = project_page(dep["name"])
    if page is None or dep["version"] is None:
        return dep
    newest = (page.get("info") or {}).get("version")
    if newest != dep["version"]:
        reason = f"{dep['version']} is not the newest release ({newest})"
        return {**dep, "skip_reason": reason}
    if not isinstance(page.get("vulnerabilities"), list):
        # A page without the list says nothing about vulnerabilities: never a clean result.
        return {**dep, "skip_reason": "the project page carries no vulnerability list"}
    vulns = [
        {"id": vuln["id"], "fix_versions": vuln.get("fixed_in") or []}
        for vuln in page["vulnerabilities"]
        if not vuln.get("withdrawn")
    ]
    return {"name": dep["name"], "version": dep["version"], "vulns": vulns}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report_file:
        report = json.load(report_file)
    dependencies = report.get("dependencies", [])
    looked_up = [dep for dep in dependencies if not dep.get("skip_reason")]
    missing = [dep for dep in dependencies
               if dep.get("skip_reason") and dep["skip_reason"] != EDITABLE]
    with ThreadPoolExecutor(max_workers=8) as pool:
        retried = list(pool.map(from_project_page, missing))
    audited = looked_up + [dep for dep in retried if not dep.get("skip_reason")]
    unaudited = [dep for dep in retried if dep.get("skip_reason")]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    print(f"pip-audit: {len(audited)} package(s) audited ({len(audited) - len(looked_up)} from "
          f"the project page), {len(vulnerable)} vulnerable, {len(unaudited)} not audited")
    for dep in unaudited:
        print(f"NOT AUDITED {dep['name']} {dep['version']}: {dep['skip_reason']}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
