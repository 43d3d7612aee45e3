"""Every state of the page, in light and dark, on a desktop and a phone: axe-core finds no violation of
any impact, and a screenshot of each lands in .artifacts/screenshots/ for people to look at."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from build import serve
from tests.browser.page_helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    compute,
    give_example,
    give_file,
    low_confidence_file,
    new_page,
    refused_letter_file,
    refuses_non_digits,
)  # fmt: skip
from tests.paths import ARTIFACTS_DIR

SCREENSHOTS = ARTIFACTS_DIR / "screenshots"
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")


def record_state(page, name: str, device: str, focus: str | None, found: dict) -> None:
    """Screenshot the state in both themes (scrolled to `focus` on a phone) and keep axe's violations."""
    viewport = DEVICES[device]
    if focus and device == "phone":
        page.locator(focus).scroll_into_view_if_needed()
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}x{viewport['height']}-{scheme}.png"))
        found[f"{name} {device} {scheme}"] = axe_violations(page)
    page.emulate_media(color_scheme="light")


def close_and_check(page, record, found: dict) -> None:
    """Close the page; fail on any console error, then on any axe violation found in any state."""
    page.context.close()
    assert not record.errors, record.errors
    assert {state: violations for state, violations in found.items() if violations} == {}


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_each_state_is_accessible_in_both_themes(browser, site_url, bad_files, mnist_dir, tmp_path, device):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, record = new_page(browser, site_url + "index.html", DEVICES[device], touch=device == "phone")
    low = low_confidence_file(page, mnist_dir, tmp_path)
    found: dict[str, list] = {}

    record_state(page, "empty", device, None, found)

    assert give_file(page, "a", bad_files["text-named.png"]) == "error"
    record_state(page, "bad-file", device, "#operand-a-message", found)

    assert give_file(page, "a", low) == "low"
    give_example(page, "b", "three")
    compute(page, "add")
    assert page.locator("#answer-flag").is_visible()
    record_state(page, "low-confidence", device, "#operand-a", found)

    give_example(page, "a", "seven")
    give_example(page, "b", "three")
    compute(page, "div")
    record_state(page, "both-read", device, ".answer", found)

    close_and_check(page, record, found)


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_not_a_digit_state_is_accessible_in_both_themes(browser, site_url, tmp_path, device):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, record = new_page(browser, site_url + "index.html", DEVICES[device], touch=device == "phone")
    if not refuses_non_digits(page):
        page.context.close()
        pytest.skip("the shipped model has no not-a-digit output yet (notDigitThreshold is 1: never refuse)")
    found: dict[str, list] = {}
    give_example(page, "a", "seven")
    assert give_file(page, "b", refused_letter_file(tmp_path)) == "not-digit"
    compute(page, "add")
    record_state(page, "not-digit-model", device, "#operand-b", found)
    close_and_check(page, record, found)


def site_that_refuses_everything(built_site: Path, folder: Path) -> Path:
    """Copy the site with the page config's notDigitThreshold at 0, so every picture is refused as not a digit.

    Shows the page's not-a-digit state whatever the shipped model can do; the model's own refusals are
    checked by the test above once a model with a not-a-digit output ships."""
    copy = folder / "refusing" / built_site.name
    shutil.copytree(built_site, copy)
    index = copy / "index.html"
    html = index.read_text(encoding="utf-8")
    match = re.search(r'(<script type="application/json" id="snapmath-config">)(.*?)(</script>)', html, re.DOTALL)
    config = json.loads(match.group(2))
    config["notDigitThreshold"] = 0.0
    data = json.dumps(config, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    index.write_text(html[: match.start(2)] + data + html[match.end(2) :], encoding="utf-8")
    return copy


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_the_not_a_digit_state_reads_and_is_accessible(browser, built_site, tmp_path, device):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    site = site_that_refuses_everything(built_site, tmp_path)
    with serve.serving(site.parent, quiet=True) as base_url:
        page, record = new_page(browser, f"{base_url}{site.name}/index.html", DEVICES[device], touch=device == "phone")
        found: dict[str, list] = {}
        assert give_file(page, "b", refused_letter_file(tmp_path)) == "not-digit"
        said = page.locator("#operand-b-confidence").inner_text()
        assert said.replace("\u2019", "'") == "This doesn't look like a digit."
        assert page.locator("#operand-b-correction-label").inner_text() == "If it is a digit, pick it:"
        page.locator("#operand-a").focus()
        page.keyboard.type("9")
        assert compute(page, "sub").startswith("The second picture doesn\u2019t look like a digit")
        record_state(page, "not-digit", device, "#operand-b", found)
        page.get_by_test_id("operand-b-pick-4").click()
        assert page.get_by_test_id("result").inner_text() == "5"
        close_and_check(page, record, found)


@pytest.mark.parametrize("device", sorted(DEVICES))
def test_model_card_is_accessible_in_both_themes(browser, site_url, device):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, record = new_page(
        browser, site_url + "model-card.html", DEVICES[device], touch=device == "phone", ready=False
    )
    found: dict[str, list] = {}
    record_state(page, "model-card", device, None, found)
    close_and_check(page, record, found)
