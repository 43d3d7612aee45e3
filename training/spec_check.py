"""Check training/preprocess_spec.json once, field by field, before anything reads a picture with it.

The spec drives both twins (preprocess.py and the page's preprocess.js), so one bad value (a boolean
where a size belongs, a negative limit, a missing section) would otherwise surface as tracebacks in
`training.predict` and as raw TF.js errors on the page. Both `python -m build.site` and `training.predict`
call `check_spec`; it reports every bad field in one error.

The rules are data: RULES maps a field's dotted path to its type and range. A field in the spec that RULES
does not list, or a rule whose field is missing from the spec, is an error too, so a new spec field cannot
ship unchecked: add its rule here (tests/training/test_spec_check.py compares RULES with the spec file).
RELATIONS hold the rules between fields.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from training import data

SPEC_PATH = Path(__file__).resolve().parent / "preprocess_spec.json"


class SpecError(ValueError):
    """The preprocessing spec is unreadable or has bad fields; the message lists every one."""


@dataclass(frozen=True)
class Rule:
    """What one field must be: `kind` "int" (whole number), "number" (finite) or "point" ([x, y] numbers);
    inclusive bounds `min`/`max` and exclusive `above`/`below` (None: no bound)."""

    kind: str
    min: float | None = None
    max: float | None = None
    above: float | None = None
    below: float | None = None


FRACTION = Rule("number", min=0, max=1)
PERCENTILE = Rule("number", min=0, max=100)
GREY_LEVEL = Rule("number", min=0, max=255)
POSITIVE = Rule("number", above=0)
COUNT = Rule("int", min=1)


def _section(name: str, **rules: Rule) -> dict[str, Rule]:
    """Return a section's rules under their dotted paths (name.field), so a section's table names it once."""
    return {f"{name}.{field}": rule for field, rule in rules.items()}


RULES: dict[str, Rule] = {
    "version": Rule("int", min=1, max=1),
    # decode: the input limits (bytes, pixels) and the long side pictures are decoded to.
    "decode.max_file_bytes": COUNT,
    "decode.max_pixels": COUNT,
    "decode.max_decoded_side": Rule("int", min=data.IMAGE_SIDE, max=16384),
    "composite.light_content_luminance": GREY_LEVEL,
    "background.border_fraction": Rule("number", above=0, below=0.5),
    "bound.max_working_side": Rule("int", min=data.IMAGE_SIDE, max=16384),
    "ink.peak_percentile": PERCENTILE,
    "ink.saturation_percentile": PERCENTILE,
    "ink.border_noise_percentile": PERCENTILE,
    "ink.noise_margin": Rule("number", min=0),
    "ink.min_floor": FRACTION,
    "ink.max_floor": FRACTION,
    "ink.min_contrast": GREY_LEVEL,
    "ruled_lines.row_percentile": PERCENTILE,
    "ruled_lines.strength_margin": Rule("number", min=0),
    "ruled_lines.max_line_thickness_fraction": FRACTION,
    "digit_box.trim_mass_fraction": Rule("number", min=0, below=0.5),
    "digit_box.empty_line_mass": FRACTION,
    "digit_box.min_ink_mass_fraction": FRACTION,
    "digit_box.min_line_coverage": FRACTION,
    "strokes.target_width": POSITIVE,
    "strokes.min_width": POSITIVE,
    "strokes.max_width": POSITIVE,
    "canvas.box_side": Rule("int", min=1, max=data.IMAGE_SIDE),
    "canvas.canvas_side": Rule("int", min=data.IMAGE_SIDE, max=data.IMAGE_SIDE),  # the model reads exactly that
    "canvas.centre": Rule("point", min=0, max=data.IMAGE_SIDE),
    # locate: finding the digits (issue 9).
    "locate.map_side": Rule("int", min=data.IMAGE_SIDE, max=16384),
    "locate.cells_per_side": COUNT,
    "locate.window_cells": COUNT,
    "locate.peak_percentile": PERCENTILE,
    "locate.noise_percentile": PERCENTILE,
    "locate.noise_margin": Rule("number", min=0),
    "locate.min_floor": FRACTION,
    "locate.max_floor": FRACTION,
    "locate.min_contrast": GREY_LEVEL,
    "locate.min_contrast_dark": Rule("number", min=0),  # a colour distance: up to 255 * sqrt(3)
    "locate.dark_paper": GREY_LEVEL,
    "locate.desk_gap": Rule("number", min=0),
    **_section(
        "locate.lines",
        tilt_step=Rule("number", min=0, below=1),
        tilt_steps=Rule("int", min=0),
        tilt_rows=COUNT,
        line_rows=Rule("int", min=0),
        bridge=Rule("int", min=0),
        min_length_fraction=FRACTION,
        max_thickness_fraction=FRACTION,
        max_line_thickness_fraction=FRACTION,
        thickness_ratio=Rule("number", min=1),
        edge_span=FRACTION,
        dash_gap_fraction=FRACTION,
        min_dash_fraction=FRACTION,
        min_lines=COUNT,
    ),
    **_section(
        "locate.stray",
        min_area_fraction=FRACTION,
        speck_fraction=FRACTION,
        line_elongation=Rule("number", min=1),
        edge_band_fraction=Rule("number", min=0, below=0.5),
        edge_line_length_fraction=FRACTION,
        frame_max_density=FRACTION,
        corner_max_density=FRACTION,
        frame_min_inner_height=FRACTION,
        frame_min_gap=FRACTION,
        outline_span=FRACTION,
        frame_line_ratio=Rule("number", min=1),
        long_line_fraction=FRACTION,
        long_line_thickness=FRACTION,
        line_max_spans=Rule("number", min=1),
    ),
    **_section(
        "locate.frames",
        min_side=COUNT,
        band_fraction=Rule("number", min=0, below=0.5),
        min_coverage=FRACTION,
        max_middle_fill=FRACTION,
    ),
    **_section(
        "locate.underline",
        min_side=COUNT,
        min_span=FRACTION,
        max_thickness=FRACTION,
        min_overhang=FRACTION,
        min_overhang_right=FRACTION,
        min_rest=Rule("number", above=0, max=1),  # a mark that is all line is no underline under a digit
        max_slope=Rule("number", min=0, below=1),
        slope_step=Rule("number", min=0.01, below=1),
    ),
    **_section(
        "locate.grouping",
        min_column_overlap=FRACTION,
        max_row_gap=Rule("number", min=0),
        max_side_gap=Rule("number", min=0),
        min_misalignment=FRACTION,
        max_merged_aspect=POSITIVE,
        underline_flatness=Rule("number", min=1),
    ),
    **_section("locate.scoring", centre_weight=Rule("number", min=0), border_factor=FRACTION, flat_factor=FRACTION),
    "locate.scoring.flat_aspect": Rule("number", min=1),
    **_section("locate.shade", min_side=FRACTION, min_fill=FRACTION),
    **_section(
        "locate.row",
        min_height_ratio=FRACTION,
        min_row_overlap=FRACTION,
        line_height_ratio=FRACTION,
        line_row_overlap=FRACTION,
        max_gap=Rule("number", min=0),
        max_digits=Rule("int", min=1, max=9),
    ),
    "locate.min_digit_fraction": FRACTION,
    "locate.min_digit_pixels": Rule("int", min=1, max=28),
    "locate.read_margin": FRACTION,
    "locate.mask_dilation": Rule("int", min=0),
    "locate.min_paper_fraction": Rule("number", above=0, max=1),  # a crop with no paper falls back
    "locate.border_fraction": Rule("number", above=0, below=0.5),
    "locate.uneven_percentile": PERCENTILE,
    "locate.uneven_light": GREY_LEVEL,
    "locate.uneven_percentile_light": PERCENTILE,
    "locate.light_paper": GREY_LEVEL,
    "locate.max_lighter_cells": FRACTION,
    "locate.polarity_gap": GREY_LEVEL,
    "locate.polarity_vote_gap": GREY_LEVEL,
    "locate.paper_agreement": GREY_LEVEL,
    "locate.ramp_step": FRACTION,
    "locate.desk_margin": Rule("number", min=0, below=0.5),
    "locate.desk_touch_share": FRACTION,
    "locate.desk_band_ring": Rule("int", min=1, max=8),
    "locate.desk_band_alike": Rule("number", above=0, max=1),
    "locate.desk_band_core": Rule("number", min=0, max=50),
    "locate.desk_band_likeness": Rule("number", min=0, max=1),
    "locate.desk_band_min_length": Rule("number", min=0, max=1),
    "locate.desk_span": FRACTION,
    "locate.desk_ring_contrast": GREY_LEVEL,
    "locate.desk_region_gap": GREY_LEVEL,
    "locate.sheet_min_cells": FRACTION,
    "locate.sheet_solidity": FRACTION,
    "locate.block_density": FRACTION,
    "locate.block_min_contrast": Rule("number", min=0),  # a colour distance, as min_contrast_dark
    "locate.block_inset": Rule("number", min=0, below=0.5),  # of the block's side, from each edge
    "locate.stray.max_marks": COUNT,
}

# (fields involved, the rule as a sentence, the check); checked only when those fields are themselves valid.
RELATIONS: list[tuple[tuple[str, ...], str, Callable[..., bool]]] = [
    (("ink.min_floor", "ink.max_floor"), "ink.min_floor must not exceed ink.max_floor", lambda low, high: low <= high),
    (
        ("locate.min_floor", "locate.max_floor"),
        "locate.min_floor must not exceed locate.max_floor",
        lambda low, high: low <= high,
    ),
    (
        ("strokes.min_width", "strokes.target_width", "strokes.max_width"),
        "strokes need min_width <= target_width <= max_width",
        lambda low, target, high: low <= target <= high,
    ),
    (
        ("canvas.box_side", "canvas.canvas_side"),
        "canvas.box_side must be smaller than canvas.canvas_side (the digit needs a margin)",
        lambda box, canvas: box < canvas,
    ),
    (
        ("canvas.centre", "canvas.canvas_side"),
        "canvas.centre must lie inside the canvas",
        lambda centre, side: all(0 <= value <= side for value in centre),
    ),
    (
        ("locate.min_contrast", "locate.min_contrast_dark"),
        "locate.min_contrast must not exceed locate.min_contrast_dark",
        lambda least, dark: least <= dark,
    ),
    (
        ("locate.window_cells", "locate.cells_per_side"),
        "locate.window_cells must not exceed locate.cells_per_side",
        lambda window, cells: window <= cells,
    ),
    (
        ("locate.cells_per_side", "locate.map_side"),
        "locate.cells_per_side must not exceed locate.map_side",
        lambda cells, side: cells <= side,
    ),
]


def _is_number(value: object) -> bool:
    """Return whether value is a finite JSON number (a boolean is not one, though Python counts it as int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _describe(value: object) -> str:
    """Return value as it appears in the JSON file, shortened, for an error message."""
    text = json.dumps(value)  # NaN and Infinity as Python's json module writes and reads them
    return text if len(text) <= 40 else text[:37] + "..."


def _range_text(rule: Rule) -> str:
    """Return the allowed range of a rule in words, e.g. 'from 0 to 100' or 'above 0'."""
    parts = []
    if rule.min is not None:
        parts.append(f">= {rule.min:g}")
    if rule.above is not None:
        parts.append(f"> {rule.above:g}")
    if rule.max is not None:
        parts.append(f"<= {rule.max:g}")
    if rule.below is not None:
        parts.append(f"< {rule.below:g}")
    return " and ".join(parts)


def field_problem(value: object, rule: Rule) -> str | None:
    """Return what is wrong with one field's value under its rule, or None when it is valid."""
    expected = {"int": "a whole number", "number": "a number", "point": "[x, y], two numbers"}[rule.kind]
    if rule.kind == "point":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(item) for item in value)):
            return f"is {_describe(value)}, expected {expected}"
        values = list(value)
    else:
        if not _is_number(value) or (rule.kind == "int" and not isinstance(value, int)):
            return f"is {_describe(value)}, expected {expected}"
        values = [value]
    in_range = all(
        (rule.min is None or item >= rule.min)
        and (rule.max is None or item <= rule.max)
        and (rule.above is None or item > rule.above)
        and (rule.below is None or item < rule.below)
        for item in values
    )
    return None if in_range else f"is {_describe(value)}, expected {expected} {_range_text(rule)}"


