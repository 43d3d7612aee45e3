"""The page's classic scripts run under Node.js for the tests: one node process per set of scripts and handler,
answering JSON requests line by line, so a hundred cases cost one start of node instead of a hundred."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

# Loads the classic scripts (each defines its globalThis.snapmath* object), then answers each JSON line on stdin
# with the handler's result as one JSON line, or {"thrown": message} when the handler throws.
RUNNER = """
for (const script of JSON.parse(process.argv[1])) require(script);
const handle = (0, eval)(process.argv[2]);
const lines = require("readline").createInterface({input: process.stdin});
lines.on("line", (line) => {
  let result;
  try { result = handle(JSON.parse(line)); } catch (error) { result = {thrown: error.message}; }
  process.stdout.write(JSON.stringify(result) + "\\n");
});
"""


def ask(scripts: list[Path], handler: str, request: object) -> object:
    """Return `handler` (a JS function expression) applied to `request`, in node with `scripts` loaded."""
    process = _node(tuple(str(script) for script in scripts), handler)
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"node stopped: {process.stderr.read()}")
    return json.loads(line)


@functools.cache
def _node(scripts: tuple[str, ...], handler: str) -> subprocess.Popen:
    """Return a running node that has loaded `scripts` and answers requests with `handler` (one per pair)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: these tests run the page's JS under node", pytrace=False)
    process = subprocess.Popen(
        [node, "-e", RUNNER, json.dumps(scripts), handler],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    atexit.register(_stop, process)
    return process


def _stop(process: subprocess.Popen) -> None:
    """End a node started by `_node`: closing its input ends it."""
    process.stdin.close()
    process.wait(timeout=10)
    process.stdout.close()
    process.stderr.close()
