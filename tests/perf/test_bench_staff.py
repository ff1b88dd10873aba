"""bench/bench_staff.py drops and creates its scratch databases: only names with "bench"."""

from __future__ import annotations

import pytest

from bench.bench_staff import scratch_name_check


def test_a_scratch_name_without_bench_is_refused() -> None:
    with pytest.raises(SystemExit, match="must contain 'bench'"):
        scratch_name_check("clinic")
    assert scratch_name_check("clinic_bench_staff") == "clinic_bench_staff"
