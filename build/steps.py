"""The build's slow steps: run as they are for `python -m build.site`, or reused across `--serve`'s rebuilds.

A rebuild after a template, CSS or JS edit must show in about a second, but converting the SavedModel, bundling
TF.js and running both models for the parity check take seconds each. `CachedSteps` keys every result by the
content of what it depends on, so an edit redoes only the steps it changes; the converted model also lives in
a cache directory on disk, so a restarted `--serve` reuses it while the SavedModel is unchanged.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.metadata
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import numpy as np

from build import bundle, convert, minify, parity, runtime

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "build"  # gitignored
NOT_MODEL_FILES = ("metrics.json",)  # beside the SavedModel, but not read by the converter
Result = TypeVar("Result")


class Steps:
    """The slow steps run every time: what `python -m build.site` does."""

    def minify(self, page_sources: dict[str, bytes], node_modules: Path) -> dict[str, bytes]:
        """Return the page's static files with scripts and stylesheets minified."""
        return minify.minify_stylesheets(minify.minify_scripts(page_sources, node_modules))

    def reference(self, model_dir: Path, images: np.ndarray) -> np.ndarray:
        """Return the SavedModel's outputs on the parity check's images."""
        return parity.reference_probabilities(model_dir, images)

    def convert(self, model_dir: Path, quantize: str) -> convert.ConvertedModel:
        """Return the SavedModel converted to a TF.js graph model."""
        return convert.convert_saved_model(model_dir, quantize)

    def runtime(
        self, node_modules: Path, model_json: dict, page_sources: dict[str, bytes]
    ) -> list[runtime.RuntimeFile]:
        """Return the TF.js runtime files for this model and these page scripts."""
        return runtime.gather_runtime(node_modules, model_json, page_sources)

    def tfjs_outputs(self, embedded_js: Path, runtime_scripts: list[Path], images: np.ndarray) -> np.ndarray:
        """Return the converted model's outputs on the parity check's images, run in the written runtime."""
        return parity.tfjs_probabilities(embedded_js, runtime_scripts, images)


class CachedSteps(Steps):
    """The same steps, each result reused while the content it depends on is unchanged (`--serve`)."""

    def __init__(self, cache_dir: Path = CACHE_DIR) -> None:
        self.cache_dir = cache_dir
        self._memo: dict[tuple[str, ...], object] = {}
        # Reading the page's tf.* calls (for `runtime`) runs in node beside terser's: a JS edit waits for one, not two.
        self._page_api = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._page_api_pending: dict[tuple[str, ...], concurrent.futures.Future[tuple[str, ...]]] = {}

    def minify(self, page_sources: dict[str, bytes], node_modules: Path) -> dict[str, bytes]:
        """Return the page's static files minified; only scripts not minified before go through terser."""
        scripts = {name: content for name, content in page_sources.items() if name.endswith(".js")}
        key = _page_api_key(scripts)
        if key not in self._memo and key not in self._page_api_pending:
            self._page_api_pending[key] = self._page_api.submit(bundle.page_api, scripts, node_modules)
        new = {name: content for name, content in scripts.items() if ("minified", digest(content)) not in self._memo}
        if new:
            for name, minified in minify.minify_scripts(new, node_modules).items():
                self._memo["minified", digest(new[name])] = minified
        minified_scripts = {name: cast(bytes, self._memo["minified", digest(scripts[name])]) for name in scripts}
        return minify.minify_stylesheets({**page_sources, **minified_scripts})

    def reference(self, model_dir: Path, images: np.ndarray) -> np.ndarray:
        key = ("reference", saved_model_digest(model_dir), digest(images.tobytes()))
        return self._reuse(key, lambda: super(CachedSteps, self).reference(model_dir, images))

    def convert(self, model_dir: Path, quantize: str) -> convert.ConvertedModel:
        """Return the converted model from the cache directory if this SavedModel was converted before."""
        converter = importlib.metadata.version("tensorflowjs")
        entry = self.cache_dir / "converted" / f"{saved_model_digest(model_dir)}-{quantize}-tfjs{converter}"
        if (entry / "model.json").is_file():
            log.info("convert: reusing %s", entry)
            return convert.read_converted(entry, model_dir)
        converted = super().convert(model_dir, quantize)
        _store(entry, converted)
        return converted

    def runtime(
        self, node_modules: Path, model_json: dict, page_sources: dict[str, bytes]
    ) -> list[runtime.RuntimeFile]:
        """Return the runtime bundled before for the same graph ops and the same `tf.*` calls of the page."""
        scripts = {name: content for name, content in page_sources.items() if name.endswith(".js")}
        key = _page_api_key(scripts)
        pending = self._page_api_pending.pop(key, None)
        api = self._reuse(key, pending.result if pending else lambda: bundle.page_api(scripts, node_modules))
        key = ("runtime", digest(json.dumps(bundle.model_ops(model_json))), *api)
        return self._reuse(key, lambda: super(CachedSteps, self).runtime(node_modules, model_json, page_sources))

    def tfjs_outputs(self, embedded_js: Path, runtime_scripts: list[Path], images: np.ndarray) -> np.ndarray:
        contents = [embedded_js.read_bytes(), *(path.read_bytes() for path in runtime_scripts)]
        key = ("tfjs outputs", *map(digest, contents), digest(images.tobytes()))
        return self._reuse(key, lambda: super(CachedSteps, self).tfjs_outputs(embedded_js, runtime_scripts, images))

    def _reuse(self, key: tuple[str, ...], compute: Callable[[], Result]) -> Result:
        """Return the result stored under `key`, computing and storing it the first time."""
        if key not in self._memo:
            self._memo[key] = compute()
        else:
            log.info("%s: reused", key[0])
        return cast(Result, self._memo[key])


def _page_api_key(scripts: dict[str, bytes]) -> tuple[str, ...]:
    """Return the memo key of the page's tf.* calls: the scripts' names and contents."""
    return ("page api", digest(json.dumps(sorted((name, digest(content)) for name, content in scripts.items()))))


def digest(content: bytes | str) -> str:
    """Return the SHA-256 of `content` in hex."""
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


def saved_model_digest(model_dir: Path) -> str:
    """Return a SHA-256 over the SavedModel's files (relative path and bytes, sorted); metrics.json is not part."""
    hasher = hashlib.sha256()
    for path in sorted(Path(model_dir).rglob("*")):
        relative = path.relative_to(model_dir).as_posix()
        if path.is_file() and relative not in NOT_MODEL_FILES:
            content = path.read_bytes()
            hasher.update(f"{relative}\0{len(content)}\0".encode())
            hasher.update(content)
    return hasher.hexdigest()


def _store(entry: Path, converted: convert.ConvertedModel) -> None:
    """Write the converted model into the cache entry atomically; a cache that cannot be written is only slower."""
    staging = entry.with_name(f".{entry.name}.partial")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
        (staging / "model.json").write_text(json.dumps(converted.model_json), encoding="utf-8")
        for name, content in converted.shards.items():
            (staging / name).write_bytes(content)
        staging.replace(entry)
    except OSError as error:
        log.warning("could not cache the converted model in %s (%s)", entry, error.strerror or error)
        shutil.rmtree(staging, ignore_errors=True)
