"""What the benchmark feeds the page: uploads, scenes, non-digits, numbers, latency photos, the full-bundle variant."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from build import runtime, scenes, uploads

FULL_BUNDLE = Path("@tensorflow") / "tfjs" / "dist" / "tf.min.js"
FULL_BUNDLE_NAME = "tf.min.js"
# tf.min.js runs `Function("return this")()` while loading (a bundled polyfill), which the page's CSP
# refuses; a person choosing the full bundle has to allow 'unsafe-eval', so the variant does too.
SCRIPT_SRC = "script-src &#39;self&#39;"
SCRIPT_SRC_WITH_EVAL = "script-src &#39;self&#39; &#39;unsafe-eval&#39;"


@dataclass(frozen=True)
class InputFile:
    """One file the page reads: its path relative to the web root, true digit or number (None: none) and kind."""

    path: str
    label: int | None
    kind: str


def write_uploads(items: list[uploads.Upload], web_root: Path, folder: str) -> list[InputFile]:
    """Write rendered uploads under `web_root/folder`; return them as input files."""
    (web_root / folder).mkdir(parents=True, exist_ok=True)
    files = []
    for index, upload in enumerate(items):
        relative = f"{folder}/{index:04d}-{upload.label}-{upload.style}.{upload.extension}"
        (web_root / relative).write_bytes(upload.data)
        files.append(InputFile(relative, upload.label, upload.style))
    return files


def write_pictures(items: Sequence[Any], web_root: Path, folder: str, kind: Callable[[Any], str]) -> list[InputFile]:
    """Write rendered pictures (with data, extension, label) under `web_root/folder`; return them as input files."""
    (web_root / folder).mkdir(parents=True, exist_ok=True)
    files = []
    for index, item in enumerate(items):
        relative = f"{folder}/{index:04d}-{'none' if item.label is None else item.label}-{kind(item)}.{item.extension}"
        (web_root / relative).write_bytes(item.data)
        files.append(InputFile(relative, item.label, kind(item)))
    return files


def copy_samples(samples_dir: Path, web_root: Path, folder: str) -> list[InputFile]:
    """Copy the shared sample uploads or real pictures (label = first character of the name) under `web_root/folder`."""
    (web_root / folder).mkdir(parents=True, exist_ok=True)
    files = []
    for path in sorted(samples_dir.iterdir()):
        if path.is_file() and path.name[0].isdigit():
            shutil.copy(path, web_root / folder / path.name)
            files.append(InputFile(f"{folder}/{path.name}", int(path.name[0]), "sample"))
    return files


def digit_photo(digit: np.ndarray, width: int, height: int, seed: int) -> Image.Image:
    """Return an RGB picture of an MNIST digit in dark ink, centred on paper, the digit 60% of the height."""
    rng = np.random.default_rng(seed)
    mask = uploads.ink_mask(digit, int(height * 0.6), rng)
    canvas = np.zeros((height, width), np.float32)
    top, left = (height - mask.shape[0]) // 2, (width - mask.shape[1]) // 2
    canvas[top : top + mask.shape[0], left : left + mask.shape[1]] = mask
    alpha = canvas[..., None]
    ink = np.array([0.12, 0.12, 0.2])  # blue-black ballpoint
    rgb = uploads.paper_background(height, width, rng) * (1 - alpha) + ink * alpha
    return Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8), "RGB")


def write_latency_photos(digit: np.ndarray, label: int, web_root: Path, folder: str) -> dict[str, InputFile]:
    """Write the latency inputs, a 200x200 PNG, a 2000x1500 JPEG and a 4000x3000 phone JPEG; return them by name.

    The 4000x3000 one is a scene (build.scenes): a sheet on a desk, the digit somewhere on it, as issue 9 times it.
    """
    (web_root / folder).mkdir(parents=True, exist_ok=True)
    photos = {"png_200x200": (200, 200, "PNG", "png"), "jpeg_2000x1500": (2000, 1500, "JPEG", "jpg")}
    phone = scenes.phone_photo(digit, label, (4000, 3000), seed=4000)
    (web_root / folder / "jpeg_4000x3000.jpg").write_bytes(phone.data)
    files = {"jpeg_4000x3000": InputFile(f"{folder}/jpeg_4000x3000.jpg", label, "jpeg_4000x3000")}
    for name, (width, height, image_format, extension) in photos.items():
        buffer = io.BytesIO()
        options = {"quality": 85} if image_format == "JPEG" else {}
        digit_photo(digit, width, height, seed=width).save(buffer, image_format, **options)
        relative = f"{folder}/{name}.{extension}"
        (web_root / relative).write_bytes(buffer.getvalue())
        files[name] = InputFile(relative, label, name)
    return files


def make_full_bundle_variant(dist: Path, out_dir: Path, node_modules: Path) -> Path:
    """Copy `dist` to `out_dir` with the full `tf.min.js` in place of the page's TF.js bundle; return out_dir.

    Only the runtime (and the CSP it needs) changes, so the differences are the runtime's alone.
    """
    bundle = node_modules / FULL_BUNDLE
    if not bundle.is_file():
        raise FileNotFoundError(f"{bundle} is missing: run `npm ci` (the benchmark compares against it)")
    shutil.copytree(dist, out_dir)
    vendor = out_dir / runtime.VENDOR_DIR
    (vendor / runtime.BUNDLE_NAME).unlink()
    shutil.copy(bundle, vendor / FULL_BUNDLE_NAME)
    index = out_dir / "index.html"
    index.write_text(replace_runtime_scripts(index.read_text(encoding="utf-8")), encoding="utf-8")
    return out_dir


def replace_runtime_scripts(html: str) -> str:
    """Return index.html loading tf.min.js instead of the page's TF.js bundle, its CSP allowing eval."""
    if SCRIPT_SRC not in html:
        raise ValueError(f"index.html has no `{SCRIPT_SRC}` in its CSP; the bench must follow the template")
    html = html.replace(SCRIPT_SRC, SCRIPT_SRC_WITH_EVAL)
    # The tag keeps its other attributes (the template's `defer`).
    source = f"{runtime.VENDOR_DIR}/{runtime.BUNDLE_NAME}"
    tag = re.search(rf'<script src="{re.escape(source)}"([^>]*)></script>', html)
    if tag is None:
        raise ValueError(f"index.html lacks the runtime script tag for {source}; the bench must follow the template")
    replacement = f'<script src="{runtime.VENDOR_DIR}/{FULL_BUNDLE_NAME}"{tag.group(1)}></script>'
    return html[: tag.start()] + replacement + html[tag.end() :]


def real_kinds(real_dir: Path) -> dict[str, str]:
    """Return file name -> kind (photo-handwriting, drawn-digital, ...) from the real pictures' SOURCES.tsv."""
    sources = real_dir / "SOURCES.tsv"
    if not sources.is_file():
        return {}
    rows = [line.split("\t") for line in sources.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return {row[0]: row[1] for row in rows if len(row) > 1}


def copy_real(real_dir: Path, web_root: Path, folder: str, limit: int) -> list[InputFile]:
    """Copy at most `limit` of ../shared/data/real (label = first character), each with its kind from SOURCES.tsv."""
    if not real_dir.is_dir():
        return []
    kinds = real_kinds(real_dir)
    files = copy_samples(real_dir, web_root, folder)[:limit]
    return [dataclasses.replace(file, kind=kinds.get(Path(file.path).name, "real")) for file in files]
