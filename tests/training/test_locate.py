"""training.locate: the digits are found where a person wrote them, and only there.

Pictures are drawn here with Pillow (strokes as a pen would make them), so each test shows one
behaviour; tests/browser/test_preprocess_twins.py proves locate.js decides the same on these and on
real pictures.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from build import scenes
from tests import pictures
from training import data, locate, predict, preprocess

SPEC = preprocess.load_spec()
INK = (20, 30, 90)
PAPER = (236, 233, 222)
DESK = (92, 60, 38)


def canvas(width: int = 800, height: int = 600, colour: tuple[int, int, int] = PAPER) -> Image.Image:
    return Image.new("RGB", (width, height), colour)


def draw_strokes(image: Image.Image, strokes: list[list[tuple[float, float]]], width: int = 7) -> Image.Image:
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=INK, width=width, joint="curve")
    return image


def seven(x: float, y: float, size: float) -> list[list[tuple[float, float]]]:
    """A 7 whose box is (x, y, 0.6 size, size)."""
    return [[(x, y), (x + 0.6 * size, y), (x + 0.2 * size, y + size)]]


def one(x: float, y: float, size: float) -> list[list[tuple[float, float]]]:
    return [[(x + 0.1 * size, y + 0.15 * size), (x + 0.2 * size, y), (x + 0.2 * size, y + size)]]


def four_in_two_strokes(x: float, y: float, size: float) -> list[list[tuple[float, float]]]:
    """A 4 as many write it: an open angle, then a separate, longer down stroke right of it."""
    return [
        [(x + 0.3 * size, y), (x, y + 0.6 * size), (x + 0.45 * size, y + 0.6 * size)],
        [(x + 0.52 * size, y + 0.1 * size), (x + 0.52 * size, y + size)],
    ]


def rgba(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGBA"))


def located_boxes(image: Image.Image) -> list[tuple[int, int, int, int]]:
    prepared = preprocess.preprocess(rgba(image), SPEC)
    assert prepared.reason is None, prepared.reason
    return [digit.box for digit in prepared.digits]


def one_digit_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """The box of the one digit the preprocessing finds in an RGBA picture (tests/pictures.py's)."""
    prepared = preprocess.preprocess(image, SPEC)
    assert prepared.reason is None, prepared.reason
    (digit,) = prepared.digits
    return digit.box


def inside(box: tuple[int, int, int, int], expected: tuple[float, float, float, float], slack: float = 12) -> bool:
    """Whether a found box (x, y, w, h) matches the drawn one to within `slack` pixels on every side."""
    x, y, width, height = box
    ex, ey, ew, eh = expected
    return (
        abs(x - ex) <= slack
        and abs(y - ey) <= slack
        and abs(x + width - ex - ew) <= slack
        and abs(y + height - ey - eh) <= slack
    )


def sheet_on_desk(strokes: list[list[tuple[float, float]]] = ()) -> Image.Image:
    """A pale sheet lying slightly turned on a dark desk, lit from one side, with what is written on it."""
    image = canvas(colour=DESK)
    sheet = canvas(520, 420)
    draw_strokes(sheet, [[(x - 140, y - 90) for x, y in stroke] for stroke in strokes])
    sheet = sheet.rotate(4, expand=True, fillcolor=DESK)
    image.paste(sheet, (140, 90 - 18))
    light = np.linspace(0.75, 1.05, image.width, dtype=np.float32)[None, :, None]
    shaded = np.clip(np.asarray(image, dtype=np.float32) * light, 0, 255).astype(np.uint8)
    return Image.fromarray(shaded).filter(ImageFilter.GaussianBlur(1))


def test_a_digit_on_a_sheet_on_a_desk_is_found_on_the_sheet():
    image = sheet_on_desk(seven(380, 250, 90))
    boxes = located_boxes(image)
    assert len(boxes) == 1
    x, y, width, height = boxes[0]
    # The whole sheet is ~520x420; the digit ~60x90 near its middle (the sheet is turned a little).
    assert 330 < x < 430
    assert 210 < y < 300
    assert width < 120
    assert height < 130


def lit_sheet_with_a_seven(
    desk: tuple[int, int, int], sheet_box: tuple[int, int, int, int], seven_box: tuple[int, int, int], light
) -> Image.Image:
    """A plain sheet (x, y, width, height) on an 800x600 desk with a 7 (x, y, size) written on it, lit by
    `light(rows, columns)`: float32 [600,800] factors."""
    image = canvas(colour=desk)
    x, y, width, height = sheet_box
    sheet = canvas(width, height)
    draw_strokes(sheet, [[(px - x, py - y) for px, py in stroke] for stroke in seven(*seven_box)])
    image.paste(sheet, (x, y))
    rows, columns = np.mgrid[0:600, 0:800].astype(np.float32)
    shaded = np.clip(np.asarray(image, np.float32) * light(rows, columns)[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(shaded).filter(ImageFilter.GaussianBlur(1))


def test_a_soft_shadow_across_the_sheet_does_not_carry_the_desk_to_the_digit():
    # The shadow's edge runs from the sheet's top edge down past the digit: its cells disagree with the
    # paper as the desk's do, but it reaches the picture's edge only through the sheet's edge.
    def light(rows, columns):
        return 0.72 + 0.28 / (1 + np.exp((columns - 300 - 0.25 * (rows - 300)) / 25))

    (box,) = located_boxes(lit_sheet_with_a_seven((20, 22, 24), (120, 40, 440, 520), (200, 210, 80), light))
    assert inside(box, (200, 210, 48, 80))


def test_light_falling_off_across_the_sheet_is_a_ramp_not_the_desk():
    # Lit from one corner, the sheet darkens to a third across it: the lightest cell near the digit is far
    # lighter than the median there, as at the sheet's edge, but the median lies midway, not at the desk.
    def light(rows, columns):
        return np.clip(1.0 - 0.0017 * (columns + rows - 500), 0.35, 1.0)

    (box,) = located_boxes(lit_sheet_with_a_seven((60, 62, 66), (120, 70, 560, 460), (420, 250, 80), light))
    assert inside(box, (420, 250, 48, 80))


def test_a_blank_sheet_on_a_desk_holds_no_digit():
    prepared = preprocess.preprocess(rgba(sheet_on_desk()), SPEC)
    assert prepared.digits == ()
    assert "no digit found" in prepared.reason


def test_the_sheet_stays_paper_when_the_desk_beyond_it_is_taken_out():
    # Far from the sheet the desk agrees with itself, so only its cells by the sheet's edge are found as desk;
    # the rest is a region reaching the picture's edge, far darker than the sheet, taken out as desk too
    # (blank picture streak_on_the_desk_beside_the_sheet). The sheet and the 7 on it stay.
    def even(rows, columns):
        return np.ones_like(rows)

    image = lit_sheet_with_a_seven((150, 104, 64), (380, 70, 380, 460), (520, 250, 70), even)
    ImageDraw.Draw(image).line([(160, 230), (163, 370)], fill=(70, 44, 28), width=6)
    (box,) = located_boxes(image.filter(ImageFilter.GaussianBlur(1)))
    assert inside(box, (520, 250, 42, 70))


def test_the_desk_beyond_the_sheet_is_judged_against_the_sheet_not_a_speck_of_light():
    # Cells: a desk column (True) splits a darker region reaching the edge (the desk) from the sheet; one
    # light cell walled off in the desk (a cup's highlight) is too small to be the sheet.
    desk = np.zeros((10, 10), dtype=bool)
    desk[:, 4] = True
    levels = np.full((10, 10), 140, dtype=np.float32)
    levels[:, 5:] = 220
    desk[0:3, 0:3] = True
    desk[1, 1] = False
    levels[1, 1] = 250
    beyond = locate.desk_beyond_the_sheet(desk, levels, True, SPEC)
    assert beyond[5:, :4].all()
    assert not beyond[:, 5:].any()
    assert not beyond[1, 1]  # walled off, reaching no edge
    # With light ink on a dark board the board is the darkest sizeable region, and what is lighter is desk.
    beyond = locate.desk_beyond_the_sheet(desk, levels, False, SPEC)
    assert beyond[:, 5:].all()
    assert not beyond[:, :4].any()


@pytest.mark.parametrize("wide", [4, 12, 20])
def test_a_sliver_of_the_desk_at_the_pictures_edge_is_not_a_digit(wide):
    # The sheet runs out of the picture but for a thin wedge of desk along part of one edge, too short
    # for a sheet's edge and too thin for the desk's region: still no digit.
    image = canvas()
    ImageDraw.Draw(image).polygon([(0, 420), (wide, 600), (0, 600)], fill=DESK)
    prepared = preprocess.preprocess(rgba(image.filter(ImageFilter.GaussianBlur(1))), SPEC)
    assert prepared.digits == ()
    assert "no digit found" in prepared.reason


def unevenly_lit_page(strokes: list[list[tuple[float, float]]], width: int) -> Image.Image:
    """A digit in a bold marker filling most of a page lit from one corner, with the paper's grain."""
    image = draw_strokes(canvas(600, 600), strokes, width)
    rows, columns = np.mgrid[0:600, 0:600].astype(np.float32)
    light = 1.0 - 0.3 * (rows + columns) / 1200
    grain = np.random.default_rng(0).normal(0, 12, (600, 600, 1)).astype(np.float32)
    shaded = np.clip(np.asarray(image, np.float32) * light[..., None] + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(shaded).filter(ImageFilter.GaussianBlur(1))


@pytest.mark.parametrize(
    ("strokes", "stroke", "expected"),
    [
        (seven(80, 90, 420), 90, (80, 45, 300, 485)),
        (
            [[(300 + 150 * np.cos(t), 300 + 200 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 60)]],
            60,
            (120, 70, 360, 460),
        ),
    ],
    ids=["seven", "zero"],
)
def test_a_bold_digit_filling_an_unevenly_lit_page_is_ink_not_desk(strokes, stroke, expected):
    # Its strokes are wider than the window that finds the paper, and it spans most of the picture as
    # the desk around a sheet does; but what it encloses is its own ink or paper like the border's, and
    # the paper's grain at the stroke's edges is no light ink.
    (box,) = located_boxes(unevenly_lit_page(strokes, stroke))
    assert inside(box, expected, slack=30)


def test_ruled_lines_crossing_the_digit_are_not_part_of_it():
    image = canvas()
    draw = ImageDraw.Draw(image)
    for y in range(40, 600, 48):
        draw.line([(0, y), (800, y)], fill=(150, 170, 210), width=2)
    draw_strokes(image, seven(350, 230, 120))
    (box,) = located_boxes(image)
    assert inside(box, (350, 230, 72, 120), slack=16)


def test_a_stray_dot_and_a_pen_mark_elsewhere_decide_nothing():
    image = draw_strokes(canvas(), seven(360, 220, 130))
    draw = ImageDraw.Draw(image)
    draw.ellipse([(40, 40), (52, 52)], fill=INK)
    draw.line([(650, 520), (700, 505)], fill=INK, width=4)
    (box,) = located_boxes(image)
    assert inside(box, (360, 220, 78, 130))


@pytest.mark.parametrize("dot_left", [372, 384], ids=["columns_touch", "just_beside"])
def test_a_dot_far_under_a_thin_digit_is_not_part_of_it(dot_left):
    # Side by side, the dot would pass for a cut-off part (together no wider than a digit) or for a 4's
    # second stroke (misaligned), but it lies further below the 1 than any part of a digit would.
    image = draw_strokes(canvas(), [[(300, 300), (370, 170)]], width=12)
    ImageDraw.Draw(image).ellipse([(dot_left, 450), (dot_left + 22, 472)], fill=INK)
    (box,) = located_boxes(image)
    assert inside(box, (300, 170, 70, 130))


def test_a_frame_drawn_around_the_digit_is_not_read():
    image = draw_strokes(canvas(), seven(360, 230, 110))
    ImageDraw.Draw(image).rectangle([(300, 180), (500, 400)], outline=INK, width=5)
    (box,) = located_boxes(image)
    assert inside(box, (360, 230, 66, 110))


def test_a_frame_leaves_room_around_what_it_holds():
    # A box drawn around a digit leaves paper between them; the fills of an outlined clip-art digit hug
    # its outline, and the outline is the digit's, not a frame to drop.
    outline = locate.Mark(10, 209, 10, 169, 3000, (1,))  # 200x160, hollow
    held = locate.Mark(60, 160, 50, 130, 900, (2,))
    hugging = locate.Mark(13, 120, 13, 120, 900, (3,))
    labels = np.zeros((256, 256), np.int32)  # scans: only photos' long lines look at the pixels
    assert locate.drop_stray_marks([outline, held], labels, 256, 256, True, SPEC) == [held]
    assert locate.drop_stray_marks([outline, hugging], labels, 256, 256, True, SPEC) == [outline, hugging]


def test_a_small_box_drawn_turned_with_a_bold_pen_is_not_read():
    # A quarter of the box's area is its outline: still a hollow frame around another mark.
    _, image = pictures.in_a_bold_turned_box()
    (box,) = located_boxes(Image.fromarray(image))
    assert inside(box, (368, 241, 62, 98))


def test_a_slanted_box_that_the_digit_touches_is_peeled_off():
    # A box drawn by hand around the digit, a little turned, with the 7's bar running into its side:
    # box and digit are one mark until the box's outline is taken off.
    image = draw_strokes(canvas(), [*seven(360, 230, 110), [(426, 230), (452, 230)]])
    corners = [(340, 204), (455, 208), (451, 362), (336, 358), (340, 204)]
    draw_strokes(image, [corners], width=5)
    (box,) = located_boxes(image)
    assert inside(box, (360, 230, 72, 110), slack=14)


def test_a_bold_box_by_the_sheets_edge_is_not_taken_for_the_desk():
    # The window of cells around the box's corner is mostly ink, as far from the paper as the desk, and
    # joins the sheet's edge; but no cell of the picture's border is that colour, so it is not the desk.
    _, image = pictures.boxed_by_the_sheets_edge()
    assert inside(one_digit_box(image), pictures.BOXED_TWO)


def test_the_paper_between_a_bold_digit_and_the_sheets_edge_does_not_carry_the_desk_to_it():
    # The windows of the paper between the 2 and the sheet's edge hold mostly ink and desk, so their median is
    # as far from the paper as the desk is; the cells themselves are paper.
    _, image = pictures.bold_two_by_the_sheets_edge()
    assert inside(one_digit_box(image), pictures.BOLD_TWO_BY_THE_SHEETS_EDGE)


def test_a_bold_digit_under_light_from_one_side_is_read_against_the_slope_of_the_light():
    # The strokes are wider than the cells, whose lightest neighbour is taken for the paper: the middle of a
    # stroke passes for paper or desk, and only specks are left. The border lies on a plane: that is the paper.
    _, image = pictures.bold_seven_lit_from_one_side()
    assert inside(one_digit_box(image), pictures.BOLD_SEVEN_LIT_FROM_ONE_SIDE)


def test_a_digit_whose_tip_comes_close_to_the_desk_is_kept():
    # What comes close to the desk is the sheet's edge or a shadow along it; a digit written down to the desk
    # comes close to it only at a tip (desk_touch_share of its pixels).
    _, image = pictures.seven_down_to_the_desk()
    assert inside(one_digit_box(image), pictures.SEVEN_DOWN_TO_THE_DESK)


def test_the_slope_of_the_light_is_the_plane_through_the_borders_sides():
    rows, columns = np.mgrid[0:21, 0:31]
    level = (200 - 3 * columns + 2 * rows).astype(np.float32)
    medians = np.repeat(level[..., np.newaxis], 3, axis=2)
    medians[12:15, 0] = 0  # a digit crossing the left side, near its middle
    medians[0, 3:7] = 255  # a corner of something lighter on the top side
    cells, pixels = locate.light_slope(medians, 5, 105, 155)
    assert np.abs(cells[..., 0] - level).max() <= 6  # within two cells of the light's change: the sides' medians hold
    exact, _ = locate.light_slope(np.repeat(level[..., np.newaxis], 3, axis=2), 5, 105, 155)
    assert np.allclose(exact[..., 0], level)
    _, pixels = locate.light_slope(np.repeat(level[..., np.newaxis], 3, axis=2), 5, 105, 155)
    assert np.allclose(pixels[2::5, 2::5, 0], level)  # each cell's middle pixel
    assert np.isclose(pixels[0, 1, 0] - pixels[0, 0, 0], -3 / 5, atol=1e-4)  # between the middles, the slope goes on


@pytest.mark.parametrize(("seed", "index"), pictures.DESK_BAND_SCENES)
def test_a_band_of_the_desk_along_the_sheets_edge_is_not_read_as_the_digit(mnist_dir, tmp_path, seed, index):
    # Within a cell of the sheet's edge the paper is estimated from the sheet, so the desk there, near the
    # paper's colour, is a mark; the desk beyond, estimated as its own paper, goes on around it unmarked.
    mnist = data.load_mnist(mnist_dir)
    scene = pictures.dev_scene(mnist.test_images, mnist.test_labels, seed, index)
    path = tmp_path / f"scene.{scene.extension}"
    path.write_bytes(scene.data)
    (prepared,) = predict.read_pictures([path], SPEC)
    assert not isinstance(prepared, str)
    assert prepared.reason is None
    (digit,) = prepared.digits
    assert scene.box is not None
    assert scenes.overlap(digit.box, scene.box) > 0.5


def test_a_stroke_on_paper_is_no_desk_band_and_a_band_of_the_desk_is():
    # A map of a light grey desk with a cream sheet on its right; the paper estimated as the sheet's within two
    # pixels of its edge. A dark stroke on the sheet has paper all round; the desk's band beside the edge, the
    # desk beyond it. A speck of the desk's colour on the sheet (its grain, where the desk shows) goes with it.
    image = np.empty((40, 60, 3), np.float32)
    image[:, :30] = (150, 150, 156)
    image[:, 30:] = (205, 198, 184)
    image[10:30, 45:48] = (30, 30, 60)
    image[4:7, 50:56] = (152, 151, 157)
    background = image.copy()
    background[:, 28:] = (205, 198, 184)
    marks = np.zeros((40, 60), bool)
    marks[:, 28:30] = True
    marks[10:30, 45:48] = True
    marks[4:7, 50:56] = True
    labels, components = locate.label_marks(marks)
    band, stroke, grain = sorted(components, key=lambda mark: mark.left)
    for mark, expected in ((band, True), (stroke, False), (grain, False)):
        ink, paper = locate.ink_and_paper(mark, labels, image, background, SPEC)
        assert locate.is_desk_band(mark, labels, marks, image, ink, paper, SPEC) is expected
    assert locate.off_the_desk_bands(components, labels, marks, image, background, SPEC) == [stroke]
    unlike = {**SPEC, "locate": {**SPEC["locate"], "desk_band_likeness": 0}}
    kept = locate.off_the_desk_bands(components, labels, marks, image, background, unlike)
    assert sorted(kept, key=lambda mark: mark.left) == [stroke, grain]


def test_digits_and_blobs_are_not_taken_for_boxes():
    # A 0 and an 8 leave their box's corners empty; a filled blob fills the bands along its sides.
    zero = [[(400 + 50 * np.cos(t), 300 + 80 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 60)]]
    eight = [[(400 + 35 * np.sin(2 * t), 300 + 75 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 80)]]
    for strokes in (zero, eight):
        marks = np.asarray(draw_strokes(canvas(), strokes).convert("L")) < 128
        labels, components = locate.label_marks(marks)
        assert locate.peel_frames(marks, labels, components, SPEC) is marks
    blob = np.zeros((100, 100), dtype=bool)
    blob[20:80, 30:70] = True
    labels, components = locate.label_marks(blob)
    assert locate.peel_frames(blob, labels, components, SPEC) is blob


def test_the_corner_of_a_cells_frame_at_the_pictures_edge_is_not_read():
    # A form's cell cut out with its frame's top line and part of its left line still at the picture's
    # edges, joined at the corner and beside the digit (not around it): the digit alone is read.
    image = canvas(300, 300, (250, 250, 250))
    ImageDraw.Draw(image).line([(296, 4), (4, 4), (4, 130)], fill=(60, 60, 60), width=5)
    (box,) = located_boxes(draw_strokes(image, seven(110, 80, 200)))
    assert inside(box, (110, 80, 120, 200))


def test_a_cells_frame_line_beside_the_digit_is_not_read_as_a_1():
    # A scanned form cell: the frame's right line runs from the picture's top edge to its bottom edge, thin
    # and straight like a 1, but half again as tall as the digit: it is the frame, and only the 7 is read.
    _, image = pictures.beside_a_cells_frame_line()
    assert inside(one_digit_box(image), pictures.SEVEN_BESIDE_A_FRAME_LINE)
    without_the_rules = {**SPEC, "locate": {**SPEC["locate"], "stray": {**SPEC["locate"]["stray"]}}}
    without_the_rules["locate"]["stray"]["frame_line_ratio"] = 1e9
    without_the_rules["locate"]["row"] = ROW_BOUNDS_BESIDE_A_LINE_AS_BESIDE_ANY_MARK
    assert len(locate.locate(image[..., :3], without_the_rules).digits) == 2  # the line and the 7


# The row's bounds (in_row) without closer ones beside a thin upright line.
ROW_BOUNDS_BESIDE_A_LINE_AS_BESIDE_ANY_MARK = {
    **SPEC["locate"]["row"],
    "line_height_ratio": SPEC["locate"]["row"]["min_height_ratio"],
    "line_row_overlap": SPEC["locate"]["row"]["min_row_overlap"],
}


def test_a_cells_side_line_standing_higher_than_the_digit_is_not_read_as_a_1():
    # A line as tall as the 4 but half above it is not the 1 of a 14, though a 7 as high would be a digit.
    _, image = pictures.beside_a_cells_side_line()
    assert inside(one_digit_box(image), pictures.FOUR_BESIDE_A_SIDE_LINE)
    without_the_rule = {**SPEC, "locate": {**SPEC["locate"], "row": ROW_BOUNDS_BESIDE_A_LINE_AS_BESIDE_ANY_MARK}}
    assert len(locate.locate(image[..., :3].astype(np.float32), without_the_rule).digits) == 2


def test_a_thin_upright_line_must_stand_on_the_digits_line_and_be_as_tall_to_join_its_number():
    anchor = locate.Mark(top=100, bottom=199, left=200, right=269, area=2000, labels=(1,))  # a digit 100 tall
    one = locate.Mark(top=102, bottom=201, left=150, right=159, area=800, labels=(2,))  # a 1 beside it
    assert locate.in_row(one, anchor, SPEC)
    assert not locate.in_row(replace(one, top=60, bottom=159), anchor, SPEC)  # standing 40 % of it higher
    assert not locate.in_row(replace(one, top=40), anchor, SPEC)  # 160 tall: a box's side
    assert not locate.in_row(replace(one, top=140), anchor, SPEC)  # 62 tall
    seven = replace(one, top=60, bottom=159, right=209)  # as high, but a digit's width: no line
    assert locate.in_row(seven, anchor, SPEC)


def test_a_block_of_shade_on_evenly_lit_paper_sends_it_back_to_be_read_as_unevenly_lit():
    # A hard-edged shadow from the picture's edge on a sheet that fills the frame: judged evenly lit, the
    # shadow is a solid mark as big as the digit. Looked at again as unevenly lit, only the 7 is read.
    _, image = pictures.shadow_block_beside_a_seven()
    assert inside(one_digit_box(image), pictures.SEVEN_BESIDE_A_SHADOW_BLOCK)
    without_the_rule = {**SPEC, "locate": {**SPEC["locate"], "shade": {**SPEC["locate"]["shade"], "min_fill": 2}}}
    first = locate.locate(image[..., :3].astype(np.float32), without_the_rule)
    assert first.even
    shade = max(first.digits, key=lambda mark: mark.area)
    assert shade.left == 0  # the shadow, read as a mark from the picture's edge
    assert shade.width > shade.height / 2


def test_a_solid_block_is_shade_only_when_it_reaches_the_edge_and_is_no_stroke():
    mark = locate.Mark(top=10, bottom=49, left=0, right=29, area=1100, labels=(1,))  # 40x30, 92 % filled
    assert locate.is_shade(mark, 100, 100, SPEC)
    assert not locate.is_shade(replace(mark, left=1, right=30), 100, 100, SPEC)  # inside the picture
    assert not locate.is_shade(replace(mark, right=9, area=380), 100, 100, SPEC)  # a bar 10 wide: a stroke
    assert not locate.is_shade(replace(mark, area=700), 100, 100, SPEC)  # hollow: a bold digit's strokes


def test_a_bold_light_digit_filling_the_picture_is_read_as_ink_not_taken_for_a_sheet():
    # So much of the picture is lighter than its border that it passes for a sheet on a darker desk, and
    # the strokes, wider than two cells, for paper: nothing is found on it. Read as evenly lit, the 2 is.
    _, image = pictures.digit_picture("bold_light_two_filling_a_tile")
    ink_rows, ink_columns = np.nonzero(image[..., 0] > 128)
    drawn = (ink_columns.min(), ink_rows.min(), np.ptp(ink_columns) + 1, np.ptp(ink_rows) + 1)
    assert inside(one_digit_box(image), drawn, slack=4)
    every_mark_a_sheet = {**SPEC, "locate": {**SPEC["locate"], "sheet_solidity": 0}}
    assert locate.locate(image[..., :3].astype(np.float32), every_mark_a_sheet).reason == locate.ONLY_SPECKS


def test_a_blank_sheet_turned_on_a_dark_desk_is_no_digit_when_read_as_ink():
    image = pictures.blank_picture("blank_sheet_turned_on_a_dark_desk")[..., :3].astype(np.float32)
    assert not locate.locate(image, SPEC).digits
    no_mark_a_sheet = {**SPEC, "locate": {**SPEC["locate"], "sheet_solidity": 2}}
    located = locate.locate(image, no_mark_a_sheet)
    (sheet,) = located.digits  # without the test, the sheet is read as ink
    assert locate.is_sheet(sheet, located.labels, SPEC)
    assert sheet.area < 0.7 * sheet.height * sheet.width  # turned: far from filling its box


def test_a_digit_cut_out_of_a_block_of_ink_is_read_inside_it():
    # The red disc is the one mark on the white paper, the 4 a hole in it: looked inside, the 4 is found.
    _, image = pictures.digit_picture("four_cut_out_of_a_red_disc")
    assert inside(one_digit_box(image), pictures.FOUR_IN_A_DISC)
    never_a_block = {**SPEC, "locate": {**SPEC["locate"], "block_density": 2}}
    (disc,) = preprocess.preprocess(image, never_a_block).digits
    assert inside(disc.box, (60, 40, 280, 320))


def test_a_bold_zero_is_not_read_by_its_counter(monkeypatch):
    # A bold 0 is as solid as a block of ink, and inside it its counter is found; but the counter is convex, as
    # no digit cut out of a block is: the 0 itself is read.
    zero = Image.fromarray(np.full((300, 300, 3), 250, np.uint8))
    ImageDraw.Draw(zero).rounded_rectangle((70, 30, 230, 270), radius=20, outline=(20, 20, 30), width=65)
    rgb = np.asarray(zero, np.float32)
    located = locate.locate(rgb, SPEC)
    (digit,) = located.digits
    assert locate.is_block(digit, located.labels, SPEC)
    assert (digit.top * located.factor, digit.height * located.factor) == (30, 240)  # the 0
    monkeypatch.setattr(locate, "is_sheet", lambda *arguments: False)  # nothing convex
    located = locate.locate(rgb, SPEC)
    (counter,) = located.digits
    assert counter.height * located.factor < 120


def test_a_sheet_fills_its_convex_hull_and_a_bold_digit_does_not():
    assert locate.twice_hull_area([(0, 0, 3), (1, 0, 3)]) == 2 * 6  # a 3x2 box
    assert locate.twice_hull_area([(0, 0, 3), (1, 1, 2)]) == 2 * 5  # the box without its two lower corners
    assert locate.twice_hull_area([(0, 0, 1), (3, 3, 4)]) == 2 * 7  # two pixels: a slanted band between them
    rows, columns = np.mgrid[0:41, 0:41]
    turned_square = np.abs(rows - 20) + np.abs(columns - 20) <= 20  # a square turned 45 degrees
    ring = turned_square & (np.abs(rows - 20) + np.abs(columns - 20) > 12)
    for shape, is_sheet in ((turned_square, True), (ring, False)):
        labels = shape.astype(np.int32)
        mark = locate.Mark(top=0, bottom=40, left=0, right=40, area=int(shape.sum()), labels=(1,))
        assert locate.is_sheet(mark, labels, SPEC) == is_sheet


def test_a_sheets_outline_around_the_digit_is_dropped_before_the_lines_cut_it():
    # The band of shadow along a sheet's edge rings the digit. Left in, the lines step takes its thin sides
    # and leaves the thick corner, a mark bigger than the digit.
    _, image = pictures.four_inside_a_sheets_outline()
    assert inside(one_digit_box(image), pictures.FOUR_INSIDE_A_SHEETS_OUTLINE)
    kept = {**SPEC, "locate": {**SPEC["locate"], "stray": {**SPEC["locate"]["stray"], "outline_span": 1}}}
    (digit,) = preprocess.preprocess(image, kept).digits
    assert digit.box[:2] == (120, 80)  # the corner


def test_an_outline_is_a_hollow_ring_spanning_the_map_around_something():
    marks = np.zeros((40, 60), dtype=bool)
    marks[4, 5:55] = marks[35, 5:55] = marks[4:36, 5] = marks[4:36, 54] = True  # a ring spanning the map
    marks[15:25, 28:31] = True  # a mark inside it
    dropped = locate.drop_outlines(marks, SPEC)
    assert not dropped[4].any()
    assert dropped[15:25, 28:31].all()
    alone = marks.copy()
    alone[15:25, 28:31] = False  # a 0 filling the picture holds nothing
    assert np.array_equal(locate.drop_outlines(alone, SPEC), alone)
    small = np.zeros((80, 120), dtype=bool)
    small[:40, :60] = marks  # a box drawn around the digit, not half the map
    assert np.array_equal(locate.drop_outlines(small, SPEC), small)


def test_run_lengths_join_the_dashes_of_a_line_but_not_a_stroke_crossing_it():
    row = np.zeros((1, 60), dtype=bool)
    row[0, 0:10] = row[0, 18:28] = True  # two dashes 8 apart
    row[0, 36:38] = True  # a stroke crossing, 8 further
    lengths = locate.run_lengths(row, bridge=2, dash_gap=8, min_dash=5)
    assert set(lengths[0, 0:28][row[0, 0:28]]) == {28}
    assert set(lengths[0, 36:38]) == {2}
    assert set(locate.run_lengths(row, bridge=2)[0, 0:10]) == {10}  # without dashes, each run is its own


def test_run_lengths_join_dashes_across_the_specks_between_them():
    # A line a photo broke up: dashes with a speck in a gap, and a dash made of bits a bridge apart.
    row = np.zeros((1, 60), dtype=bool)
    row[0, 0:10] = True
    row[0, 13:15] = True  # a speck between two dashes 8 apart
    row[0, 18:22] = row[0, 24:28] = True  # bits 2 apart: one dash of 10
    row[0, 40:50] = True  # a dash 12 further: too far
    lengths = locate.run_lengths(row, bridge=2, dash_gap=8, min_dash=5)
    assert set(lengths[0, 0:28][row[0, 0:28]]) == {28}
    assert set(lengths[0, 40:50]) == {10}
    assert not lengths[0][~row[0]].any()  # unmarked pixels get no length


def test_a_thin_slanted_stroke_crossing_ruled_lines_stays_whole():
    # A thin pen's 7 on ruled paper in a photo: its slanted stroke is as thin across each line as the line,
    # so the lines' pixels where it crosses them stay, and its bar a few rows from a line stays too: the 7 is
    # read whole, not as its pieces.
    _, image = pictures.thin_seven_across_ruled_lines()
    assert inside(one_digit_box(image), pictures.THIN_SEVEN_ACROSS_RULED_LINES)
    ruled = np.zeros((40, 40), dtype=bool)
    ruled[19:21, :] = True  # a line two pixels thick
    kept = np.zeros_like(ruled)
    kept[10:19, 10] = kept[21:30, 11] = True  # a stroke crossing it (a column aside)
    kept[10:19, 30] = True  # a stroke ending on it
    crossed = locate.crossings(ruled, kept)
    assert crossed[19:21, 10:12].any()
    assert not crossed[:, 25:].any()
    assert crossed.sum() <= 8  # only around the crossing


def test_a_scanned_cells_thick_dashed_frame_is_not_part_of_the_digit():
    # The frame's lines are broken into dashes and thicker than a ruled line, and the 4 touches none of
    # them: only the 4 is read. Neither bridging the dashes nor a line's own thickness, and the frame stays.
    _, image = pictures.in_a_scanned_cells_dashed_frame()
    assert inside(one_digit_box(image), pictures.FOUR_IN_A_DASHED_CELL, slack=6)
    lines = SPEC["locate"]["lines"]
    for change in ({"dash_gap_fraction": 0}, {"max_line_thickness_fraction": lines["max_thickness_fraction"]}):
        spec = {**SPEC, "locate": {**SPEC["locate"], "lines": {**lines, **change}}}
        assert not any(
            inside(digit.box, pictures.FOUR_IN_A_DASHED_CELL, slack=6)
            for digit in preprocess.preprocess(image, spec).digits
        )


def test_a_bold_digits_long_straight_stroke_is_not_a_line():
    # A bold 1 and a 7 as tall as a thick frame's cell, the frame's lines run from edge to edge: the lines'
    # thickness allows for the strokes, but they stop short of the edges, so the digits are read whole.
    image = canvas(200, 200, (246, 246, 242))
    draw = ImageDraw.Draw(image)
    for at in (8, 192):
        draw.line([(0, at), (200, at)], fill=(40, 40, 40), width=9)
        draw.line([(at, 0), (at, 200)], fill=(40, 40, 40), width=9)
    boxes = located_boxes(draw_strokes(image, [*one(30, 30, 140), *seven(90, 30, 140)], width=9))
    assert [box[3] for box in boxes] == [pytest.approx(150, abs=12)] * 2


def test_a_photos_long_thin_line_is_read_only_when_it_is_the_one_mark_away_from_the_edges():
    # On unevenly lit paper a line half the picture long is a sheet's edge, a fold or a cable; a bold 1 is as
    # long and thin, and is read when it stands alone away from the picture's edges.
    _, image = pictures.bold_one_on_shaded_paper()
    (box,) = located_boxes(Image.fromarray(image))
    assert inside(box, (68, 41, 19, 110), slack=4)
    # The same stroke reaching the picture's edge, or beside another mark, is a line and is dropped.
    labels, (digit, mark) = locate.label_marks(slanting_stroke(42) | digit_block())  # in raster order
    assert locate.is_long_line(mark, labels, 190, 210, SPEC)
    assert locate.drop_stray_marks([mark], labels, 190, 210, False, SPEC) == [mark]
    assert locate.drop_stray_marks([mark, digit], labels, 190, 210, False, SPEC) == [digit]
    labels, (at_the_edge,) = locate.label_marks(slanting_stroke(0))
    assert locate.drop_stray_marks([at_the_edge], labels, 190, 210, False, SPEC) == []


def slanting_stroke(top: int) -> np.ndarray:
    """A map 190x210 with a 9 px stroke 109 rows long, slanting right by 10 px: a line, or a bold 1."""
    mask = np.zeros((190, 210), bool)
    for row in range(top, top + 109):
        left = 68 + (row - top) * 10 // 108
        mask[row, left : left + 9] = True
    return mask


def digit_block() -> np.ndarray:
    mask = np.zeros((190, 210), bool)
    mask[40:81, 130:150] = True
    return mask


def test_a_big_digit_written_with_a_thin_pen_is_not_a_photos_long_line():
    # A 6 filling most of an unevenly lit photo is as long and holds as few pixels as a line: but its loop comes
    # back across it, and a row meets it twice with paper between. Beside another mark it is kept.
    ring = np.zeros((190, 210), bool)
    rows, columns = np.mgrid[0:190, 0:210]
    distance = np.hypot((rows - 110) / 70, (columns - 70) / 40)
    ring[(distance >= 0.95) & (distance <= 1.0)] = True
    labels, (six, digit) = locate.label_marks(ring | digit_block())  # in raster order
    assert six.area <= SPEC["locate"]["stray"]["long_line_thickness"] * 210 * six.height  # thin enough for a line
    assert not locate.is_long_line(six, labels, 190, 210, SPEC)
    assert locate.drop_stray_marks([six, digit], labels, 190, 210, False, SPEC) == [six, digit]


def test_an_underline_touching_the_digit_is_not_read_with_it():
    _, image = pictures.underlined_touching_it()
    assert inside(one_digit_box(image), pictures.SEVEN_ABOVE_ITS_UNDERLINE, slack=6)
    without = {**SPEC, "locate": {**SPEC["locate"], "underline": {**SPEC["locate"]["underline"], "min_span": 2}}}
    (digit,) = preprocess.preprocess(image, without).digits
    assert digit.box[3] > pictures.SEVEN_ABOVE_ITS_UNDERLINE[3]
    assert digit.box[2] > 150


def test_an_underline_reaching_past_the_digit_on_the_left_only_is_not_read_with_it():
    _, image = pictures.underlined_out_to_the_left()
    assert inside(one_digit_box(image), pictures.SEVEN_ABOVE_ITS_UNDERLINE, slack=6)
    both_sides = {
        **SPEC,
        "locate": {**SPEC["locate"], "underline": {**SPEC["locate"]["underline"], "min_overhang_right": 0.15}},
    }
    (digit,) = preprocess.preprocess(image, both_sides).digits
    assert digit.box[2] > 120  # the 7 and the line


# Underlines looked for level only, as before they were looked for sloping.
LEVEL_UNDERLINES_ONLY = {
    **SPEC,
    "locate": {**SPEC["locate"], "underline": {**SPEC["locate"]["underline"], "max_slope": 0}},
}


def test_a_sloping_underline_touching_the_digit_is_not_read_with_it():
    # A sheet turned on the desk: the underline slopes, and only a sheared view of the mark shows it level.
    _, image = pictures.sloping_underline_touching_it()
    assert inside(one_digit_box(image), pictures.SEVEN_ABOVE_A_SLOPING_UNDERLINE, slack=6)
    (digit,) = preprocess.preprocess(image, LEVEL_UNDERLINES_ONLY).digits
    assert digit.box[2] > 150


def test_a_sloping_underline_below_the_digit_is_not_its_part():
    # Apart from the 7 and steeper than a level line's box allows (its box is 2.3 times as wide as tall),
    # but one line: sheared to its slope it is as flat as a level underline.
    _, image = pictures.sloping_underline_below_it()
    assert inside(one_digit_box(image), pictures.SEVEN_ABOVE_ITS_SLOPING_LINE, slack=6)
    (digit,) = preprocess.preprocess(image, LEVEL_UNDERLINES_ONLY).digits
    assert digit.box[2] > 150


def test_the_ink_is_measured_from_the_paper_around_the_digit():
    # A bold box close around the 4 fills the edges of the crop it is read from; the paper's colour comes
    # from the crop away from the 4's own strokes, so the box changes the reading no more than noise does.
    _, boxed = pictures.in_a_bold_box_close_around_it()
    plain = pictures.draw_digit((500, 420), "4", (200, 130, 300, 270), (20, 20, 30), 12, (232, 226, 236))
    unboxed = preprocess.preprocess(pictures.to_rgba(np.asarray(plain, dtype=np.float64)), SPEC).digits[0].input
    (digit,) = preprocess.preprocess(boxed, SPEC).digits
    assert np.abs(digit.input - unboxed).mean() < 0.03
    # Measured from the crop's edges instead (the box's ink), the 4 comes out bloated.
    edges_only = {**SPEC, "locate": {**SPEC["locate"], "min_paper_fraction": 1.0}}
    (bloated,) = preprocess.preprocess(boxed, edges_only).digits
    assert np.abs(bloated.input - unboxed).mean() > 0.06


def test_a_2s_flat_base_is_kept():
    # As flat and as low as an underline, but it starts where the 2's stroke comes down: it reaches past
    # the rest of the 2 on one side only.
    marks = np.zeros((60, 60), dtype=bool)
    marks[10:13, 10:40] = True  # the top
    marks[10:50, 38:41] = True  # down the right
    for row in range(12, 50):  # the diagonal down to the base's left end
        marks[row, 38 - (row - 12) * 28 // 38 : 41 - (row - 12) * 28 // 38] = True
    marks[48:51, 10:50] = True  # the base, reaching past on the right only
    labels, components = locate.label_marks(marks)
    assert locate.peel_underlines(marks, labels, components, SPEC) is marks


def test_a_1_cropped_as_tight_as_the_digit_beside_it_is_kept():
    # "17" cropped tight: the 1 runs from edge to edge, but so does the 7, so both are read.
    image = draw_strokes(canvas(280, 200), [*one(30, 4, 192), *seven(120, 4, 192)], width=9)
    assert len(located_boxes(image)) == 2


def test_a_thin_digit_cropped_tight_is_still_read():
    # As sparse in its box as a frame's corner, but it touches all four edges of the picture.
    image = draw_strokes(canvas(200, 300, (250, 250, 250)), [[(2, 3), (197, 3), (60, 297)]], width=5)
    (box,) = located_boxes(image)
    assert inside(box, (0, 0, 200, 300), slack=8)


def test_a_flat_mark_bigger_than_the_digit_is_not_taken_for_it():
    # A dash of shadow along the top of the sheet holds more ink than the small 7 written in the middle,
    # but no digit is four times as wide as it is tall.
    image = canvas()
    ImageDraw.Draw(image).rectangle([300, 60, 439, 94], fill=(120, 118, 112))
    (box,) = located_boxes(draw_strokes(image, seven(360, 260, 110)))
    assert inside(box, (360, 260, 66, 110))


def test_a_line_under_the_digit_is_not_part_of_it():
    image = draw_strokes(canvas(), [*seven(360, 200, 120), [(330, 350), (470, 350)]])
    (box,) = located_boxes(image)
    assert inside(box, (360, 200, 72, 120))


def test_a_four_written_in_two_strokes_is_one_digit():
    image = draw_strokes(canvas(), four_in_two_strokes(340, 200, 140))
    (box,) = located_boxes(image)
    assert inside(box, (340, 200, 0.52 * 140, 140))


def test_digits_side_by_side_are_a_number_left_to_right():
    image = draw_strokes(canvas(), seven(420, 220, 120) + one(250, 220, 120))
    boxes = located_boxes(image)
    assert len(boxes) == 2
    assert boxes[0][0] < 300 < 420 <= boxes[1][0] + 12


def test_more_than_four_marks_in_a_row_are_refused():
    strokes = [stroke for index in range(5) for stroke in seven(80 + index * 130, 240, 100)]
    prepared = preprocess.preprocess(rgba(draw_strokes(canvas(), strokes)), SPEC)
    assert prepared.digits == ()
    assert prepared.reason == locate.TOO_MANY


def test_a_persons_box_reads_only_that_part_and_boxes_stay_in_picture_pixels():
    # Far apart, the bigger mark is the digit; a person's box picks the other.
    image = draw_strokes(canvas(), seven(120, 200, 120) + one(560, 200, 120))
    (whole,) = located_boxes(image)
    assert inside(whole, (120, 200, 72, 120))
    prepared = preprocess.preprocess(rgba(image), SPEC, box=(500, 150, 200, 250))
    (digit,) = prepared.digits
    assert inside(digit.box, (572, 200, 12, 120), slack=16)


def test_a_small_digit_in_a_big_photo_is_read_from_the_fine_pixels():
    # 8 % of the short side of a 1024 px decode: on the 256 px map it would be 15 px tall.
    image = draw_strokes(canvas(1024, 768), seven(500, 350, 62), width=6)
    prepared = preprocess.preprocess(rgba(image), SPEC)
    (digit,) = prepared.digits
    assert digit.input.max() == pytest.approx(1.0)
    rows = np.flatnonzero(digit.input.max(axis=1) > 0.2)
    assert rows[-1] - rows[0] >= 18  # fills MNIST's 20 px box
