"""The page's TF.js as one size-optimised classic script, bundled by esbuild for this model and these scripts.

Why: the stock runtime (core + CPU backend + converter, 668 KB) carries every op and kernel of TF.js;
the page runs one small graph and a dozen tensor ops. build/bundle.js derives what is needed from
model.json's ops and the page's `tf.*` calls, registers only those CPU kernels, and bundles with
tree shaking. A model op TF.js cannot run is a BuildError naming the op.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from build import node
from build.errors import BuildError

BUNDLE_SCRIPT = Path(__file__).with_name("bundle.js")
TIMEOUT_SECONDS = 180
# Offered besides what the page's scripts call: the tests and the benchmark read the engine's state
# (tf.memory().numTensors, the backend) in the page.
ALWAYS_OFFERED = ("getBackend", "memory", "ready", "setBackend")
# Build steps that run the shipped bundle themselves: their tf calls are offered too.
TOOL_SCRIPTS = (Path(__file__).with_name("parity.js"),)
INSTALL_HINT = "run `npm ci` in the repository root to install the pinned TF.js, esbuild and terser"


@dataclasses.dataclass(frozen=True)
class Bundle:
    """One bundled TF.js: the script, what it holds, and the node_modules files it was made from."""

    code: bytes
    kernels: tuple[str, ...]  # CPU kernels registered
    api: tuple[str, ...]  # names offered on the `tf` global
    graph_ops: tuple[str, ...]  # model.json's TF op names
    packages: dict[str, str]  # npm package -> version, of the files in the bundle
    inputs: tuple[str, ...]  # every node_modules file read, relative to node_modules, posix
    analysis: str = ""  # esbuild's bytes per input file, when asked for


def model_ops(model_json: dict) -> dict[str, str]:
    """Return {TF op name: first node that uses it} of a TF.js graph model.json, functions included."""
    topology = model_json.get("modelTopology") or {}
    nodes = list(topology.get("node", []))
    for function in (topology.get("library") or {}).get("function", []):
        nodes.extend(function.get("nodeDef", []))
    ops: dict[str, str] = {}
    for graph_node in nodes:
        if "op" not in graph_node:
            raise BuildError(f"model.json has a node without an op: {graph_node.get('name', '(unnamed)')}")
        ops.setdefault(graph_node["op"], graph_node.get("name", "(unnamed)"))
    if not ops:
        raise BuildError("model.json has no graph nodes: it is not a TF.js graph model")
    return dict(sorted(ops.items()))


def build_bundle(model_json: dict, scripts: dict[str, bytes], node_modules: Path, analyze: bool = False) -> Bundle:
    """Return the TF.js bundle that runs `model_json` and the page `scripts` ({name: source}) on the CPU backend."""
    node_modules = _checked_tools(node_modules)
    request = {
        "modelOps": model_ops(model_json),
        "scripts": _sources(scripts),
        "api": list(ALWAYS_OFFERED),
        "analyze": analyze,
    }
    output = node.run_script(
        BUNDLE_SCRIPT,
        [str(node_modules)],
        json.dumps(request),
        TIMEOUT_SECONDS,
        "the page's TF.js could not be bundled",
    )
    result = json.loads(output)
    bundle = Bundle(
        code=result["code"].encode("utf-8"),
        kernels=tuple(result["kernels"]),
        api=tuple(result["api"]),
        graph_ops=tuple(result["graphOps"]),
        packages=dict(result["packages"]),
        inputs=tuple(result["inputs"]),
        analysis=result.get("analysis") or "",
    )
    outside = [name for name in bundle.inputs if name.startswith("../")]
    if outside:
        raise BuildError(f"the TF.js bundle read {outside[0]}, outside {node_modules}: {INSTALL_HINT}")
    return bundle


def page_api(scripts: dict[str, bytes], node_modules: Path) -> tuple[str, ...]:
    """Return the `tf.*` names the page `scripts` (and the build's tools) call: with model.json's ops, all that
    decides the bundle, so `--serve` rebuilds it only when this changes (a quick esbuild pass, no bundling)."""
    request = {"scripts": _sources(scripts), "apiOnly": True}
    output = node.run_script(
        BUNDLE_SCRIPT,
        [str(_checked_tools(node_modules))],
        json.dumps(request),
        TIMEOUT_SECONDS,
        "the page's TF.js calls could not be read",
    )
    return tuple(json.loads(output)["api"])


def _checked_tools(node_modules: Path) -> Path:
    """Return node_modules resolved; BuildError if esbuild or terser is missing from it."""
    node_modules = Path(node_modules).resolve()
    for tool in ("esbuild", "terser"):
        if not (node_modules / tool / "package.json").is_file():
            raise BuildError(f"{tool} missing from {node_modules}: {INSTALL_HINT}")
    return node_modules


def _sources(scripts: dict[str, bytes]) -> dict[str, str]:
    """Return {name: source} of the page's .js files, sorted, and the build's tool scripts that run the bundle."""
    sources = {name: source.decode("utf-8") for name, source in sorted(scripts.items()) if name.endswith(".js")}
    for tool in TOOL_SCRIPTS:
        sources[f"build/{tool.name}"] = tool.read_text(encoding="utf-8")
    return sources
