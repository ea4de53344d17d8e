"""Run the project's command lines in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys

from ingest.settings import PROJECT_ROOT


def run_cli(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m module args…`` from the project root, its output captured (fails on a non-zero exit)."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=True,
    )
