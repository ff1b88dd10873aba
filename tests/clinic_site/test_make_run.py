"""`make run` serves the site with the queue's worker beside it; `make test` needs none."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def recipe(target: str) -> str:
    """What ``make <target>`` would run, without running it or its set-up."""
    make = shutil.which("make")
    assert make is not None
    return subprocess.run(
        [make, "-n", "--assume-old=setup", "--assume-old=lint", target], cwd=ROOT,
        capture_output=True, text=True, check=True, env={**os.environ, "MAKEFLAGS": ""},
    ).stdout


def test_make_run_starts_the_worker_and_the_server_in_one_shell_that_stops_both() -> None:
    lines = recipe("run")
    worker = lines.index("manage.py db_worker")
    server = lines.index("manage.py runserver")
    assert worker < server
    # One shell: the worker in the background, stopped when the server exits or on Ctrl-C.
    assert "& worker=$!" in lines and "trap '" in lines and "kill $worker" in lines


def test_make_test_starts_no_worker_and_the_tests_run_tasks_at_once(settings) -> None:
    assert "db_worker" not in recipe("test")
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
