"""build.steps: --serve's rebuilds reuse each slow result while the content it depends on is unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from build import bundle, convert, minify, runtime, steps
from tests.paths import NODE_MODULES


def fake_converted(model_dir: Path, quantize: str) -> convert.ConvertedModel:
    """A converted model whose one shard names the SavedModel it came from."""
    model_json = {
        "format": "graph-model",
        "modelTopology": {"node": [{"name": "x", "op": "Placeholder"}]},
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": []}],
    }
    return convert.ConvertedModel(model_json, {"group1-shard1of1.bin": f"{model_dir.name} {quantize}".encode()})


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (model folder, quantization) of each real conversion; the converter itself is faked."""
    made: list[tuple[str, str]] = []

    def convert_saved_model(model_dir: Path, quantize: str) -> convert.ConvertedModel:
        made.append((Path(model_dir).name, quantize))
        return fake_converted(Path(model_dir), quantize)

    monkeypatch.setattr(convert, "convert_saved_model", convert_saved_model)
    return made


def test_the_saved_model_digest_follows_the_model_files_not_metrics_json(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    assert steps.saved_model_digest(copy) == steps.saved_model_digest(model_dir)  # content, not location
    (copy / "metrics.json").write_text("{}")  # build.bench --record rewrites it: the conversion stays valid
    assert steps.saved_model_digest(copy) == steps.saved_model_digest(model_dir)
    (copy / "assets").mkdir(exist_ok=True)
    (copy / "assets" / "vocabulary.txt").write_text("new")
    assert steps.saved_model_digest(copy) != steps.saved_model_digest(model_dir)
    variables = copy / "variables" / "variables.data-00000-of-00001"
    data = bytearray(variables.read_bytes())
    data[-1] ^= 1  # one bit of one weight
    variables.write_bytes(bytes(data))
    (copy / "assets" / "vocabulary.txt").unlink()
    assert steps.saved_model_digest(copy) != steps.saved_model_digest(model_dir)


def test_a_converted_model_is_reused_from_disk_while_the_saved_model_is_unchanged(
    model_dir: Path, tmp_path: Path, conversions: list[tuple[str, str]]
) -> None:
    cache = tmp_path / "cache"
    first = steps.CachedSteps(cache).convert(model_dir, "float16")
    again = steps.CachedSteps(cache).convert(model_dir, "float16")  # a new process: only the disk remains
    assert conversions == [(model_dir.name, "float16")]
    assert again.files() == first.files()
    assert again.size == first.size

    steps.CachedSteps(cache).convert(model_dir, "uint8")  # another quantization is another model
    changed = tmp_path / "changed"
    shutil.copytree(model_dir, changed)
    (changed / "fingerprint.pb").write_bytes(b"retrained")
    steps.CachedSteps(cache).convert(changed, "float16")
    assert conversions == [(model_dir.name, "float16"), (model_dir.name, "uint8"), ("changed", "float16")]


def test_an_unwritable_cache_only_costs_time(
    model_dir: Path, tmp_path: Path, conversions: list[tuple[str, str]]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cached = steps.CachedSteps(blocker / "cache")
    assert cached.convert(model_dir, "none").files() == fake_converted(model_dir, "none").files()
    cached.convert(model_dir, "none")
    assert len(conversions) == 2


def test_the_direct_steps_convert_every_time(model_dir: Path, conversions: list[tuple[str, str]]) -> None:
    steps.Steps().convert(model_dir, "float16")
    steps.Steps().convert(model_dir, "float16")
    assert len(conversions) == 2


def test_only_scripts_not_seen_before_are_minified(monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[list[str]] = []

    def minify_scripts(files: dict[str, bytes], node_modules: Path) -> dict[str, bytes]:
        given.append(sorted(files))
        return {name: b"min:" + content for name, content in files.items()}

    monkeypatch.setattr(minify, "minify_scripts", minify_scripts)
    monkeypatch.setattr(bundle, "page_api", lambda scripts, node_modules: ())
    cached = steps.CachedSteps(Path("unused"))
    sources = {"static/a.js": b"a", "static/b.js": b"b", "static/app.css": b"/* c */\nbody {}\n"}
    first = cached.minify(sources, NODE_MODULES)
    edited = cached.minify({**sources, "static/b.js": b"b2"}, NODE_MODULES)
    assert given == [["static/a.js", "static/b.js"], ["static/b.js"]]
    assert first == {"static/a.js": b"min:a", "static/b.js": b"min:b", "static/app.css": b"body {}\n"}
    assert edited["static/b.js"] == b"min:b2"
    assert edited["static/a.js"] == b"min:a"


def test_the_runtime_is_bundled_again_only_for_new_graph_ops_or_page_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    bundled: list[tuple[str, ...]] = []

    def gather_runtime(node_modules: Path, model_json: dict, page_sources: dict) -> list[runtime.RuntimeFile]:
        bundled.append(tuple(bundle.model_ops(model_json)))
        return []

    def page_api(scripts: dict[str, bytes], node_modules: Path) -> tuple[str, ...]:
        return tuple(sorted({"add" if b"tf.add" in content else "sub" for content in scripts.values()}))

    monkeypatch.setattr(runtime, "gather_runtime", gather_runtime)
    monkeypatch.setattr(bundle, "page_api", page_api)
    cached = steps.CachedSteps(Path("unused"))
    graph = fake_converted(Path("m"), "none").model_json
    other_graph = {**graph, "modelTopology": {"node": [{"name": "y", "op": "Relu"}]}}
    node_modules = NODE_MODULES
    cached.runtime(node_modules, graph, {"static/a.js": b"tf.add(x)"})
    cached.runtime(node_modules, graph, {"static/a.js": b"tf.add(x, y) // an edit that calls nothing new"})
    assert bundled == [("Placeholder",)]
    cached.runtime(node_modules, graph, {"static/a.js": b"tf.sub(x)"})
    cached.runtime(node_modules, other_graph, {"static/a.js": b"tf.sub(x)"})
    assert bundled == [("Placeholder",), ("Placeholder",), ("Relu",)]


def test_the_tfjs_check_is_reused_for_the_same_written_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs: list[Path] = []

    def tfjs_probabilities(embedded_js: Path, runtime_scripts: list[Path], images: np.ndarray) -> np.ndarray:
        runs.append(embedded_js)
        return np.zeros((len(images), 11))

    monkeypatch.setattr(steps.parity, "tfjs_probabilities", tfjs_probabilities)
    embedded, script = tmp_path / "embedded.js", tmp_path / "tf.js"
    embedded.write_text("model")
    script.write_text("runtime")
    images = np.zeros((2, 28, 28, 1), np.float32)
    cached = steps.CachedSteps(tmp_path / "cache")
    cached.tfjs_outputs(embedded, [script], images)
    cached.tfjs_outputs(embedded, [script], images)
    assert len(runs) == 1
    script.write_text("another runtime")
    cached.tfjs_outputs(embedded, [script], images)
    assert len(runs) == 2


def test_page_api_lists_the_calls_outside_comments() -> None:
    scripts = {"static/js/a.js": b"const y = tf.tidy(() => tf.image.resizeBilinear(x)); // tf.conv2d\n"}
    api = bundle.page_api(scripts, NODE_MODULES)
    assert {"tidy", "image", "image.resizeBilinear"} <= set(api)
    assert "conv2d" not in api
