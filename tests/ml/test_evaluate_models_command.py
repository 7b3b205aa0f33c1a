"""`manage.py evaluate_models` says what is wrong and exits 2, instead of a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"}
    return subprocess.run([sys.executable, "manage.py", "evaluate_models", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_an_unmigrated_database_is_named_not_a_traceback(tmp_path):
    (tmp_path / "data" / "eval").mkdir(parents=True)

    result = run_command(tmp_path, "--data", str(tmp_path / "data"))

    assert result.returncode == 2
    assert "the database is not migrated" in result.stderr and "manage.py migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_folder_without_eval_is_named(tmp_path):
    result = run_command(tmp_path, "--data", str(tmp_path))

    assert result.returncode == 2
    assert "no eval/ folder here" in result.stderr and "Traceback" not in result.stderr
