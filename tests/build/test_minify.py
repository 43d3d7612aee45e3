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


def test_each_group_of_scripts_becomes_one_file_that_runs_them_in_order(tmp_path):
    files = {
        "static/js/a.js": b"globalThis.order = ['a']",  # no `;` at the end: the next file must not continue it
        "static/js/b.js": b"(function () { globalThis.order.push('b'); })();\n",
        "static/js/c.js": b"globalThis.order.push('c');",
        "static/app.css": b"body { margin: 0 }\n",
    }
    groups = {"static/js/first.js": ("static/js/a.js", "static/js/b.js"), "static/js/second.js": ("static/js/c.js",)}
    joined = minify.join_scripts(files, groups)
    assert sorted(joined) == ["static/app.css", "static/js/first.js", "static/js/second.js"]
    assert joined["static/app.css"] == files["static/app.css"]
    for name in ("first.js", "second.js"):
        (tmp_path / name).write_bytes(joined[f"static/js/{name}"])
    probe = f"require({str(tmp_path / 'first.js')!r}); require({str(tmp_path / 'second.js')!r}); console.log(order)"
    assert subprocess.run(["node", "-e", probe], capture_output=True, text=True, check=True).stdout.strip() == (
        "[ 'a', 'b', 'c' ]"
    )


def test_a_script_in_no_group_or_a_missing_one_is_named():
    with pytest.raises(
        BuildError, match=r"^site_templates/static/js/new\.js is in no script group of build/context\.py"
    ):
        minify.join_scripts({"static/js/new.js": b"1;"}, {"static/js/all.js": ()})
    with pytest.raises(BuildError, match=r"^site_templates/static/js/a\.js is missing: the page loads it$"):
        minify.join_scripts({}, {"static/js/all.js": ("static/js/a.js",)})
    with pytest.raises(BuildError, match=r"^site_templates/static/js/all\.js has the name of a file the build joins"):
        minify.join_scripts({"static/js/all.js": b"1;"}, {"static/js/all.js": ("static/js/all.js",)})


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
