"""build.context: the page context contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build import config as build_config
from build import context, minify, model_card, runtime
from build.errors import BuildError
from tests.example_metrics import METRICS
from tests.paths import REPO_ROOT


def test_page_context_follows_the_contract(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    static = minify.join_scripts(
        {url: url.encode() for url in (*context.STYLESHEETS, *context.APP_SCRIPTS)}, context.SHIPPED_SCRIPTS
    )
    files = runtime.gather_runtime(
        REPO_ROOT / "node_modules", {"modelTopology": {"node": [{"name": "x", "op": "Placeholder"}]}}, {}
    )
    card = model_card.model_card("1700000000", METRICS, 1, "float16")
    decode = {"max_file_bytes": 26_214_400, "max_pixels": 50_000_000, "max_decoded_side": 256}
    page = context.page_context(settings, {"decode": decode}, files, static, card)
    assert set(page) == {
        "site",
        "csp",
        "stylesheets",
        "ui_scripts",
        "runtime_scripts",
        "app_scripts",
        "all_scripts",
        "config",
        "model",
        "pages",
        "examples",
        "below_floors",
    }
    assert page["all_scripts"] == page["ui_scripts"] + page["runtime_scripts"] + page["app_scripts"]
    # The calculator's scripts (with conv2d.js and model.js) load before the runtime, recognition's after it.
    assert [s["url"] for s in page["ui_scripts"]] == ["static/js/start.js"]
    assert [s["url"] for s in page["app_scripts"]] == ["static/js/recognition.js"]
    assert {shipped: [url.rsplit("/", 1)[1] for url in urls] for shipped, urls in context.SHIPPED_SCRIPTS.items()} == {
        "static/js/start.js": [
            "arithmetic.js",
            "calculator.js",
            "ui-pad.js",
            "ui-picture.js",
            "ui-operand.js",
            "ui-inputs.js",
            "ui.js",
            "app.js",
            "conv2d.js",
            "model.js",
        ],
        "static/js/recognition.js": ["decode.js", "pixels.js", "locate.js", "preprocess.js", "main.js"],
    }
    assert page["site"]["title"] == "snapmath"
    assert page["stylesheets"] == [{"url": "static/app.css"}]  # no hash: nothing shows or sets one
    assert [example["name"] for example in page["examples"]] == ["seven", "three", "twelve"]
    assert [s["url"] for s in page["runtime_scripts"]] == [file.url for file in files]
    assert page["config"]["limits"] == {"maxFileBytes": 26_214_400, "maxPixels": 50_000_000, "maxSide": 256}
    assert page["pages"] == {"index": "index.html", "model_card": "model-card.html"}
    json.dumps(page)  # plain data only


def test_missing_app_script_is_named(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    with pytest.raises(BuildError, match=r"^site_templates/static/app\.css is missing: the page loads it$"):
        context.page_context(settings, {}, [], {}, {})


def test_spec_without_input_limits_is_named(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    static = minify.join_scripts(
        {url: url.encode() for url in (*context.STYLESHEETS, *context.APP_SCRIPTS)}, context.SHIPPED_SCRIPTS
    )
    with pytest.raises(
        BuildError, match=r"preprocess_spec\.json: decode\.max_pixels, decode\.max_decoded_side missing"
    ):
        context.page_context(settings, {"decode": {"max_file_bytes": 10}}, [], static, {})
