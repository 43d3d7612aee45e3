"""build.minify: the page's scripts shrink, still run, and a broken one is one clear error."""

from __future__ import annotations

import subprocess

import pytest

from build import minify
from build.errors import BuildError
from tests.paths import JS_DIR, NODE_MODULES, TEMPLATES_DIR

ARITHMETIC = JS_DIR / "arithmetic.js"


def test_scripts_shrink_and_other_files_pass_through():
    files = {"static/js/arithmetic.js": ARITHMETIC.read_bytes(), "static/app.css": b"body { margin: 0 }\n"}
    minified = minify.minify_scripts(files, NODE_MODULES)
    assert list(minified) == list(files)
    assert len(minified["static/js/arithmetic.js"]) < 0.8 * len(files["static/js/arithmetic.js"])
    assert minified["static/app.css"] == files["static/app.css"]


def test_minified_script_still_computes(tmp_path):
    minified = minify.minify_scripts({"a.js": ARITHMETIC.read_bytes()}, NODE_MODULES)["a.js"]
    script = tmp_path / "arithmetic.min.js"
    script.write_bytes(minified)
    probe = f"require({str(script)!r}); console.log(globalThis.snapmathArithmetic.compute(7, 'div', 3).text)"
    assert (
        subprocess.run(["node", "-e", probe], capture_output=True, text=True, check=True).stdout.strip()
        == "7/3 ≈ 2.333333"
    )


def test_syntax_error_is_one_build_error():
    with pytest.raises(BuildError, match=r"^the page's JavaScript could not be minified: .+"):
        minify.minify_scripts({"static/js/broken.js": b"function ( {"}, NODE_MODULES)


def test_missing_terser_says_npm_ci(tmp_path):
    with pytest.raises(BuildError, match=r"terser missing from .*: run `npm ci`"):
        minify.minify_scripts({"a.js": b"1"}, tmp_path)


def test_stylesheet_loses_comments_and_indentation_but_not_rules():
    css = (
        b'/* why */\n.a {\n  content: "\\2713"; /* tick */\n  color: #123;\n}\n\n'
        b"@media (min-width: 40em) {\n  .b { margin: 0 }\n}\n"
    )
    stripped = minify.minify_stylesheets({"static/app.css": css, "static/js/a.js": b"/* kept */"})
    assert (
        stripped["static/app.css"]
        == b'.a {\ncontent: "\\2713"; \ncolor: #123;\n}\n@media (min-width: 40em) {\n.b { margin: 0 }\n}\n'
    )
    assert stripped["static/js/a.js"] == b"/* kept */"


def test_real_stylesheet_shrinks():
    css = (TEMPLATES_DIR / "static" / "app.css").read_bytes()
    stripped = minify.minify_stylesheets({"app.css": css})["app.css"]
    assert len(stripped) < 0.85 * len(css)
    assert stripped.count(b"{") == css.count(b"{")
