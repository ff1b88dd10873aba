"""Summarise pip-audit's JSON report; exit 1 when any installed dependency has a known
vulnerability. Packages the vulnerability service could not look up are counted and named, so
an audit that could not run is never mistaken for a clean one."""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report_file:
        report = json.load(report_file)
    dependencies = report.get("dependencies", [])
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    audited = [dep for dep in dependencies if not dep.get("skip_reason")]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    print(f"pip-audit: {len(audited)} package(s) audited, {len(vulnerable)} vulnerable, "
          f"{len(skipped)} not audited")
    unreachable = [dep for dep in skipped if "editable" not in dep["skip_reason"]]
    if unreachable:
        names = ", ".join(dep["name"] for dep in unreachable)
        print(f"WARNING: the vulnerability service could not look up: {names}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
