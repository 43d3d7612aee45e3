"""Pictures of digits made by the tests (numpy + Pillow), standing in for the kinds of uploads people make."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from build import scenes

# Digits as polylines in a unit box (x right, y down): simple, font-free and deterministic.
STROKES = {
    "1": [[(0.3, 0.2), (0.55, 0.0), (0.55, 1.0)]],
    "2": [[(0.05, 0.25), (0.25, 0.03), (0.6, 0.0), (0.9, 0.2), (0.85, 0.45), (0.05, 1.0), (0.95, 1.0)]],
    "4": [[(0.7, 1.0), (0.7, 0.0), (0.0, 0.7), (1.0, 0.7)]],
    "7": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
}


def draw_digit(
    size: tuple[int, int],
    digit: str,
    box: tuple[float, float, float, float],
    ink: tuple[int, ...],
    stroke: int,
    background: tuple[int, ...],
    mode: str = "RGB",
) -> Image.Image:
    """Return a picture of `digit` drawn as strokes inside box (left, top, right, bottom) in pixels."""
    image = Image.new(mode, size, background)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = box
    for line in STROKES[digit]:
        points = [(left + x * (right - left), top + y * (bottom - top)) for x, y in line]
        draw.line(points, fill=ink, width=stroke, joint="curve")
    return image


def paper_texture(size: tuple[int, int], colour: tuple[int, int, int], noise: float, seed: int) -> np.ndarray:
    """Return float RGB [H,W,3]: a paper colour with per-pixel grain."""
    width, height = size
    rng = np.random.default_rng(seed)
    grain = rng.normal(0, noise, (height, width, 1))
    return np.array(colour, dtype=np.float64)[None, None, :] + grain


def ink_over(paper: np.ndarray, mask: Image.Image, ink: tuple[int, int, int]) -> np.ndarray:
    """Return RGBA uint8: ink laid over the paper where the grey mask is white."""
    alpha = np.asarray(mask.convert("L"), dtype=np.float64)[..., None] / 255
    rgb = paper * (1 - alpha) + np.array(ink, dtype=np.float64) * alpha
    return to_rgba(rgb)


def to_rgba(rgb: np.ndarray) -> np.ndarray:
    """Return RGBA uint8 [H,W,4], opaque, from float RGB."""
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    alpha = np.full((*rgb.shape[:2], 1), 255, dtype=np.uint8)
    return np.concatenate([rgb, alpha], axis=2)


def mask(size: tuple[int, int], digit: str, box: tuple[float, float, float, float], stroke: int) -> Image.Image:
    """Return an L mask of the digit's strokes."""
    return draw_digit(size, digit, box, (255,), stroke, (0,), mode="L")


def written_on(
    paper: np.ndarray, digit: str, box: tuple[float, float, float, float], stroke: int, ink: tuple[int, int, int]
) -> tuple[str, np.ndarray]:
    """Return (digit, RGBA uint8 [H,W,4]): `digit` written on the paper (float RGB [H,W,3]) in ink, with a pen
    `stroke` pixels wide, inside box (left, top, right, bottom) in pixels."""
    height, width = paper.shape[:2]
    return digit, ink_over(paper, mask((width, height), digit, box, stroke), ink)


# {name: function returning (digit, RGBA uint8 [H,W,4])}: pictures that show one digit, each drawn only when
# asked for, so a test module can parametrize over the names without drawing anything at import.
DIGIT_PICTURES: dict[str, Callable[[], tuple[str, np.ndarray]]] = {}
# {name: function returning RGBA uint8 [H,W,4]}: pictures with no digit in them, likewise.
BLANK_PICTURES: dict[str, Callable[[], np.ndarray]] = {}


def _digit_picture(function: Callable[[], tuple[str, np.ndarray]]) -> Callable[[], tuple[str, np.ndarray]]:
    DIGIT_PICTURES[function.__name__] = function
    return function


