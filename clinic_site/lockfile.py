"""Keeps requirements.lock tied to the requirements in pyproject.toml.

`make lock` writes the lock with pip-compile and then a digest of the requirements it was
made from (``python -m clinic_site.lockfile stamp``); every `make run`/`make test` compares
that digest with pyproject.toml first (``python -m clinic_site.lockfile check``), so a
requirement added or changed without refreshing the lock stops the build with one line
naming the fix instead of a resolver traceback from pip. Only the standard library is used:
the check runs before the virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
MARKER = "# requirements digest: "


def requirements_digest(pyproject: Path = PYPROJECT) -> str:
    """The digest of what the lock is made from: dependencies, extras and Python versions.
    Other tables of pyproject.toml (tool settings) do not make the lock stale."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    made_from = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            extra: sorted(requirements)
            for extra, requirements in project.get("optional-dependencies", {}).items()
        },
    }
    canonical = json.dumps(made_from, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def stamped_digest(lock: Path = LOCK) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(MARKER):
            return line.removeprefix(MARKER).strip()
    return None


def stamp(lock: Path = LOCK, pyproject: Path = PYPROJECT) -> None:
    lines = [
        line
        for line in lock.read_text(encoding="utf-8").splitlines()
        if not line.startswith(MARKER)
    ]
    lines.insert(0, MARKER + requirements_digest(pyproject))
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(lock: Path = LOCK, pyproject: Path = PYPROJECT) -> str | None:
    """None when the lock was made from pyproject.toml's requirements, else the one line
    to show."""
    if not lock.exists():
        return f"{lock.name} is missing: run `make lock`."
    if stamped_digest(lock) != requirements_digest(pyproject):
        return f"{lock.name} is out of date with pyproject.toml: run `make lock`."
    return None


def main(argv: list[str]) -> int:
    if argv == ["stamp"]:
        stamp()
        return 0
    if argv == ["check"]:
        problem = check()
        if problem:
            print(problem, file=sys.stderr)
            return 1
        return 0
    print("usage: python -m clinic_site.lockfile check|stamp", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