def flatten(spec: dict, prefix: str = "") -> tuple[dict[str, object], list[str]]:
    """Return ({dotted path: value} of the spec's leaves, [dotted paths of sections that are not objects]).

    A section is a path that RULES uses as a prefix (e.g. "locate.lines"); anything else is a leaf.
    """
    leaves: dict[str, object] = {}
    bad_sections: list[str] = []
    for key, value in spec.items():
        path = f"{prefix}{key}"
        is_section = any(rule_path.startswith(path + ".") for rule_path in RULES)
        if is_section and not isinstance(value, dict):
            bad_sections.append(path)
        elif isinstance(value, dict) and (is_section or path not in RULES):
            nested, nested_bad = flatten(value, path + ".")
            leaves.update(nested or {path: value})  # an empty unknown object is reported as one field
            bad_sections.extend(nested_bad)
        else:
            leaves[path] = value
    return leaves, bad_sections


def spec_problems(spec: object) -> list[str]:
    """Return one sentence per bad field of the spec ([] when every field is valid)."""
    if not isinstance(spec, dict):
        return [f"the spec is {_describe(spec)}, expected a JSON object"]
    leaves, bad_sections = flatten(spec)
    problems = [
        f"{path} is {_describe(_lookup(spec, path))}, expected a section (a JSON object)" for path in bad_sections
    ]
    missing_sections: set[str] = set()
    valid: dict[str, object] = {}
    for path, rule in RULES.items():
        if any(path.startswith(section + ".") for section in bad_sections):
            continue
        if path not in leaves:
            section = _missing_section(spec, path)
            if section is None:
                problems.append(f"{path} is missing")
            elif section not in missing_sections:
                missing_sections.add(section)
                problems.append(f"section {section} is missing")
            continue
        problem = field_problem(leaves[path], rule)
        if problem:
            problems.append(f"{path} {problem}")
        else:
            valid[path] = leaves[path]
    for path in leaves:
        if path not in RULES:
            problems.append(f"{path} is not a known field (a new field needs its rule in training/spec_check.py)")
    for fields, sentence, holds in RELATIONS:
        if all(field in valid for field in fields) and not holds(*(valid[field] for field in fields)):
            values = ", ".join(f"{field} = {_describe(valid[field])}" for field in fields)
            problems.append(f"{sentence} ({values})")
    return problems


def check_spec(spec: object, source: str | Path = "preprocess_spec.json") -> dict:
    """Return the spec unchanged when every field is valid; else raise SpecError listing every bad field."""
    problems = spec_problems(spec)
    if problems:
        count = f"{len(problems)} bad field" + ("s" if len(problems) > 1 else "")
        raise SpecError(f"{source}: {count}: " + "; ".join(problems))
    return cast(dict, spec)


def load_checked_spec(path: str | Path | None = None) -> dict:
    """Return the spec in the JSON file at path (default SPEC_PATH), checked; SpecError when it is unreadable or bad."""
    path = Path(path or SPEC_PATH)
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: the preprocessing spec does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SpecError(f"{path}: cannot read the preprocessing spec ({error})") from None
    return check_spec(spec, path)


def _lookup(spec: dict, path: str) -> object:
    """Return the value at a dotted path of the spec."""
    value: object = spec
    for key in path.split("."):
        value = value[key]  # type: ignore[index]
    return value


def _missing_section(spec: dict, path: str) -> str | None:
    """Return the outermost missing section on a field's path, or None when only the field itself is missing."""
    keys = path.split(".")
    node: object = spec
    for depth, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            return ".".join(keys[: depth + 1])
        node = node[key]
    return None