def _blank_picture(function: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    BLANK_PICTURES[function.__name__] = function
    return function


@_digit_picture
def transparent_png() -> tuple[str, np.ndarray]:
    return "7", np.asarray(draw_digit((300, 400), "7", (60, 60, 240, 340), (0, 0, 0, 255), 30, (0, 0, 0, 0), "RGBA"))


@_digit_picture
def white_on_transparent() -> tuple[str, np.ndarray]:
    box = (60, 60, 240, 340)
    return "1", np.asarray(draw_digit((300, 400), "1", box, (255, 255, 255, 255), 30, (255, 255, 255, 0), "RGBA"))


class PlainPaper(NamedTuple):
    """A picture of a digit written on paper of one colour with a per-pixel grain: called, it returns (digit,
    RGBA uint8 [H,W,4])."""

    size: tuple[int, int]  # the paper's (width, height) in pixels
    colour: tuple[int, int, int]  # the paper's RGB
    grain: float  # the standard deviation of the paper's per-pixel noise
    seed: int  # the noise's
    digit: str
    box: tuple[int, int, int, int]  # where the digit is written, (left, top, right, bottom)
    stroke: int  # the pen's width in pixels
    ink: tuple[int, int, int]

    def __call__(self) -> tuple[str, np.ndarray]:
        paper = paper_texture(self.size, self.colour, self.grain, self.seed)
        return written_on(paper, self.digit, self.box, self.stroke, self.ink)


DIGIT_PICTURES.update(
    light_on_dark=PlainPaper((400, 400), (25, 30, 35), 4, 1, "2", (90, 70, 310, 330), 28, (235, 235, 225)),
    blue_on_brown=PlainPaper((640, 480), (160, 125, 90), 8, 2, "4", (230, 90, 420, 400), 12, (35, 40, 110)),
    thin_strokes_big_photo=PlainPaper(
        (3000, 2000), (235, 232, 225), 6, 5, "7", (1100, 400, 1900, 1600), 3, (30, 30, 40)
    ),
    small_in_corner=PlainPaper((600, 400), (245, 245, 245), 2, 6, "4", (30, 25, 60, 70), 4, (10, 10, 10)),
    # A white 2 on a blue tile, strokes wider than two of the cells that tell paper from ink: so much of the
    # picture is lighter than its border that it passes for a sheet on a darker desk.
    bold_light_two_filling_a_tile=PlainPaper(
        (400, 400), (25, 45, 120), 3, 17, "2", (70, 50, 330, 350), 64, (245, 245, 240)
    ),
)


@_digit_picture
def red_on_grey_gradient() -> tuple[str, np.ndarray]:
    height, width = 500, 400
    gradient = np.linspace(110, 170, width)[None, :, None] * np.ones((height, 1, 3))  # grey paper, lit from one side
    grey = gradient + paper_texture((width, height), (0, 0, 0), 5, seed=3)
    return written_on(grey, "7", (90, 100, 300, 420), 16, (200, 20, 30))


@_digit_picture
def bold_marker_on_shaded_paper() -> tuple[str, np.ndarray]:
    """A 7 in a marker bolder than the window that finds the paper, spanning most of a page lit from one corner."""
    rows, columns = np.mgrid[0:600, 0:600]
    light = 1.0 - 0.3 * (rows + columns)[..., None] / 1200
    shaded = paper_texture((600, 600), (236, 233, 222), 0, seed=0) * light + paper_texture((600, 600), (0, 0, 0), 12, 9)
    return written_on(shaded, "7", (80, 90, 332, 510), 90, (20, 30, 90))


@_digit_picture
def lined_paper() -> tuple[str, np.ndarray]:
    lined = paper_texture((600, 800), (250, 250, 245), 3, seed=4)
    for row in range(40, 800, 36):
        lined[row : row + 2] = (150, 180, 225)  # ruled lines across the whole page
    lined[:, 70:72] = (230, 120, 120)  # the red margin
    return written_on(lined, "2", (180, 230, 420, 560), 9, (20, 25, 60))


@_digit_picture
def flat_shadow_above_a_small_seven() -> tuple[str, np.ndarray]:
    """A small 7 in the middle of the paper, a bigger flat dash of shadow above it (no digit is that flat)."""
    paper = paper_texture((800, 600), (236, 233, 222), 3, seed=12)
    paper[60:95, 300:440] = (120, 118, 112)
    return written_on(paper, "7", (360, 260, 426, 370), 7, (20, 30, 90))


# Where shadow_block_beside_a_seven draws its 7 (x, y, width, height in pixels, the pen's width included).
SEVEN_BESIDE_A_SHADOW_BLOCK = (296, 296, 128, 188)


@_digit_picture
def shadow_block_beside_a_seven() -> tuple[str, np.ndarray]:
    """A sheet filling the frame, a hard-edged shadow from the left edge beside the 7 (a phone held over it):
    the border is mostly paper, so the paper passes for evenly lit and the shadow for a bold mark."""
    paper = paper_texture((600, 800), (236, 233, 222), 3, seed=16)
    shade = np.ones((800, 600, 1))
    shade[250:560, :270] = 0.7
    blurred = Image.fromarray((shade[..., 0] * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(8))
    shaded = paper * (np.asarray(blurred, np.float64)[..., None] / 255)
    return written_on(shaded, "7", (300, 300, 420, 480), 9, (20, 30, 90))


# Where four_inside_a_sheets_outline draws its 4 (x, y, width, height in pixels, the pen's width included).
FOUR_INSIDE_A_SHEETS_OUTLINE = (376, 236, 64, 104)


@_digit_picture
def four_inside_a_sheets_outline() -> tuple[str, np.ndarray]:
    """A photo of a sheet on a desk a little darker, ringed by a band of shadow (the sheet's edge), thin along
    three sides and thick where its top-left corner lifts: taken for lines, the thin sides go, and the corner
    is left."""
    canvas = Image.fromarray(paper_texture((800, 600), (214, 206, 200), 3, seed=21).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    draw.polygon([(120, 80), (700, 80), (700, 520), (120, 520)], fill=(120, 112, 108))
    draw.polygon([(150, 110), (692, 88), (692, 512), (128, 512)], fill=(236, 233, 226))
    rows, columns = np.mgrid[0:600, 0:800]
    light = 1 - 0.25 * (rows / 600 + columns / 800)[..., None] / 2  # lit from one corner: a photo
    return written_on(np.asarray(canvas, np.float64) * light, "4", (380, 240, 440, 340), 7, (30, 40, 110))


# Where four_cut_out_of_a_red_disc draws its 4 (x, y, width, height in pixels, the pen's width included).
FOUR_IN_A_DISC = (153, 123, 94, 154)


@_digit_picture
def four_cut_out_of_a_red_disc() -> tuple[str, np.ndarray]:
    """A white 4 on a red disc on white paper (a numbered badge): the disc is the mark, the 4 a hole in it."""
    badge = Image.fromarray(paper_texture((400, 400), (250, 250, 248), 2, seed=22).astype(np.uint8))
    ImageDraw.Draw(badge).ellipse((60, 40, 340, 360), fill=(200, 35, 40))
    return written_on(np.asarray(badge, np.float64), "4", (160, 130, 240, 270), 14, (250, 250, 248))


@_digit_picture
def dot_far_under_a_one() -> tuple[str, np.ndarray]:
    """A 1 with a dot far below it, their columns just touching: the dot is no part of the 1."""
    paper = paper_texture((600, 800), (236, 233, 222), 3, seed=13)
    paper[560:580, 335:355] = (20, 30, 90)
    return written_on(paper, "1", (300, 200, 360, 400), 9, (20, 30, 90))


@_digit_picture
def fills_frame() -> tuple[str, np.ndarray]:
    seven = draw_digit((200, 260), "7", (0, 8, 200, 262), (0, 0, 0), 40, (255, 255, 255))
    return "7", to_rgba(np.asarray(seven, dtype=np.float64))


@_digit_picture
def outlined_clip_art() -> tuple[str, np.ndarray]:
    outlined = np.full((420, 360, 3), 255.0)
    shadow = mask((360, 420), "4", (82, 72, 302, 372), 50)
    outline = mask((360, 420), "4", (70, 60, 290, 360), 50)
    fill = mask((360, 420), "4", (70, 60, 290, 360), 40)
    outlined = ink_over(outlined, shadow, (200, 200, 205))[..., :3].astype(np.float64)
    outlined = ink_over(outlined, outline, (20, 20, 20))[..., :3].astype(np.float64)
    return "4", ink_over(outlined, fill, (250, 200, 40))


@_digit_picture
def striped_multicolour() -> tuple[str, np.ndarray]:
    striped_mask = np.asarray(mask((400, 400), "7", (80, 60, 320, 340), 45), dtype=np.float64)[..., None] / 255
    rows = np.arange(400)[:, None] + np.arange(400)[None, :]
    palette = np.array([(230, 30, 40), (250, 200, 20), (40, 170, 60), (30, 90, 220), (150, 40, 180)], dtype=np.float64)
    stripes = palette[(rows // 25) % len(palette)]
    return "7", to_rgba(255 * (1 - striped_mask) + stripes * striped_mask)


@_digit_picture
def in_a_box_it_touches() -> tuple[str, np.ndarray]:
    boxed = draw_digit((500, 400), "7", (200, 130, 300, 270), (20, 30, 90), 9, (240, 238, 230))
    corners = [(170, 104), (330, 110), (325, 300), (165, 294), (170, 104)]  # a box drawn a little turned
    ImageDraw.Draw(boxed).line(corners, fill=(20, 30, 90), width=6)
    ImageDraw.Draw(boxed).line([(300, 130), (328, 130)], fill=(20, 30, 90), width=9)  # the 7's bar runs into it
    return "7", to_rgba(np.asarray(boxed, dtype=np.float64))


@_digit_picture
def in_a_bold_turned_box() -> tuple[str, np.ndarray]:
    """A 7 in a small box drawn turned with a bold pen: a quarter of the box's area is its outline, and
    its turned sides leave the band that peel_frames looks along."""
    boxed = draw_digit((800, 600), "7", (372, 245, 426, 335), (20, 30, 90), 7, (236, 233, 222))
    corners = [(360, 205), (455, 225), (435, 360), (340, 340), (360, 205)]
    ImageDraw.Draw(boxed).line(corners, fill=(20, 30, 90), width=12, joint="curve")
    return "7", to_rgba(np.asarray(boxed, dtype=np.float64))


# Where boxed_by_the_sheets_edge draws its 2 (x, y, width, height in pixels, the pen's width included).
BOXED_TWO = (249, 434, 157, 178)


@_digit_picture
def boxed_by_the_sheets_edge() -> tuple[str, np.ndarray]:
    """A sheet on a green desk with a bold box drawn down to the sheet's bottom edge, a 2 written low in it:
    the 3x3-cell window around the box's corner sees mostly ink, as far from the paper as the desk is."""
    image = Image.new("RGB", (600, 800), (150, 185, 95))
    draw = ImageDraw.Draw(image)
    draw.rectangle([(180, 180), (500, 640)], fill=(228, 230, 214))
    draw.rectangle([(220, 400), (440, 640)], outline=(20, 30, 90), width=14)
    two = [(265, 470), (320, 440), (370, 470), (370, 510), (255, 606), (400, 606)]
    draw.line(two, fill=(20, 30, 90), width=12, joint="curve")
    return "2", to_rgba(np.asarray(image.filter(ImageFilter.GaussianBlur(1)), dtype=np.float64))


# Where bold_two_by_the_sheets_edge draws its 2 (x, y, width, height in pixels, the pen's width included).
BOLD_TWO_BY_THE_SHEETS_EDGE = (424, 13, 131, 166)


@_digit_picture
def bold_two_by_the_sheets_edge() -> tuple[str, np.ndarray]:
    """A sheet running out of the photo at the top and bottom on a near-black desk, a bold 2 in near-black ink
    written a little more than a cell of the map from the sheet's right edge: the windows of the paper between
    them hold mostly ink and desk."""
    photo = Image.fromarray(to_rgba(paper_texture((800, 600), (24, 24, 28), 3, seed=20)))
    photo.paste(Image.fromarray(to_rgba(paper_texture((400, 600), (226, 228, 212), 3, seed=21))), (200, 0))
    two = mask((800, 600), "2", (425, 20, 560, 170), 16)
    rgba = ink_over(np.asarray(photo.convert("RGB"), dtype=np.float64), two, (16, 16, 22))
    return "2", np.asarray(Image.fromarray(rgba).filter(ImageFilter.GaussianBlur(1)))


# Where beside_a_cells_frame_line draws its 7 (x, y, width, height in pixels, the pen's width included).
SEVEN_BESIDE_A_FRAME_LINE = (86, 76, 110, 168)


@_digit_picture
def beside_a_cells_frame_line() -> tuple[str, np.ndarray]:
    """A form cell cut out of a scan: the frame's right line from the picture's top edge to its bottom edge,
    thin and straight like a 1, a 7 written left of it."""
    cell = draw_digit((300, 300), "7", (90, 80, 192, 240), (20, 30, 90), 8, (246, 246, 242))
    ImageDraw.Draw(cell).line([(262, 0), (262, 299)], fill=(60, 60, 60), width=5)
    return "7", to_rgba(np.asarray(cell, dtype=np.float64))


# Where beside_a_cells_side_line draws its 4 (x, y, width, height in pixels, the pen's width included).
FOUR_BESIDE_A_SIDE_LINE = (145, 145, 110, 190)


@_digit_picture
def beside_a_cells_side_line() -> tuple[str, np.ndarray]:
    """What is left of a form cell's side once its corners are cut off: a thin straight line left of the 4,
    about as tall as the 4 but standing higher, half beside it: not the 1 of a 14."""
    paper = paper_texture((400, 400), (236, 236, 240), 3, seed=8)
    drawn = mask((400, 400), "4", (150, 150, 250, 330), 10)
    ImageDraw.Draw(drawn).line([(80, 60), (80, 240)], fill=255, width=5)
    return "4", ink_over(paper, drawn, (25, 25, 30))


def small_seven(box_gap: int | None) -> np.ndarray:
    """Return RGBA: a 7 six percent of a 1024x768 picture's width, on its 256 px map 16 px tall; with a box
    drawn round it `box_gap` pixels away (within the reading mask's dilation), or none."""
    paper = paper_texture((1024, 768), (238, 236, 228), 3, seed=9)
    drawn = mask((1024, 768), "7", (480, 330, 520, 392), 6)
    if box_gap is not None:
        corners = [(480 - box_gap, 330 - box_gap), (520 + box_gap, 392 + box_gap)]
        ImageDraw.Draw(drawn).rectangle(corners, outline=255, width=2)
    return ink_over(paper, drawn, (20, 30, 90))


@_digit_picture
def small_in_a_box_close_around_it() -> tuple[str, np.ndarray]:
    return "7", small_seven(box_gap=11)


@_digit_picture
def bold_one_on_shaded_paper() -> tuple[str, np.ndarray]:
    """A bold 1 filling half the picture on paper darkening from corner to corner: a photo's light, so the
    1 is as long and thin as a sheet's edge, but it is the only mark and reaches no edge of the picture."""
    paper = paper_texture((210, 190), (226, 170, 190), 3, seed=4)
    rows, columns = np.mgrid[0:190, 0:210]
    paper *= (1 - 0.35 * (rows / 190 + columns / 210) / 2)[..., None]
    return written_on(paper, "1", (60, 45, 100, 150), 8, (60, 20, 70))


BOLD_SEVEN_LIT_FROM_ONE_SIDE = (90, 7, 183, 196)


@_digit_picture
def bold_seven_lit_from_one_side() -> tuple[str, np.ndarray]:
    """Clip-art: a bold red 7 outlined in black on white, lit from the left (the paper greys steadily to the
    right): a small picture, so the strokes are wider than the cells that tell paper from ink."""
    width, height = 330, 220
    paper = paper_texture((width, height), (250, 250, 250), 2, seed=5)
    paper *= np.linspace(1.0, 0.55, width)[None, :, None]
    box = (90, 40, 240, 185)
    outlined = ink_over(paper, mask((width, height), "7", box, 66), (10, 10, 10))[..., :3].astype(np.float64)
    return written_on(outlined, "7", box, 58, (205, 15, 20))


# Where seven_down_to_the_desk draws its 7 (x, y, width, height in pixels, the pen's width included), down to
# where the desk begins.
SEVEN_DOWN_TO_THE_DESK = (57, 29, 130, 209)


@_digit_picture
def seven_down_to_the_desk() -> tuple[str, np.ndarray]:
    """A big 7 on a sheet lit from the left, its stem running down to the desk, a dark band along the photo's
    bottom edge: only the stem's tip comes close to the desk."""
    width, height, desk = 240, 260, 22
    paper = paper_texture((width, height), (228, 224, 214), 3, seed=8)
    paper *= np.linspace(1.0, 0.72, width)[None, :, None]
    paper[height - desk :] = paper_texture((width, desk), (96, 78, 62), 4, seed=9)
    return written_on(paper, "7", (62, 34, 182, height - desk + 1), 9, (30, 30, 40))


def seven_and_a_line(
    size: tuple[int, int], box: tuple[float, float, float, float], stroke: int, line: list[tuple[int, int]]
) -> tuple[str, np.ndarray]:
    """Return a 7 written in `box` with a pen `stroke` pixels wide and a line 8 px wide along `line`, on paper
    darkening from corner to corner (the shading makes it a photo)."""
    width, height = size
    paper = paper_texture(size, (232, 228, 218), 3, seed=6)
    rows, columns = np.mgrid[0:height, 0:width]
    paper *= (1 - 0.3 * (rows / height + columns / width) / 2)[..., None]
    drawn = mask(size, "7", box, stroke)
    ImageDraw.Draw(drawn).line(line, fill=255, width=8)
    return "7", ink_over(paper, drawn, (30, 30, 60))


# Where underlined_touching_it draws its 7 (x, y, width, height in pixels, the pen's width included).
SEVEN_ABOVE_ITS_UNDERLINE = (96, 46, 78, 128)


@_digit_picture
def underlined_touching_it() -> tuple[str, np.ndarray]:
    """A small 7 in a photo of a sheet, underlined by a line that touches its stem and reaches past it on
    both sides (the shading makes it a photo, where the coarse map joins the two)."""
    return seven_and_a_line((300, 220), (100, 50, 170, 168), 8, [(60, 172), (230, 172)])


@_digit_picture
def underlined_out_to_the_left() -> tuple[str, np.ndarray]:
    """underlined_touching_it's 7 with a line that starts far left of it and stops short of its right end:
    it reaches past the 7 on the left only, as a 2's base never does."""
    return seven_and_a_line((300, 220), (100, 50, 170, 168), 8, [(30, 172), (160, 172)])


# Where sloping_underline_touching_it draws its 7 (x, y, width, height in pixels, the pen's width included).
SEVEN_ABOVE_A_SLOPING_UNDERLINE = (96, 46, 78, 126)


@_digit_picture
def sloping_underline_touching_it() -> tuple[str, np.ndarray]:
    """underlined_touching_it on a sheet turned on the desk: the line slopes (1 row in 4 columns) and
    touches the 7's stem."""
    return seven_and_a_line((300, 220), (100, 50, 170, 168), 8, [(60, 188), (230, 145)])


# Where sloping_underline_below_it draws its 7 (x, y, width, height in pixels, the pen's width included).
SEVEN_ABOVE_ITS_SLOPING_LINE = (195, 115, 80, 128)


@_digit_picture
def sloping_underline_below_it() -> tuple[str, np.ndarray]:
    """underlined_touching_it's 7 with a steeper line drawn below it, apart from it: its box is no flatter than
    a digit's part, but the line itself is (a sheet turned on the desk)."""
    return seven_and_a_line((500, 400), (200, 120, 270, 238), 10, [(160, 284), (330, 216)])


@_digit_picture
def in_a_bold_box_close_around_it() -> tuple[str, np.ndarray]:
    """A 4 in a bold box drawn close around it: the box's line fills the edges of the crop the 4 is read
    from, so the crop's edges do not show the paper."""
    image = draw_digit((500, 420), "4", (200, 130, 300, 270), (20, 20, 30), 12, (232, 226, 236))
    ImageDraw.Draw(image).rectangle([(166, 96), (334, 304)], outline=(20, 20, 30), width=24)
    return "4", to_rgba(np.asarray(image, dtype=np.float64))


# Where thin_seven_across_ruled_lines draws its 7 (x, y, width, height in pixels, the pen's width included).
THIN_SEVEN_ACROSS_RULED_LINES = (250, 311, 92, 177)


@_digit_picture
def thin_seven_across_ruled_lines() -> tuple[str, np.ndarray]:
    """A 7 in a thin pen on ruled paper, light falling off towards the top as in a photo: its slanted stroke
    crosses four lines, as thin across them as they are, and its bar lies a few rows below one."""
    lined = paper_texture((600, 800), (244, 242, 236), 3, seed=16)
    for row in range(40, 800, 36):
        lined[row : row + 2] = (150, 170, 200)
    lined = lined * (0.8 + 0.2 * np.arange(800, dtype=np.float32)[:, None, None] / 800)
    return written_on(lined, "7", (250, 312, 340, 487), 3, (40, 40, 110))


# Where in_a_scanned_cells_dashed_frame draws its 4 (x, y, width, height in pixels, the pen's width included).
FOUR_IN_A_DASHED_CELL = (66, 56, 78, 98)


def dashed_line(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int], width: int) -> None:
    """Draw a straight line broken into dashes of 30 px with gaps of 12 px, as a scan loses parts of a thin line."""
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for offset in range(0, length, 42):
        stop = min(offset + 30, length)
        draw.line(
            [
                (x0 + (x1 - x0) * offset / length, y0 + (y1 - y0) * offset / length),
                (x0 + (x1 - x0) * stop / length, y0 + (y1 - y0) * stop / length),
            ],
            fill=(40, 40, 40),
            width=width,
        )


@_digit_picture
def in_a_scanned_cells_dashed_frame() -> tuple[str, np.ndarray]:
    """A form cell cut out of a scan: its frame's lines run from edge to edge, 4.5 % of the picture thick (a
    ruled line is thinner) and broken into dashes; a 4 written inside."""
    x, y, width, height = FOUR_IN_A_DASHED_CELL
    cell = draw_digit((200, 200), "4", (x + 5, y + 5, x + width - 5, y + height - 5), (20, 30, 90), 9, (246, 246, 242))
    draw = ImageDraw.Draw(cell)
    for at in (22, 178):
        dashed_line(draw, (0, at), (200, at), 9)
        dashed_line(draw, (at, 0), (at, 200), 9)
    return "4", to_rgba(np.asarray(cell, dtype=np.float64))


@_digit_picture
def tiny_8x8() -> tuple[str, np.ndarray]:
    tiny = np.full((8, 8, 3), 255.0)
    tiny[1:7, 4] = 0
    return "1", to_rgba(tiny)


@_blank_picture
def uniform() -> np.ndarray:
    return to_rgba(np.full((300, 200, 3), (200.0, 180.0, 160.0)))


@_blank_picture
def paper_grain_only() -> np.ndarray:
    return to_rgba(paper_texture((400, 300), (230, 225, 215), 4, seed=9))


@_blank_picture
def paper_lit_from_one_side() -> np.ndarray:
    paper = paper_texture((400, 300), (245, 242, 235), 3, seed=12)
    return to_rgba(paper * np.linspace(1.0, 0.5, 400)[None, :, None])


@_blank_picture
def specks_only() -> np.ndarray:
    specks = paper_texture((500, 400), (240, 240, 240), 2, seed=7)
    rng = np.random.default_rng(8)
    for row, column in rng.integers(10, 390, size=(40, 2)):
        specks[row : row + 3, column : column + 3] = 0
    return to_rgba(specks)


@_blank_picture
def crumb_in_a_small_picture() -> np.ndarray:
    """A 64 px picture of paper holding one crumb of ink 6 px tall: a tenth of the picture, but fewer pixels
    than anyone can read a digit from."""
    crumb = paper_texture((64, 64), (236, 233, 222), 2, seed=14)
    crumb[29:35, 31:33] = (40, 40, 60)
    return to_rgba(crumb)


@_blank_picture
def desk_sliver_at_the_edge() -> np.ndarray:
    """A blank sheet filling the photo but for a thin wedge of the desk along part of one edge."""
    sheet = Image.fromarray(to_rgba(paper_texture((600, 800), (236, 233, 222), 3, seed=11)))
    ImageDraw.Draw(sheet).polygon([(0, 420), (12, 600), (0, 600)], fill=(92, 60, 38, 255))
    return np.asarray(sheet)


@_blank_picture
def stroke_in_from_the_photos_edge() -> np.ndarray:
    """A sheet running out of the photo at the top, the desk below it, and a thin stroke coming in from the
    photo's top edge (a pen on the sheet, wood grain, a line cut off by the frame): nothing whole to read."""
    photo = Image.fromarray(to_rgba(paper_texture((800, 600), (96, 66, 44), 3, seed=12)))
    photo.paste(Image.fromarray(to_rgba(paper_texture((700, 420), (236, 233, 222), 3, seed=13))), (50, 0))
    ImageDraw.Draw(photo).line([(330, 0), (336, 130)], fill=(40, 40, 60, 255), width=7)
    return np.asarray(photo.filter(ImageFilter.GaussianBlur(1)))


@_blank_picture
def streak_on_the_desk_beside_the_sheet() -> np.ndarray:
    """A sheet on a wooden desk and a dark streak in the grain well away from it: only the desk's cells along the
    sheet's edge stand out from their neighbours, so the streak lies on what would pass for paper."""
    photo = Image.fromarray(to_rgba(paper_texture((800, 600), (150, 104, 64), 3, seed=14)))
    photo.paste(Image.fromarray(to_rgba(paper_texture((380, 460), (236, 233, 222), 3, seed=15))), (380, 70))
    ImageDraw.Draw(photo).line([(160, 230), (163, 370)], fill=(70, 44, 28, 255), width=6)
    return np.asarray(photo.filter(ImageFilter.GaussianBlur(1)))


@_blank_picture
def streak_in_a_dark_desks_grain() -> np.ndarray:
    """An empty dark wooden desk with one lighter streak in its grain: a light mark on dark paper, but far fainter
    than chalk or white ink (min_contrast_dark)."""
    photo = Image.fromarray(to_rgba(paper_texture((800, 600), (78, 52, 34), 3, seed=18)))
    ImageDraw.Draw(photo).line([(380, 200), (386, 420)], fill=(112, 80, 56, 255), width=8)
    return np.asarray(photo.filter(ImageFilter.GaussianBlur(2)))


@_blank_picture
def blank_sheet_turned_on_a_dark_desk() -> np.ndarray:
    """An empty sheet lying turned on a dark desk: the light part of the picture, far from a box's shape, but
    it fills its convex hull as no digit does."""
    photo = Image.fromarray(to_rgba(paper_texture((800, 600), (70, 52, 40), 3, seed=19)))
    ImageDraw.Draw(photo).polygon([(330, 40), (690, 230), (470, 560), (110, 370)], fill=(232, 230, 224, 255))
    return np.asarray(photo.filter(ImageFilter.GaussianBlur(1)))


@_blank_picture
def one_pixel() -> np.ndarray:
    return to_rgba(np.zeros((1, 1, 3)))


@_blank_picture
def fully_transparent() -> np.ndarray:
    return np.zeros((50, 50, 4), dtype=np.uint8)


# Dev scenes (scene `index` of `build.scenes.render_scenes(550, seed)`) of a small digit on a sheet lying on a
# light desk, where a band of the desk along the sheet's edge was read instead: a 5 by the sheet's corner, a 5
# on squared paper, a boxed 8 on a purple cloth.
DESK_BAND_SCENES = [(11, 495), (0, 223), (41, 171)]


def dev_scene(test_images: np.ndarray, test_labels: np.ndarray, seed: int, index: int) -> scenes.Scene:
    """Return scene `index` of `scenes.render_scenes(550, seed, test_images, test_labels)`, rendered alone."""
    chosen = np.random.default_rng(seed).choice(len(test_images), size=550, replace=False)[index]
    kind = scenes.KINDS[index % len(scenes.KINDS)]
    return scenes.render_scene(
        test_images[chosen], int(test_labels[chosen]), kind, np.random.default_rng([seed, index])
    )


def digit_picture(name: str) -> tuple[str, np.ndarray]:
    """Return (digit, RGBA uint8 [H,W,4]) of the digit picture called `name`."""
    return DIGIT_PICTURES[name]()


def blank_picture(name: str) -> np.ndarray:
    """Return RGBA uint8 [H,W,4] of the picture without a digit called `name`."""
    return BLANK_PICTURES[name]()


def write_exif_rotated_jpeg(path: Path) -> None:
    """Write a JPEG stored sideways with EXIF orientation 6 (rotate 90° clockwise to view): a wide image showing a 7
    when upright."""
    upright = draw_digit((300, 400), "7", (60, 60, 240, 340), (0, 0, 0), 30, (255, 255, 255))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the camera stored: 400 wide x 300 high
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, "JPEG", quality=95, exif=exif.tobytes())


def write_big_exif_rotated_jpeg(path: Path) -> None:
    """Write a 2000x1500 phone-style JPEG stored sideways with EXIF orientation 6: a 1500x2000 upright 7 on paper."""
    upright = draw_digit((1500, 2000), "7", (300, 300, 1200, 1700), (20, 20, 30), 80, (235, 230, 220))
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(path, "JPEG", quality=90, exif=exif.tobytes())


def write_animated_gif(path: Path) -> None:
    """Write a two-frame GIF: a 1 first, then a 7."""
    first = draw_digit((200, 260), "1", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255))
    second = draw_digit((200, 260), "7", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255))
    first.save(path, "GIF", save_all=True, append_images=[second], duration=200, loop=0)


def write_bad_files(directory: Path) -> dict[str, Path]:
    """Write files that are not readable pictures; return {name: path}."""
    good = io.BytesIO()
    draw_digit((200, 260), "1", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255)).save(good, "PNG")
    files = {
        "empty": (directory / "empty.png", b""),
        "text_named_png": (directory / "notes.png", b"these are my shopping notes, not a picture\n"),
        "corrupt_png": (directory / "corrupt.png", good.getvalue()[:200] + b"\0" * 50),
    }
    for path, content in files.values():
        path.write_bytes(content)
    return {name: path for name, (path, _) in files.items()}
