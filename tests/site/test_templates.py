"""The page templates (site_templates/) rendered with Jinja2 against a context like build.context's."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from build import context, runtime
from tests.paths import TEMPLATES_DIR
from training import preprocess

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
TEST_IDS = [
    "operand-a-file", "operand-b-file", "operand-a-canvas", "operand-b-canvas",
    "op-add", "op-sub", "op-mul", "op-div", "equals",
    "operand-a-digit", "operand-b-digit", "result", "status",
    *[f"operand-{side}-{part}" for side in "ab" for part in (
        "picture", "switch", "select", "box-handle", "undo", "clear", "arm", "example-seven",
        *[f"pick-{digit}" for digit in range(10)],
    )],
]  # fmt: skip
ALLOWED_TAGS = {"extends", "block", "endblock", "include", "if", "elif", "else", "endif", "for", "endfor"}


def asset(url: str) -> dict:
    return {"url": url, "integrity": "sha384-" + "A" * 64}


def fake_context() -> dict:
    """Return a context shaped like the one build.context produces."""
    return {
        "site": {"title": "snapmath", "description": "Arithmetic on <pictures> of digits"},
        "csp": CSP,
        "stylesheets": [{"url": "static/app.css"}],
        "runtime_scripts": [asset(f"{runtime.VENDOR_DIR}/{runtime.BUNDLE_NAME}")],
        "ui_scripts": [asset(url) for url in context.UI_SCRIPTS],
        "app_scripts": [asset(url) for url in context.RECOGNITION_SCRIPTS],
        "all_scripts": [],
        "config": {
            "version": "1764000000",
            "modelUrl": "model/model.json",
            "embeddedModelUrl": "model/embedded.js",
            "preprocess": {"canvas": {"box_side": 20, "canvas_side": 28}, "note": "</script><b>"},
            "lowConfidence": 0.8,
            "limits": context.input_limits(preprocess.load_spec(), preprocess.SPEC_PATH),
        },
        "model": {"version": "1764000000"},
        "pages": {"index": "index.html", "model_card": "model-card.html"},
        "current_page": "index.html",
        "examples": [
            {
                "name": "seven",
                "text": "7",
                "alt": "Example: a 7",
                "url": "data:image/jpeg;base64,AAAA",
                "width": 160,
                "height": 160,
            }
        ],
    }


class Element:
    def __init__(self, tag: str, attrs: dict, parents: list[Element]):
        self.tag = tag
        self.attrs = attrs
        self.parents = list(parents)
        self.text = ""


class PageParser(HTMLParser):
    """Collects every element with its attributes, ancestors and text (text includes descendants')."""

    VOID = frozenset({"meta", "link", "input", "img", "br", "hr", "source"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.open)
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


@pytest.fixture(scope="module")
def html() -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("index.html").render(**fake_context())


@pytest.fixture(scope="module")
def elements(html: str) -> list[Element]:
    parser = PageParser()
    parser.feed(html)
    return parser.elements


def by_test_id(elements: list[Element], test_id: str) -> list[Element]:
    return [element for element in elements if element.attrs.get("data-testid") == test_id]


def by_id(elements: list[Element], element_id: str) -> Element:
    (element,) = [element for element in elements if element.attrs.get("id") == element_id]
    return element


@pytest.mark.parametrize("test_id", TEST_IDS)
def test_every_test_hook_is_on_exactly_one_element(elements, test_id):
    assert len(by_test_id(elements, test_id)) == 1


def test_hooks_are_the_right_kind_of_element(elements):
    for side in "ab":
        (file_input,) = by_test_id(elements, f"operand-{side}-file")
        assert (file_input.tag, file_input.attrs["type"]) == ("input", "file")
        for extension in ("jpg", "jpeg", "png", "webp", "gif", "bmp"):
            assert f".{extension}" in file_input.attrs["accept"]
        assert by_test_id(elements, f"operand-{side}-canvas")[0].tag == "canvas"
    for test_id in ("op-add", "op-sub", "op-mul", "op-div", "equals"):
        button = by_test_id(elements, test_id)[0]
        assert (button.tag, button.attrs["type"]) == ("button", "button")


def test_ids_are_unique(elements):
    ids = [element.attrs["id"] for element in elements if "id" in element.attrs]
    assert len(ids) == len(set(ids))


def test_csp_meta_comes_first_and_carries_the_context_policy(elements):
    metas = [element for element in elements if element.tag == "meta"]
    csp = [meta for meta in metas if meta.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert [meta.attrs["content"] for meta in csp] == [CSP]
    # Before anything it governs: only the charset may come earlier.
    assert elements.index(csp[0]) <= elements.index(metas[0]) + 1


def test_scripts_are_classic_files_in_contract_order_at_the_end(elements, html):
    shown = fake_context()
    sources = [element.attrs["src"] for element in elements if element.tag == "script" and "src" in element.attrs]
    # The calculator's scripts before the runtime: the page takes input while the runtime downloads.
    expected = [script["url"] for script in shown["ui_scripts"] + shown["runtime_scripts"] + shown["app_scripts"]]
    assert sources == expected
    assert not [element for element in elements if element.attrs.get("type") == "module"]
    assert html.rindex("<script") > html.index('id="content"')


def test_no_inline_script_style_or_event_handler(elements):
    for element in elements:
        assert "style" not in element.attrs, element.tag
        assert not [name for name in element.attrs if name.startswith("on")], element.tag
        if element.tag == "script" and "src" not in element.attrs:
            assert element.attrs.get("type") == "application/json"
        assert element.tag != "style"


def test_config_reaches_js_as_a_json_block(elements, html):
    block = by_id(elements, "snapmath-config")
    assert (block.tag, block.attrs["type"]) == ("script", "application/json")
    assert json.loads(block.text) == fake_context()["config"]
    assert "</script><b>" not in html  # tojson escapes markup inside the data


def test_subresources_carry_no_integrity_attribute(elements):
    # Chromium blocks every integrity-checked script and stylesheet on a page opened from
    # disk (file://), which is a supported way to use dist/.
    stylesheets = [
        element for element in elements if element.tag == "link" and element.attrs.get("rel") == "stylesheet"
    ]
    assert [sheet.attrs["href"] for sheet in stylesheets] == ["static/app.css"]
    assert not [element for element in elements if "integrity" in element.attrs]


def test_every_url_is_relative(elements):
    for element in elements:
        for name in ("href", "src"):
            url = element.attrs.get(name)
            if url is not None:
                assert not url.startswith(("/", "http:", "https:")), url


def test_navigation_links_calculator_and_model_card(elements):
    (nav,) = [element for element in elements if element.tag == "nav"]
    links = [element for element in elements if element.tag == "a" and nav in element.parents]
    assert [(link.attrs["href"], link.text) for link in links] == [
        ("index.html", "Calculator"),
        ("model-card.html", "Model card"),
    ]
    assert [link.attrs.get("aria-current") for link in links] == ["page", None]


def test_noscript_says_the_calculator_needs_javascript(elements):
    (message,) = [element for element in elements if element.tag == "noscript"]
    assert "JavaScript" in message.text


def test_site_text_is_escaped(html):
    assert "Arithmetic on &lt;pictures&gt; of digits" in html


def accessible_name(elements: list[Element], element: Element) -> str:
    """Return the text a screen reader announces for a control (aria-label, labelledby, label, text)."""
    if "aria-label" in element.attrs:
        return element.attrs["aria-label"]
    if "aria-labelledby" in element.attrs:
        return " ".join(by_id(elements, ref).text for ref in element.attrs["aria-labelledby"].split())
    labels = [parent for parent in element.parents if parent.tag == "label"]
    if labels:
        return labels[-1].text
    pictures = [inner.attrs.get("alt", "") for inner in elements if inner.tag == "img" and element in inner.parents]
    return " ".join([element.text, *pictures])


def test_every_control_has_a_name(elements):
    controls = [element for element in elements if element.tag in ("button", "input", "canvas", "output", "progress")]
    assert len(controls) > 20
    for control in controls:
        if control.attrs.get("aria-hidden") == "true":
            continue
        name = " ".join(accessible_name(elements, control).split())
        assert name, (control.tag, control.attrs)


def test_file_inputs_and_camera_are_labelled(elements):
    for side, name in (("a", "first number"), ("b", "second number")):
        (file_input,) = by_test_id(elements, f"operand-{side}-file")
        assert "Choose picture" in accessible_name(elements, file_input)
        assert name in accessible_name(elements, file_input)
        camera = by_id(elements, f"operand-{side}-camera")
        assert camera.attrs["capture"] == "environment"
        assert "Take photo" in accessible_name(elements, camera)


def test_operators_are_a_labelled_group_of_toggle_buttons(elements):
    buttons = [by_test_id(elements, f"op-{op}")[0] for op in ("add", "sub", "mul", "div")]
    assert [button.text for button in buttons] == ["+", "\u2212", "\u00d7", "\u00f7"]
    assert {button.attrs["aria-pressed"] for button in buttons} == {"false"}
    group = buttons[0].parents[-1]
    assert group.attrs["role"] == "group"
    assert accessible_name(elements, group) == "Operator"


LIVE_ROLES = {"status", "alert", "log"}


def is_live(element: Element) -> bool:
    return "aria-live" in element.attrs or element.attrs.get("role") in LIVE_ROLES or element.tag == "output"


def test_answer_is_announced(elements):
    (result,) = by_test_id(elements, "result")
    live = [parent for parent in result.parents if "aria-live" in parent.attrs]
    assert live
    assert live[-1].attrs["aria-live"] == "polite"
    (status,) = by_test_id(elements, "status")
    assert status.attrs["role"] == "status"


def test_no_live_region_sits_inside_another(elements):
    # Nested live regions make screen readers announce the same change twice.
    for element in elements:
        if is_live(element):
            assert not [parent for parent in element.parents if is_live(parent)], element.attrs


def test_picker_offers_all_ten_digits_named_by_their_visible_digit(elements):
    for side in "ab":
        for digit in range(10):
            (button,) = by_test_id(elements, f"operand-{side}-pick-{digit}")
            assert "aria-label" not in button.attrs  # the name starts with the digit shown
            assert button.text.strip().startswith(str(digit))


def test_examples_are_buttons_with_described_pictures(elements):
    for side in "ab":
        (button,) = by_test_id(elements, f"operand-{side}-example-seven")
        (image,) = [element for element in elements if element.tag == "img" and button in element.parents]
        assert button.tag == "button"
        assert image.attrs["src"].startswith("data:image/")
        assert image.attrs["alt"] == "Example: a 7"


def test_page_says_images_stay_on_the_device(html):
    assert "never leave" in html


def template_tags(path: Path) -> list[str]:
    """Return the first word of every {% ... %} tag in a template."""
    source = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)
    return [match.group(1) for match in re.finditer(r"\{%-?\s*(\w+)", source)]


@pytest.mark.parametrize("path", sorted(TEMPLATES_DIR.rglob("*.html")), ids=lambda path: path.name)
def test_templates_hold_no_logic_beyond_if_for_include(path):
    assert set(template_tags(path)) <= ALLOWED_TAGS
