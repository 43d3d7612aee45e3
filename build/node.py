"""Running the build's small Node.js scripts (the TF.js parity check, the JS minifier)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from build.errors import BuildError


def run_script(script: Path, arguments: list[str], stdin: str, timeout_seconds: float, failure: str) -> str:
    """Return the stdout of `node script arguments...` fed `stdin`.

    On failure a BuildError says `failure` (what went wrong, for a person) and the script's last stderr line."""
    node = shutil.which("node")
    if node is None:
        raise BuildError(
            f"Node.js (`node`) not found: the build runs {script.name} with it; "
            "install Node.js (it comes with npm, which `npm ci` needs)"
        )
    try:
        completed = subprocess.run(
            [node, str(script), *arguments],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BuildError(f"{failure}: no answer within {timeout_seconds} s") from error
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        raise BuildError(f"{failure}: {reason}")
    return completed.stdout
