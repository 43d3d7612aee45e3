"""build.bench.weight: a page weighs each file it requested once, in its part, raw and gzipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.bench import weight


def write_site(site_dir: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        (site_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / relative).write_bytes(content)


SITE_FILES = {
    "index.html": b"<p>snapmath</p>" * 20,
    "static/vendor/tfjs/tf-snapmath.min.js": b"tf" * 300,
    "model/model.json": b"{}" * 50,
    "model/group1-shard1of1.bin": bytes(400),
    "model/embedded.js": b"window.snapmathEmbeddedModel = {};" * 30,
    "model-card.html": b"<p>card</p>",
}


def test_page_weight_counts_each_file_the_page_requested_once_in_its_part(tmp_path):
    site_dir = tmp_path / "snapmath"
    write_site(site_dir, SITE_FILES)
    base_url = "http://127.0.0.1:8000/"
    requested = [
        f"{base_url}snapmath/index.html",
        f"{base_url}snapmath/static/vendor/tfjs/tf-snapmath.min.js",
        f"{base_url}snapmath/model/model.json",
        f"{base_url}snapmath/model/group1-shard1of1.bin",
        f"{base_url}snapmath/index.html",  # asked again: downloaded once
        "data:image/png;base64,AAAA",
        "blob:http://127.0.0.1:8000/0f6e",
    ]
    measured = weight.page_weight(requested, site_dir, base_url)
    assert measured["runtime"]["files"] == ["static/vendor/tfjs/tf-snapmath.min.js"]
    assert measured["model"]["files"] == ["model/model.json", "model/group1-shard1of1.bin"]
    assert measured["app"]["files"] == ["index.html"]
    assert measured["runtime"]["raw"] == 600
    assert measured["model"]["raw"] == 100 + 400
    assert measured["app"]["raw"] == len(SITE_FILES["index.html"])
    assert measured["total"]["raw"] == 600 + 500 + len(SITE_FILES["index.html"])
    assert measured["total"]["gzip"] == sum(measured[part]["gzip"] for part in ("runtime", "model", "app"))
    assert 0 < measured["model"]["gzip"] < measured["model"]["raw"]  # zeros and braces compress


def test_page_weight_from_disk_counts_the_embedded_model_as_the_model(tmp_path):
    site_dir = tmp_path / "snapmath"
    write_site(site_dir, SITE_FILES)
    requested = [(site_dir / relative).as_uri() for relative in ("index.html", "model/embedded.js")]
    measured = weight.page_weight(requested, site_dir, "http://127.0.0.1:8000/")
    assert measured["model"]["files"] == ["model/embedded.js"]
    assert measured["model"]["raw"] == len(SITE_FILES["model/embedded.js"])
    assert measured["runtime"] == {"raw": 0, "gzip": 0, "files": []}


def test_page_weight_refuses_a_file_from_outside_the_site(tmp_path):
    site_dir = tmp_path / "snapmath"
    write_site(site_dir, SITE_FILES)
    with pytest.raises(ValueError, match="outside the site"):
        weight.page_weight(["https://cdn.example/tf.min.js"], site_dir, "http://127.0.0.1:8000/")
    with pytest.raises(ValueError, match="not a file of"):
        weight.page_weight(["http://127.0.0.1:8000/snapmath/missing.js"], site_dir, "http://127.0.0.1:8000/")
