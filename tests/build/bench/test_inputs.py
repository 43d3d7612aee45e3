"""build.bench.inputs: the full-bundle variant differs in its runtime only; real pictures keep their kind."""

from __future__ import annotations

import pytest

from build.bench import inputs
from tests.paths import NODE_MODULES


def test_full_bundle_variant_loads_tf_min_js_instead_of_the_page_bundle(tmp_path):
    dist = tmp_path / "dist"
    (dist / "static" / "vendor" / "tfjs").mkdir(parents=True)
    (dist / "static" / "vendor" / "tfjs" / "tf-snapmath.min.js").write_text("// runtime\n")
    (dist / "static" / "vendor" / "tfjs" / "LICENSE-tf-snapmath.txt").write_text("licences\n")
    (dist / "index.html").write_text(
        '<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; script-src &#39;self&#39;">\n'
        '  <script src="static/vendor/tfjs/tf-snapmath.min.js" defer></script>\n'
        '  <script src="static/js/main.js" defer></script>\n'
    )
    variant = inputs.make_full_bundle_variant(dist, tmp_path / "variant", NODE_MODULES)
    html = (variant / "index.html").read_text()
    assert html.count("<script") == 2
    assert '<script src="static/vendor/tfjs/tf.min.js" defer></script>' in html  # deferred as the page's own was
    assert "tf-snapmath" not in html
    assert "script-src &#39;self&#39; &#39;unsafe-eval&#39;" in html
    assert sorted(p.name for p in (variant / "static" / "vendor" / "tfjs").iterdir()) == [
        "LICENSE-tf-snapmath.txt",
        "tf.min.js",
    ]
    assert "tf-snapmath.min.js" in (dist / "index.html").read_text()  # the original is untouched


def test_full_bundle_variant_refuses_a_page_it_does_not_recognise(tmp_path):
    with pytest.raises(ValueError, match="runtime script tag"):
        inputs.replace_runtime_scripts('<meta content="script-src &#39;self&#39;"><script src="tf.js"></script>')


def test_real_pictures_are_labelled_by_their_first_character_and_kind_from_sources(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    for name in ("3-photo.jpg", "7-drawn.png", "8-scan.png", "README.md"):
        (real / name).write_bytes(name.encode())
    (real / "SOURCES.tsv").write_text(
        "file\tkind\tsource\n3-photo.jpg\tphoto-handwriting\tsomeone\n7-drawn.png\tdrawn-digital\tsomeone else\n"
    )
    web_root = tmp_path / "www"
    files = inputs.copy_real(real, web_root, "inputs/real", limit=10)
    assert files == [
        inputs.InputFile("inputs/real/3-photo.jpg", 3, "photo-handwriting"),
        inputs.InputFile("inputs/real/7-drawn.png", 7, "drawn-digital"),
        inputs.InputFile("inputs/real/8-scan.png", 8, "real"),  # not in SOURCES.tsv
    ]
    assert (web_root / "inputs/real/7-drawn.png").read_bytes() == b"7-drawn.png"
    assert [file.path for file in inputs.copy_real(real, web_root, "inputs/real", limit=2)] == [
        "inputs/real/3-photo.jpg",
        "inputs/real/7-drawn.png",
    ]
    assert inputs.copy_real(tmp_path / "absent", web_root, "inputs/real", limit=10) == []
