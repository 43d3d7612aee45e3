"""What a page weighs: the bytes of the site files it requested, raw and gzipped, by part of the page."""

from __future__ import annotations

import gzip
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from build import parts

GZIP_LEVEL = 6  # what common static hosts use (nginx, Apache mod_deflate's default)
# A page weighs its runtime, its model and the rest (app): the model in whichever form it loaded (model.json and
# shards over http, embedded.js from disk); the page never loads the licences or the model card.
WEIGHT_PARTS = {
    "runtime": "runtime",
    "licences": "runtime",
    "model": "model",
    "embedded": "model",
    "model_card": "app",
    "app": "app",
}


def page_weight(requested: list[str], site_dir: Path, base_url: str) -> dict:
    """Return raw and gzipped bytes of the site files a page requested, per part (runtime, model, app) and total."""
    weights: dict[str, dict[str, Any]] = {
        part: {"raw": 0, "gzip": 0, "files": []} for part in ("runtime", "model", "app")
    }
    for url in dict.fromkeys(requested):  # each file once, in request order
        path = url_to_path(url, base_url, site_dir)
        if path is None:
            continue  # data: and blob: URLs carry no download
        relative = path.relative_to(site_dir).as_posix()
        weight = weights[WEIGHT_PARTS[parts.part_of(relative)]]
        content = path.read_bytes()
        weight["raw"] += len(content)
        weight["gzip"] += len(gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0))
        weight["files"].append(relative)
    total = {"raw": sum(w["raw"] for w in weights.values()), "gzip": sum(w["gzip"] for w in weights.values())}
    return {**weights, "total": total}


def url_to_path(url: str, base_url: str, site_dir: Path) -> Path | None:
    """Return the file of `site_dir` that `url` (http under base_url, or file://) names; None for data:/blob:."""
    if url.startswith(("data:", "blob:")):
        return None
    if url.startswith("file:"):
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    elif url.startswith(base_url):
        path = site_dir.parent / urllib.parse.unquote(urllib.parse.urlparse(url).path).lstrip("/")
    else:
        raise ValueError(f"the page requested {url}, outside the site: the benchmark only counts its own files")
    if not path.is_file() or site_dir not in path.parents:
        raise ValueError(f"the page requested {url}, which is not a file of {site_dir}")
    return path
