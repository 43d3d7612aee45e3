"""build.render: escaping, strict variables, readable template errors, the real model card."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from build import context, model_card, render
from build.errors import BuildError
from tests.example_metrics import METRICS
from tests.paths import TEMPLATES_DIR


def environment_with(tmp_path: Path, **templates: str):
    for name, text in templates.items():
        (tmp_path / name).write_text(text)
    return render.make_environment(tmp_path)


def test_values_are_html_escaped(tmp_path: Path) -> None:
    environment = environment_with(
        tmp_path, page="<p>{{ text }}</p><script type=application/json>{{ data|tojson }}</script>"
    )
    html = environment.get_template("page").render(text="<b>&", data={"b": "</script>", "a": 1})
    assert html == '<p>&lt;b&gt;&amp;</p><script type=application/json>{"a": 1, "b": "\\u003c/script\\u003e"}</script>'


def test_undefined_variable_is_an_error_naming_the_template_line(tmp_path: Path) -> None:
    environment = environment_with(tmp_path, **{"index.html": "ok\n{{ missing.value }}\n", "model-card.html": ""})
    with pytest.raises(BuildError) as raised:
        render.render_pages(environment, {})
    assert str(raised.value) == f"{tmp_path / 'index.html'}:2: 'missing' is undefined"


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    environment = environment_with(tmp_path, **{"index.html": "{% if %}", "model-card.html": ""})
    with pytest.raises(BuildError, match=r"index\.html:1: template syntax error: "):
        render.render_pages(environment, {})


def test_missing_template_is_named(tmp_path: Path) -> None:
    environment = environment_with(tmp_path, **{"index.html": "{% extends 'base.html' %}"})
    with pytest.raises(BuildError, match=rf"^template base\.html not found in {tmp_path}$"):
        render.render_pages(environment, {})


def test_templates_get_no_filters_of_our_own() -> None:
    # Python formats every figure; a template that formats one would be logic in a template.
    assert set(render.make_environment(TEMPLATES_DIR).filters) == set(jinja2.filters.FILTERS)


def test_real_model_card_shows_every_figure(templates_dir: Path) -> None:
    metrics = {
        **METRICS,
        "confusion_matrix": [[1] * 10] * 10,
        "per_class_accuracy": [0.1] * 10,
        "test_accuracy": 0.1,
        "parameters": 5,
    }
    card = model_card.model_card("1700000000", metrics, 2000, "none")
    page = {
        "site": {"title": "snapmath", "description": "d"},
        "csp": context.CSP,
        "stylesheets": [],
        "model": card,
        "pages": dict(context.PAGES),
        "runtime_scripts": [],
        "app_scripts": [],
        "all_scripts": [],
        "config": {},
        "below_floors": [],
    }
    html = render.make_environment(templates_dir).get_template("model-card.html").render(page)
    for text in ("1700000000", "2023-11-14 22:13 UTC", "2.0 KB (model.json and weights)", "none (32-bit", "10.00%"):
        assert text in html
    assert html.count('fill-opacity="') == 100
    assert 'href="index.html"' in html
    assert "style=" not in html  # the CSP forbids inline styles: shades are SVG attributes
    # Mitchell et al.'s sections, the data's credit and licence, hashes folded away.
    headings = ("Model details", "Intended use", "Out of scope", "Factors", "Metrics", "Training and evaluation data")
    for heading in (*headings, "Caveats and recommendations"):
        assert f">{heading}</h" in html, heading
    assert "LeCun" in html
    assert "Attribution-Share Alike 3.0" in html
    assert "<details>\n    <summary>Subresource Integrity hashes" in html
    assert "14 November 2023" in html  # the version as a date


def test_navigation_marks_the_page_it_is_on(tmp_path: Path) -> None:
    environment = environment_with(
        tmp_path,
        **{"index.html": "{{ current_page }}", "model-card.html": "{{ current_page }}"},
    )
    assert render.render_pages(environment, {}) == {"index.html": b"index.html", "model-card.html": b"model-card.html"}
