"""training.spec_check: every field of the preprocessing spec is checked, and one error lists every bad one."""

from __future__ import annotations

import copy
import json

import pytest

from tests.paths import REPO_ROOT
from training import spec_check

SPEC_FILE = REPO_ROOT / "training" / "preprocess_spec.json"


def spec() -> dict:
    """Return a fresh copy of the repository's spec."""
    return json.loads(SPEC_FILE.read_text())


def leaf_paths(node: dict, prefix: str = "") -> set[str]:
    """Return the dotted paths of the spec's leaves (a list such as canvas.centre is one leaf)."""
    paths = set()
    for key, value in node.items():
        paths |= leaf_paths(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"}
    return paths


def test_the_rules_cover_exactly_the_fields_of_the_spec_file():
    # A field added to the spec without a rule (or a rule left for a removed field) fails here first.
    assert sorted(leaf_paths(spec()) - set(spec_check.RULES)) == [], "spec fields without a rule in RULES"
    assert sorted(set(spec_check.RULES) - leaf_paths(spec())) == [], "rules for fields the spec no longer has"


def test_the_repository_spec_passes():
    assert spec_check.spec_problems(spec()) == []
    assert spec_check.load_checked_spec(SPEC_FILE) == spec()


def test_every_bad_field_is_listed_in_one_error(tmp_path):
    bad = spec()
    bad["decode"]["max_file_bytes"] = True
    bad["decode"]["max_pixels"] = -1
    bad["bound"]["max_working_side"] = 0
    del bad["ink"]
    bad["canvas"]["box_side"] = 100
    bad["ruled_lines"]["row_percentile"] = "high"
    path = tmp_path / "preprocess_spec.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(spec_check.SpecError) as error:
        spec_check.load_checked_spec(path)
    assert str(error.value) == (
        f"{path}: 6 bad fields: "
        "decode.max_file_bytes is true, expected a whole number; "
        "decode.max_pixels is -1, expected a whole number >= 1; "
        "bound.max_working_side is 0, expected a whole number >= 28 and <= 16384; "
        "section ink is missing; "
        'ruled_lines.row_percentile is "high", expected a number; '
        "canvas.box_side is 100, expected a whole number >= 1 and <= 28"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda s: s["decode"].update(max_decoded_side=256.0),
            "decode.max_decoded_side is 256.0, expected a whole number",
        ),
        (lambda s: s["decode"].pop("max_pixels"), "decode.max_pixels is missing"),
        (lambda s: s.update(ink=[1, 2]), "ink is [1, 2], expected a section (a JSON object)"),
        (lambda s: s["ink"].update(peak_percentile=float("nan")), "ink.peak_percentile is NaN, expected a number"),
        (lambda s: s["ink"].update(min_floor=0.7), "ink.min_floor must not exceed ink.max_floor (ink.min_floor = 0.7"),
        (lambda s: s["canvas"].update(box_side=28), "canvas.box_side must be smaller than canvas.canvas_side"),
        (lambda s: s["canvas"].update(centre=[14, "x"]), 'canvas.centre is [14, "x"], expected [x, y], two numbers'),
        (lambda s: s["strokes"].update(min_width=3), "strokes need min_width <= target_width <= max_width"),
        (lambda s: s.update(colour={"gamma": 2.2}), "colour.gamma is not a known field"),
        (lambda s: s["locate"]["lines"].update(tilt=1), "locate.lines.tilt is not a known field"),
        (
            lambda s: s["background"].update(border_fraction=0),
            "background.border_fraction is 0, expected a number > 0 and < 0.5",
        ),
    ],
)
def test_one_bad_field_is_named_with_what_was_expected(change, problem):
    bad = copy.deepcopy(spec())
    change(bad)
    problems = spec_check.spec_problems(bad)
    assert len(problems) == 1, problems
    assert problems[0].startswith(problem), problems


def test_a_spec_that_is_not_json_is_one_error(tmp_path):
    path = tmp_path / "preprocess_spec.json"
    path.write_text("{not json")
    with pytest.raises(spec_check.SpecError, match=r"cannot read the preprocessing spec \(Expecting property name"):
        spec_check.load_checked_spec(path)
