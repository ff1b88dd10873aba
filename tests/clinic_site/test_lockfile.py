"""requirements.lock is tied to pyproject.toml's requirements; a stale lock stops the build
with one line naming `make lock`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from clinic_site import lockfile

ROOT = Path(__file__).resolve().parents[2]


def copy_project(tmp_path: Path) -> tuple[Path, Path]:
    pyproject = tmp_path / "pyproject.toml"
    lock = tmp_path / "requirements.lock"
    shutil.copy(ROOT / "pyproject.toml", pyproject)
    shutil.copy(ROOT / "requirements.lock", lock)
    return pyproject, lock


def test_the_committed_lock_was_made_from_the_committed_requirements() -> None:
    result = subprocess.run([sys.executable, "-m", "clinic_site.lockfile", "check"], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=30)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_changed_requirement_makes_the_lock_stale_with_one_line(tmp_path: Path) -> None:
    pyproject, lock = copy_project(tmp_path)
    before = lock.read_text()
    pyproject.write_text(pyproject.read_text().replace('"redis>=5.0"', '"redis>=6.0"'))
    assert lockfile.check(lock, pyproject) == (
        "requirements.lock is out of date with pyproject.toml: run `make lock`.")
    assert lock.read_text() == before  # nothing was changed


def test_a_new_dev_requirement_makes_the_lock_stale(tmp_path: Path) -> None:
    pyproject, lock = copy_project(tmp_path)
    pyproject.write_text(pyproject.read_text().replace('"polib>=1.2",', '"polib>=1.2", "six",'))
    assert "run `make lock`" in lockfile.check(lock, pyproject)


def test_tool_settings_do_not_make_the_lock_stale(tmp_path: Path) -> None:
    pyproject, lock = copy_project(tmp_path)
    pyproject.write_text(pyproject.read_text().replace("line-length = 100", "line-length = 99"))
    assert lockfile.check(lock, pyproject) is None


def test_stamping_records_the_requirements_once(tmp_path: Path) -> None:
    pyproject, lock = copy_project(tmp_path)
    pyproject.write_text(pyproject.read_text().replace('"redis>=5.0"', '"redis>=6.0"'))
    lockfile.stamp(lock, pyproject)
    lockfile.stamp(lock, pyproject)
    assert lockfile.check(lock, pyproject) is None
    assert lock.read_text().count(lockfile.MARKER) == 1


def test_a_missing_lock_names_the_fix(tmp_path: Path) -> None:
    pyproject, lock = copy_project(tmp_path)
    lock.unlink()
    assert lockfile.check(lock, pyproject) == "requirements.lock is missing: run `make lock`."
