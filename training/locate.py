"""Find the digits in a picture: the localisation stage in front of the digit reading (issue 9).

Twin: site_templates/static/js/locate.js. Both read the "locate" section of
training/preprocess_spec.json and run the same steps, with the same names, in the same order.
Every decision here is taken on exact values (block averages of whole numbers, order statistics,
float32 elementwise maps, pixel counts), so both twins find the same marks and the same boxes.

Steps (see locate_on_map()):
  reduce_to_map -> estimate_background -> find_marks -> clear_lines -> label_marks
  -> peel_frames -> peel_underlines -> drop_stray_marks -> level_heights -> group_parts -> pick_digits
and locate() looks again where the first look may have misjudged the light (is_shade, is_sheet) or found a
block of ink a digit is cut out of (is_block -> look_inside).

A person's photo is a sheet on a desk, with shadows, ruled lines and stray marks; the digit is
somewhere on it. The stage works on a coarse map (long side ~256 px) and returns the digits' boxes
in map pixels plus the factor back to the decoded picture, where preprocess.py reads each digit
from the finer pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from training.pixels import border_ring, order_statistic, round_half_up, windowed_extreme

NO_CONTRAST = "The picture is blank or nearly uniform: no digit found."
NO_MARKS = "There is too little ink in the picture: no digit found."
ONLY_SPECKS = "The picture holds only scattered specks: no digit found."
# How estimate_background judges the light: evenly lit when the border is even and no large part of the
# picture is lighter (JUDGED); when the border is even, however much is lighter (BORDER); never (UNEVEN).
JUDGED, BORDER, UNEVEN = "judged", "border", "uneven"
# ... or evenly lit from one side, when the border lies on a plane (SLOPE; else unevenly).
SLOPE = "slope"
LUMINANCE_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
TOO_MANY = "The picture holds more than four marks in a row: give one number of up to four digits."


@dataclass(frozen=True)
class Mark:
    """A group of connected ink parts: its box on the map (inclusive) and its pixel count."""

    top: int
    bottom: int
    left: int
    right: int
    area: int
    labels: tuple[int, ...]
    level_height: int = 0  # one part's fewest rows at the underline slopes (level_heights); 0: a merged group

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1


@dataclass(frozen=True)
class Located:
    """The digits found (left to right), the map's labels and factor, or the reason there are none."""

    digits: list[Mark]
    labels: np.ndarray | None  # int32 [h,w]: component label per map pixel (0 = no mark)
    factor: int  # decoded pixels per map pixel along each axis
    reason: str | None
    even: bool = False  # the paper was taken as evenly lit (one colour)
    contrast: float = 0.0  # how far the marks stand out from the paper (find_marks)
    taken_off: np.ndarray | None = None  # bool [h,w]: marks taken off as a box's or a cell's frame


# ---------------------------------------------------------------------------------------------
# The steps, in order.


def reduce_to_map(rgb: np.ndarray, spec: dict) -> tuple[np.ndarray, int]:
    """Return (float32 [h,w,3] map, factor): whole f x f blocks averaged so the long side is at most map_side.

    Block sums are taken in float64 and divided once, so both twins get the same float32 values."""
    height, width = rgb.shape[:2]
    factor = max(1, math.ceil(max(height, width) / spec["locate"]["map_side"]))
    factor = min(factor, height, width)
    if factor == 1:
        return rgb.astype(np.float32), 1
    map_height, map_width = height // factor, width // factor
    blocks = rgb[: map_height * factor, : map_width * factor].astype(np.float64)
    sums = blocks.reshape(map_height, factor, map_width, factor, 3).sum(axis=(1, 3))
    return (sums / (factor * factor)).astype(np.float32), factor


def luminance(colours: np.ndarray) -> np.ndarray:
    """Return float32 [...]: the luminance of float32 RGB colours [..., 3], summed in channel order as the JS twin."""
    weighted = colours * LUMINANCE_WEIGHTS
    return ((weighted[..., 0] + weighted[..., 1]) + weighted[..., 2]).astype(np.float32)


def cell_medians(image: np.ndarray, cell: int) -> np.ndarray:
    """Return float32 [rows, columns, 3]: each cell's per-channel (lower) median."""
    height, width = image.shape[:2]
    rows, columns = math.ceil(height / cell), math.ceil(width / cell)
    medians = np.zeros((rows, columns, 3), dtype=np.float32)
    for row in range(rows):
        for column in range(columns):
            block = image[row * cell : (row + 1) * cell, column * cell : (column + 1) * cell]
            for channel in range(3):
                medians[row, column, channel] = order_statistic(block[..., channel], 50)
    return medians


def window_pick(medians: np.ndarray, radius: int, pick: str) -> np.ndarray:
    """Return float32 [rows, columns, 3]: over each cell's window of cells, the per-channel median, or the colour
    of the lightest ("max") or darkest ("min") cell (the first such in raster order)."""
    rows, columns = medians.shape[:2]
    levels = luminance(medians)
    picked = np.zeros_like(medians)
    for row in range(rows):
        for column in range(columns):
            top, left = max(0, row - radius), max(0, column - radius)
            window = medians[top : row + radius + 1, left : column + radius + 1]
            if pick == "median":
                for channel in range(3):
                    picked[row, column, channel] = order_statistic(window[..., channel], 50)
                continue
            window_levels = levels[top : row + radius + 1, left : column + radius + 1]
            index = int(np.argmax(window_levels) if pick == "max" else np.argmin(window_levels))
            picked[row, column] = window.reshape(-1, 3)[index]
    return picked


def ring_contrast(region: list[tuple[int, int]], levels: np.ndarray, border_level: float, dark_ink: bool) -> float:
    """Return how much lighter (darker for light ink) in luminance the cells a region encloses are than
    the picture's border: a desk ringing a sheet encloses paper and the desk reaches the border; a bold
    stroke encloses its own ink or, a 0's hole, the same paper as at the border. Infinite when it
    encloses nothing (a ring open somewhere: left to the span alone).

    Enclosed is what the picture's edge does not reach without crossing the region (side by side)."""
    rows, columns = levels.shape
    in_region = np.zeros((rows, columns), dtype=bool)
    for row, column in region:
        in_region[row, column] = True
    parts, _ = ndimage.label(~in_region)  # 4-connected: what a side-by-side flood from the edge reaches
    edge_parts = np.unique(np.concatenate([parts[0], parts[-1], parts[:, 0], parts[:, -1]]))
    enclosed_cells = ~in_region & ~np.isin(parts, edge_parts)
    enclosed = [
        levels[next_row, next_column]
        for row, column in region
        for next_row, next_column in ((row - 1, column), (row + 1, column), (row, column - 1), (row, column + 1))
        if 0 <= next_row < rows and 0 <= next_column < columns and enclosed_cells[next_row, next_column]
    ]
    if not enclosed:
        return math.inf
    difference = order_statistic(np.array(enclosed, np.float32), 50) - border_level
    return difference if dark_ink else -difference


def desk_cells(cells: np.ndarray, levels: np.ndarray, border_level: float, dark_ink: bool, spec: dict) -> np.ndarray:
    """Return bool [rows, columns]: the marked cells that belong to the desk, not to a stroke.

    Cells joined side by side form regions; the desk around a sheet reaches the picture's edge or
    rings the sheet (its region spans most of the picture and encloses what is unlike the border:
    ring_contrast). A stroke too wide for the window reaches no edge; a bold digit may span most of
    the picture, but it encloses its own ink or paper like the border's."""
    rows, columns = cells.shape
    span = spec["locate"]["desk_span"]
    min_contrast = spec["locate"]["desk_ring_contrast"]
    desk = np.zeros_like(cells)
    seen = np.zeros_like(cells)
    for start_row in range(rows):
        for start_column in range(columns):
            if not cells[start_row, start_column] or seen[start_row, start_column]:
                continue
            region = [(start_row, start_column)]
            seen[start_row, start_column] = True
            index = 0
            while index < len(region):
                row, column = region[index]
                index += 1
                for next_row, next_column in (
                    (row - 1, column),
                    (row + 1, column),
                    (row, column - 1),
                    (row, column + 1),
                ):
                    if (
                        0 <= next_row < rows
                        and 0 <= next_column < columns
                        and cells[next_row, next_column]
                        and not seen[next_row, next_column]
                    ):
                        seen[next_row, next_column] = True
                        region.append((next_row, next_column))
            region_rows = [row for row, _ in region]
            region_columns = [column for _, column in region]
            touches = (
                min(region_rows) == 0
                or min(region_columns) == 0
                or max(region_rows) == rows - 1
                or max(region_columns) == columns - 1
            )
            rings = (
                max(region_rows) - min(region_rows) + 1 >= span * rows
                and max(region_columns) - min(region_columns) + 1 >= span * columns
                and ring_contrast(region, levels, border_level, dark_ink) > min_contrast
            )
            if touches or rings:
                for row, column in region:
                    desk[row, column] = True
    return desk


def desk_beyond_the_sheet(desk: np.ndarray, levels: np.ndarray, dark_ink: bool, spec: dict) -> np.ndarray:
    """Return bool [rows, columns]: the desk away from the sheet, which the cells that disagree miss.

    Far from the sheet the desk agrees with itself: only its cells along the sheet's edge disagree, and
    the rest is left as "paper" whose grain passes for marks. The cells not yet desk fall into regions
    (side by side); a region that reaches the picture's edge and is clearly darker (lighter for light
    ink) than the lightest sizeable region, the sheet, is desk too."""
    parts, count = ndimage.label(~desk)  # 4-connected
    if not desk.any() or count < 2:
        return np.zeros_like(desk)
    settings = spec["locate"]
    sign = np.float32(1 if dark_ink else -1)
    region_levels = [sign * np.float32(order_statistic(levels[parts == part], 50)) for part in range(1, count + 1)]
    sizes = np.bincount(parts.ravel(), minlength=count + 1)[1:]
    minimum = settings["sheet_min_cells"] * desk.size
    sizeable = [level for level, size in zip(region_levels, sizes, strict=True) if size >= minimum]
    if not sizeable:
        return np.zeros_like(desk)
    sheet_level = max(sizeable)
    at_edge = set(np.concatenate([parts[0], parts[-1], parts[:, 0], parts[:, -1]]).tolist())
    beyond = [
        part
        for part, level in zip(range(1, count + 1), region_levels, strict=True)
        if part in at_edge and sheet_level - level > np.float32(settings["desk_region_gap"])
    ]
    return np.isin(parts, beyond)


def colour_gaps(colours: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Return float32 [...]: the distance of each float32 RGB colour [..., 3] from `colour` ([3], or [..., 3]
    pair by pair), summed in channel order as the JS twin's colourGap."""
    difference = colours - colour
    squares = difference * difference
    return np.sqrt((squares[..., 0] + squares[..., 1]) + squares[..., 2]).astype(np.float32)


def light_slope(medians: np.ndarray, cell: int, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 ([rows, columns, 3] per cell, [height, width, 3] per pixel): the plane through the medians
    of the border's four sides, the paper under light from one side.

    Each side's median, not a fit: the digit may cross one side, a corner of the desk show in another."""
    rows, columns = medians.shape[:2]
    sides = [medians[:, 0], medians[:, -1], medians[0], medians[-1]]  # left, right, top, bottom
    left, right, top, bottom = (
        np.array([order_statistic(side[:, channel], 50) for channel in range(3)], dtype=np.float32) for side in sides
    )
    across = (right - left) / np.float32(max(1, columns - 1))  # per cell
    down = (bottom - top) / np.float32(max(1, rows - 1))
    centre = ((left + right) + (top + bottom)) / np.float32(4)

    def plane(row_offsets: np.ndarray, column_offsets: np.ndarray) -> np.ndarray:
        return (
            (centre + across * column_offsets[np.newaxis, :, np.newaxis])
            + down * row_offsets[:, np.newaxis, np.newaxis]
        ).astype(np.float32)

    def offsets(count: int, cells: int, size: int) -> np.ndarray:
        # A pixel's place in cells from the middle cell's centre (a cell's centre is at a whole number).
        return (
            ((np.arange(count, dtype=np.float32) + np.float32(0.5)) / np.float32(size)) - np.float32(0.5)
        ) - np.float32((cells - 1) / 2)

    per_cell = plane(
        np.arange(rows, dtype=np.float32) - np.float32((rows - 1) / 2),
        np.arange(columns, dtype=np.float32) - np.float32((columns - 1) / 2),
    )
    return per_cell, plane(offsets(height, rows, cell), offsets(width, columns, cell))


def estimate_background(image: np.ndarray, spec: dict, lighting: str = JUDGED) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (float32 [h,w,3] the paper colour around each pixel, bool [h,w] where paper is, None when evenly lit).

    Evenly lit paper (a scan, a drawing, clip-art) keeps one colour, the border's median: a bold
    stroke then stays ink however wide it is. It is even when the cells along the border match it
    (on light paper, most of them: the digit itself may cross the border) and no large part of the
    picture is lighter (a sheet lying on a darker desk). Otherwise the paper is lit unevenly, or
    lies on a desk: each cell's median (cells are far wider than a pen stroke) gives the local
    colour, and the lightest cell around (a closing; the darkest for light ink on a dark board)
    is the paper, so a stroke is not taken for paper. Where that lightest cell and the local median
    disagree, the cell is the desk beside a sheet or a stroke as wide as two cells (desk_cells tells
    which): marks are looked for only on paper. Judged as lit from one side (SLOPE), the paper is the plane
    through the border's sides if the border lies on it; judged by the border alone (BORDER) it is the border's
    colour if the border is even; otherwise there is none to look at."""
    settings = spec["locate"]
    height, width = image.shape[:2]
    cell = max(1, round_half_up(max(height, width) / settings["cells_per_side"]))
    medians = cell_medians(image, cell)
    ring = border_ring(image, settings["border_fraction"])
    uniform = np.array([order_statistic(ring[:, channel], 50) for channel in range(3)], dtype=np.float32)
    spread = colour_gaps(medians, uniform)
    uniform_level = float(luminance(uniform))
    levels = luminance(medians)
    percentile = settings[
        "uneven_percentile_light" if uniform_level >= settings["light_paper"] else "uneven_percentile"
    ]
    even_border = order_statistic(border_ring(spread, 0), percentile) <= settings["uneven_light"]
    lighter = (spread > np.float32(settings["uneven_light"])) & (levels > np.float32(uniform_level))
    much_lighter = int(lighter.sum()) > settings["max_lighter_cells"] * lighter.size
    if even_border and (lighting == BORDER or (lighting == JUDGED and not much_lighter)):
        return np.broadcast_to(uniform, image.shape).astype(np.float32), None
    if lighting == BORDER:
        # The border is not even either: no paper to look at (the uneven look was the first one).
        return np.broadcast_to(uniform, image.shape).astype(np.float32), np.zeros((height, width), dtype=bool)
    if lighting == SLOPE:
        # Light from one side: the paper darkens steadily across the picture. When the border's cells lie on
        # the plane through its sides, and no large part of the picture is lighter, the paper is that plane,
        # and a bold stroke stays ink however wide (the cells would take its middle for paper or desk).
        slope, slope_pixels = light_slope(medians, cell, height, width)
        slope_spread = colour_gaps(medians, slope)
        even_slope = order_statistic(border_ring(slope_spread, 0), percentile) <= settings["uneven_light"]
        lighter = (slope_spread > np.float32(settings["uneven_light"])) & (levels > luminance(slope))
        if even_slope and int(lighter.sum()) <= settings["max_lighter_cells"] * lighter.size:
            return slope_pixels, None
        # Not lit from one side: no paper to look at (the uneven look was the first one).
        return slope_pixels, np.zeros((height, width), dtype=bool)
    # Which way the ink goes: on even stretches of paper (cells whose window holds no edge of a
    # sheet), small dark marks against the cell's median outnumber small light ones for dark ink.
    # Marks count from polarity_vote_gap, above the paper's grain.
    median = window_pick(medians, settings["window_cells"], "median")
    gap = np.float32(settings["polarity_gap"])
    lightest = window_pick(medians, settings["window_cells"], "max")
    darkest = window_pick(medians, settings["window_cells"], "min")
    light_level, dark_level = luminance(lightest), luminance(darkest)
    flat = (light_level - dark_level) <= gap
    if flat.any():
        # The stretches of paper (the commonest flat level), not the middle of a stroke too bold for the
        # window: that is flat too, and the paper at its edges would pass for light marks.
        flat &= np.abs(levels - np.float32(order_statistic(levels[flat], 50))) <= gap
    own = np.repeat(np.repeat(levels, cell, axis=0), cell, axis=1)[:height, :width]
    on_flat = np.repeat(np.repeat(flat, cell, axis=0), cell, axis=1)[:height, :width]
    residual = luminance(image) - own
    vote = np.float32(settings["polarity_vote_gap"])
    dark_marks, light_marks = int(((residual < -vote) & on_flat).sum()), int(((residual > vote) & on_flat).sum())
    dark_ink = dark_marks >= light_marks
    paper = lightest if dark_ink else darkest
    gap_to_median = colour_gaps(paper, median)
    disagree = gap_to_median > np.float32(settings["paper_agreement"])
    # A shadow's soft edge is a ramp: the window's median lies midway between its lightest and darkest
    # cells. The sheet's edge is a step: the median is the desk's, the far side from the paper.
    median_level = luminance(median)
    from_far_side = (median_level - dark_level) if dark_ink else (light_level - median_level)
    disagree &= from_far_side <= np.float32(settings["ramp_step"]) * (light_level - dark_level)
    # The sheet's edge on the desk is far from the paper: it is desk, with the cells next to it that
    # disagree. The desk is also what the picture's border shows: a cell farther from the border's colour
    # than every border cell is not desk, however far from the paper (the ink of a bold box drawn by the
    # sheet's edge). What else disagrees is desk when it reaches the picture's edge on its own; a soft
    # shadow's edge across the sheet reaches it only through the sheet's edge, and must not carry
    # the desk to a digit written beside it.
    desk_reach = max(np.float32(settings["desk_gap"]), border_ring(spread, 0).max())
    # Far is the cell's own colour too, not only its window's: paper between a bold dark digit and the
    # sheet's edge has a window of ink and desk, and must not carry the desk to the digit.
    own_gap = colour_gaps(paper, medians)
    desk_gap = np.float32(settings["desk_gap"])
    far = (gap_to_median > desk_gap) & (own_gap > desk_gap) & (spread <= desk_reach)
    strong = desk_cells(far, levels, uniform_level, dark_ink, spec)
    edge = strong | ((windowed_extreme(strong.astype(np.float32), 1, take_max=True) > 0) & disagree)
    desk = edge | desk_cells(disagree & ~edge, levels, uniform_level, dark_ink, spec)
    desk |= desk_beyond_the_sheet(desk, levels, dark_ink, spec)
    on_paper = np.repeat(np.repeat(~desk, cell, axis=0), cell, axis=1)[:height, :width]
    return np.repeat(np.repeat(paper, cell, axis=0), cell, axis=1)[:height, :width], on_paper


def find_marks(image: np.ndarray, background: np.ndarray, spec: dict) -> tuple[np.ndarray, float]:
    """Return (bool [h,w] marks, contrast): pixels whose colour stands out from the local paper.

    The floor sits above the paper's own variation (the map's typical distance, which is paper
    almost everywhere) and below typical ink, like the reading's ink map."""
    settings = spec["locate"]
    difference = image - background
    distance = np.sqrt((difference * difference).sum(axis=2, dtype=np.float32)).astype(np.float32)
    contrast = order_statistic(distance, settings["peak_percentile"])
    if contrast <= 0:
        return np.zeros(distance.shape, dtype=bool), 0.0
    noise = order_statistic(distance, settings["noise_percentile"])
    floor = (
        min(max(settings["noise_margin"] * noise / contrast, settings["min_floor"]), settings["max_floor"]) * contrast
    )
    return distance > np.float32(floor), contrast


def marks_paper_level(background: np.ndarray, marks: np.ndarray) -> float:
    """Return the (lower) median luminance of the paper under the marks.

    On a dark desk or board, its grain, scratches and reflections stand out as light marks; chalk and white
    ink stand out far more, so marks on dark paper must reach min_contrast_dark, not only min_contrast."""
    return order_statistic(luminance(background[marks]), 50)


def run_lengths(mask: np.ndarray, bridge: int = 0, dash_gap: int = 0, min_dash: int = 0) -> np.ndarray:
    """Return int32 [h,w]: for each marked pixel, the length of the horizontal run it belongs to.

    Runs separated by at most `bridge` unmarked pixels make one piece (a faint line breaks up). Pieces of
    at least `min_dash` pixels (dashes) separated by at most `dash_gap` count as one, with the short pieces
    between them: a dashed line, or one a scan or a photo broke up into dashes and specks. A stroke crossing
    a line is too short to be a dash; it stays thick across the line, so it keeps its pixels."""
    height, width = mask.shape
    lengths = np.zeros((height, width), dtype=np.int32)
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    for row in range(height):
        pieces: list[list[int]] = []  # [start, end): ends are one past the last marked pixel
        for start, end in zip(np.flatnonzero(edges[row] == 1), np.flatnonzero(edges[row] == -1), strict=True):
            if pieces and start - pieces[-1][1] <= bridge:
                pieces[-1][1] = int(end)
            else:
                pieces.append([int(start), int(end)])
        index = 0
        while index < len(pieces):
            last = index
            if pieces[index][1] - pieces[index][0] >= min_dash:
                probe = index + 1
                while probe < len(pieces) and pieces[probe][0] - pieces[last][1] <= dash_gap:
                    if pieces[probe][1] - pieces[probe][0] >= min_dash:
                        last = probe
                    probe += 1
            first, stop = pieces[index][0], pieces[last][1]
            chain = lengths[row, first:stop]  # a view: marked pixels only get the chain's length
            chain[mask[row, first:stop]] = stop - first
            index = last + 1
    return lengths


def shear_offsets(width: int, slope: float) -> np.ndarray:
    """Return int [w]: how far each column moves down so a line of that slope (rows per column) becomes level."""
    return np.array([math.floor(-slope * (column - width / 2) + 0.5) for column in range(width)], dtype=np.int64)


def edge_to_edge(band: np.ndarray, min_length: int, span: float) -> bool:
    """Return whether a band's pixels cover min_length columns and reach across `span` of its width."""
    covered = np.flatnonzero(band.any(axis=0))
    return len(covered) >= min_length and covered[-1] - covered[0] + 1 >= span * band.shape[1]


def level_lines(mask: np.ndarray, slope: float, spec: dict) -> np.ndarray:
    """Return bool [h,w]: marked pixels on lines of one slope (ruled, squared-paper or margin lines).

    The mask is sheared so those lines run level. Lines are found where the sheared mask, thickened by
    tilt_rows across them and with small breaks and the gaps between dashes bridged, runs on for
    min_length; a pixel is taken out with a line when its own run, thickened by line_rows only, does so
    too, and the mark is thin there (a stroke crossing the line is thick across it, so it keeps its
    pixels; a thin slanted one is restored by crossings). A digit's own long stroke (a 7's bar, a 1
    filling the frame) passes that test too, so lines count only where paper has them: several,
    parallel. A lone line stays a mark; if it is not part of the digit, drop_stray_marks and the
    scoring deal with it."""
    settings = spec["locate"]["lines"]
    height, width = mask.shape
    offsets = shear_offsets(width, slope)
    shift = int(-offsets.min())
    sheared = np.zeros((height + int(offsets.max()) + shift, width), dtype=bool)
    rows = np.arange(height)[:, None] + offsets[None, :] + shift
    columns = np.broadcast_to(np.arange(width)[None, :], (height, width))
    sheared[rows, columns] = mask
    min_length = max(2, round_half_up(settings["min_length_fraction"] * width))
    dash_gap = round_half_up(settings["dash_gap_fraction"] * width)
    min_dash = max(2, round_half_up(settings["min_dash_fraction"] * width))

    def on_runs(slack: int) -> np.ndarray:
        """The sheared pixels on runs of min_length once the sheared mask is thickened by `slack` rows across."""
        thickened = sheared.copy()
        for tilt in range(1, slack + 1):
            thickened[tilt:] |= sheared[:-tilt]
            thickened[:-tilt] |= sheared[tilt:]
        return (run_lengths(thickened, settings["bridge"], dash_gap, min_dash) >= min_length) & sheared

    long_enough = on_runs(settings["tilt_rows"])
    # Bands of sheared rows holding such runs, one per line; a band is a line when it covers min_length columns.
    counts = long_enough.sum(axis=1)
    lines = []
    row = 0
    while row < len(counts):
        if counts[row] == 0:
            row += 1
            continue
        first = row
        while row < len(counts) and counts[row] > 0:
            row += 1
        if int(long_enough[first:row].any(axis=0).sum()) >= min_length:
            lines.append((first, row))
    if len(lines) < settings["min_lines"]:
        return np.zeros_like(mask)
    # How thick a line may be: a ruled line up to max_thickness_fraction of the picture; a line from edge to
    # edge (a form's frame, cut around one cell) up to thickness_ratio x its own typical thickness, at most
    # max_line_thickness_fraction: a digit's stroke as thick stops short of the picture's edges.
    thickness = np.zeros_like(sheared, dtype=np.int32)
    thickness[rows, columns] = run_lengths(mask.T).T
    floor = max(1, round_half_up(settings["max_thickness_fraction"] * max(height, width)))
    cap = max(1, round_half_up(settings["max_line_thickness_fraction"] * max(height, width)))
    found = np.zeros_like(sheared)
    for first, stop in lines:
        band, across = long_enough[first:stop], thickness[first:stop]
        own = order_statistic(across[band], 50)
        thin = band & (across <= max(floor, min(cap, round_half_up(settings["thickness_ratio"] * own))))
        if not edge_to_edge(thin, min_length, settings["edge_span"]):
            thin = band & (across <= floor)
        found[first:stop] = thin
    # Taken out is only what lies on a line's own run, thickened by line_rows: found with tilt_rows of slack,
    # a line also takes in a stroke ending a few rows from it, or a 7's bar drawn just above it.
    found &= on_runs(settings["line_rows"])
    return found[rows, columns]


def line_pixels(mask: np.ndarray, spec: dict) -> np.ndarray:
    """Return bool [h,w]: marked pixels on paper lines running along the rows, level or slightly tilted."""
    settings = spec["locate"]["lines"]
    lines = np.zeros_like(mask)
    for step in range(-settings["tilt_steps"], settings["tilt_steps"] + 1):
        lines |= level_lines(mask, step * settings["tilt_step"], spec)
    return lines


def crossings(lines: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Return bool [h,w]: the pixels of lines running along the rows where a stroke crosses them: reached
    through line pixels, a column aside at most per row, both from a kept mark above and from one below.
    A thin slanted stroke is as thin across the line as the line itself, so the line's test takes its
    pixels there too (as far as the line's band reaches), and a 7 on ruled paper falls into pieces. A kept
    mark with line pixels beside it in its row (where two lines cross) lies in the line, not above it."""
    height = lines.shape[0]

    def beside(row: np.ndarray) -> np.ndarray:
        spread = row.copy()
        spread[1:] |= row[:-1]
        spread[:-1] |= row[1:]
        return spread

    flanked = np.zeros_like(lines)
    flanked[:, 1:] |= lines[:, :-1]
    flanked[:, :-1] |= lines[:, 1:]
    seeds = kept & ~flanked
    from_above = np.zeros_like(lines)
    from_below = np.zeros_like(lines)
    for row in range(1, height):
        from_above[row] = lines[row] & beside(seeds[row - 1] | from_above[row - 1])
    for row in range(height - 2, -1, -1):
        from_below[row] = lines[row] & beside(seeds[row + 1] | from_below[row + 1])
    return from_above & from_below


def clear_lines(marks: np.ndarray, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """Return (marks without ruled, squared-paper and margin lines, the line pixels taken out), keeping the
    lines' pixels where a stroke crosses them."""
    across = line_pixels(marks, spec)
    down = line_pixels(marks.T, spec).T
    lines = across | down
    kept = marks & ~lines
    lines &= ~(crossings(across, kept) | crossings(down.T, kept.T).T)
    return marks & ~lines, lines


def label_marks(marks: np.ndarray) -> tuple[np.ndarray, list[Mark]]:
    """Return (int32 labels [h,w], one Mark per 8-connected component, in raster order of first pixel)."""
    labels, count = ndimage.label(marks, structure=np.ones((3, 3), dtype=bool))
    labels = labels.astype(np.int32)
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    components = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        rows, columns = found
        components.append(Mark(rows.start, rows.stop - 1, columns.start, columns.stop - 1, int(areas[index]), (index,)))
    return labels, components


def side_coverage(inside: np.ndarray, band: int) -> tuple[float, float]:
    """Return (share of the box's positions along its four sides with a pixel within `band` of that side,
    share of the pixels further in than `band` that are marked), for a mark's pixels inside its own box."""
    height, width = inside.shape
    bands = (inside[:band, :], inside[height - band :, :], inside[:, :band].T, inside[:, width - band :].T)
    covered = sum(int(side.any(axis=0).sum()) for side in bands)
    middle = inside[band : height - band, band : width - band]
    return covered / (2 * (height + width)), int(middle.sum()) / max(1, middle.size)


def first_run(line: np.ndarray) -> tuple[int, int]:
    """Return (where the first run of marked pixels of a line starts, how long it is); (len, 0) when none."""
    start = int(line.argmax()) if line.any() else len(line)
    after = np.flatnonzero(~line[start:])
    return start, int(after[0]) if len(after) else len(line) - start


def outline_pixels(inside: np.ndarray, thickness: int) -> np.ndarray:
    """Return bool: the outermost `thickness` marked pixels seen from each of the four sides, row by row
    and column by column, so the outline of a box drawn at a slant or in perspective is found whole."""
    outline = np.zeros_like(inside)
    height, width = inside.shape
    lines = [(outline[row, :], inside[row, :]) for row in range(height)]
    lines += [(outline[:, column], inside[:, column]) for column in range(width)]
    for found, line in lines:
        for step in (1, -1):  # from either end; views, so `found` writes into `outline`
            start, length = first_run(line[::step])
            found[::step][start : start + min(length, thickness)] = True
    return outline


def row_span(row: np.ndarray) -> int:
    """Return how many columns lie from a row's first marked pixel to its last (0 when none is)."""
    columns = np.flatnonzero(row)
    return int(columns[-1] - columns[0] + 1) if len(columns) else 0


def underline_slopes(spec: dict) -> list[float]:
    """Return the slopes an underline is looked for at, level first: whole steps of slope_step up to about
    max_slope (a sheet turned on the desk slopes it)."""
    settings = spec["locate"]["underline"]
    steps = round_half_up(settings["max_slope"] / settings["slope_step"])
    return sorted((step * settings["slope_step"] for step in range(-steps, steps + 1)), key=abs)


def underline_start(inside: np.ndarray, settings: dict) -> int | None:
    """Return the first of a mark's lowest rows that are an underline, or None when they are not one.

    The lowest rows span most of the mark's width (min_span), are few (max_thickness of its height) and
    reach past what stands on them on the left (min_overhang of its width) and the right (min_overhang_right).
    A 2's base is as flat, but starts where its stroke comes down, at its left end: it never reaches past on
    the left."""
    filled = np.flatnonzero(inside.any(axis=1))
    height, width = int(filled[-1]) + 1, inside.shape[1]
    tall = height - int(filled[0])
    flat = 0  # the lowest rows spanning most of the mark's width
    while flat < tall and row_span(inside[height - 1 - flat]) >= settings["min_span"] * width:
        flat += 1
    if flat == 0 or flat > max(2, settings["max_thickness"] * tall) or tall - flat < settings["min_rest"] * tall:
        return None
    columns = np.flatnonzero(inside[: height - flat].any(axis=0))
    rest_width = columns[-1] - columns[0] + 1
    right_overhang = width - 1 - columns[-1]
    if (
        columns[0] < settings["min_overhang"] * rest_width
        or right_overhang < settings["min_overhang_right"] * rest_width
    ):
        return None
    return height - flat


def peel_underlines(marks: np.ndarray, labels: np.ndarray, components: list[Mark], spec: dict) -> np.ndarray:
    """Return the marks without a line drawn under a digit and touching it (on the coarse map a small gap closes).

    The line may slope (a sheet turned on the desk): the mark is sheared so each slope in turn runs
    level (level first), and the first slope whose lowest rows are an underline (underline_start) decides."""
    settings = spec["locate"]["underline"]
    slopes = underline_slopes(spec)
    peeled = marks
    for mark in components:
        if mark.height < settings["min_side"]:
            continue
        inside = labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1] == mark.labels[0]
        for slope in slopes:
            offsets = shear_offsets(mark.width, slope)
            offsets -= offsets.min()
            sheared_rows = np.arange(mark.height)[:, None] + offsets[None, :]  # each pixel's row once sheared
            sheared = np.zeros((mark.height + int(offsets.max()), mark.width), dtype=bool)
            sheared[sheared_rows[inside], np.nonzero(inside)[1]] = True
            start = underline_start(sheared, settings)
            if start is None:
                continue
            if peeled is marks:
                peeled = marks.copy()
            peeled[mark.top : mark.bottom + 1, mark.left : mark.right + 1] &= ~(inside & (sheared_rows >= start))
            break
    return peeled


def peel_frames(marks: np.ndarray, labels: np.ndarray, components: list[Mark], spec: dict) -> np.ndarray:
    """Return the marks without the outline of any box drawn around something (a form's cell, a box
    around the digit): a mark whose thin outline follows all four sides of its own box.

    The digit often touches such a box, and the two are then one mark; taking the outline off (the
    outermost pixels seen from each side, as thick as the box's line) frees the digit. A filled blob
    fills its middle, a 0 or an 8 leaves the corners empty, so neither is peeled."""
    settings = spec["locate"]["frames"]
    peeled = marks
    for mark in components:
        if min(mark.height, mark.width) < settings["min_side"]:
            continue
        band = max(1, round_half_up(settings["band_fraction"] * min(mark.height, mark.width)))
        inside = labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1] == mark.labels[0]
        coverage, fill = side_coverage(inside, band)
        if coverage < settings["min_coverage"] or fill > settings["max_middle_fill"]:
            continue
        if peeled is marks:
            peeled = marks.copy()
        runs = sorted(length for _, length in map(first_run, inside) if length)
        thickness = runs[(len(runs) - 1) // 2] + 1  # the box's line: the lower median of the rows' first runs
        peeled[mark.top : mark.bottom + 1, mark.left : mark.right + 1] &= ~outline_pixels(inside, thickness)
    return peeled


def edges_reached(mark: Mark, height: int, width: int, spec: dict) -> tuple[bool, bool, bool, bool]:
    """Return (top, bottom, left, right): which sides of the picture a mark comes within the edge band of."""
    band = spec["locate"]["stray"]["edge_band_fraction"]
    return (
        mark.top <= band * height,
        mark.bottom >= (1 - band) * height - 1,
        mark.left <= band * width,
        mark.right >= (1 - band) * width - 1,
    )


def crosses(mark: Mark, height: int, width: int, spec: dict) -> bool:
    """Whether a mark reaches two opposite sides of the picture."""
    top, bottom, left, right = edges_reached(mark, height, width, spec)
    return (top and bottom) or (left and right)


def is_upright_line(mark: Mark, spec: dict) -> bool:
    """Return whether a mark is a thin upright line: a 1, or what is left of a box's or a form cell's side."""
    return mark.height >= spec["locate"]["stray"]["line_elongation"] * mark.width


def is_edge_line(mark: Mark, height: int, width: int, spec: dict) -> bool:
    """Return whether a mark is a thin upright line hugging the picture's left or right edge, however short:
    a sheet's edge, a cell frame's remnant, a sliver of the desk where the sheet runs out of the picture.
    (Flat lines, along the top and bottom too, are dropped as flat dashes before this is asked.)"""
    if not is_upright_line(mark, spec):
        return False
    _, _, left, right = edges_reached(mark, height, width, spec)
    return left or right


def is_frame_corner(mark: Mark, height: int, width: int, spec: dict) -> bool:
    """Return whether a mark is the corner of a cell's frame cut by the picture's edge: two thin lines
    along adjacent edges, joined, so sparse in its box. A thin digit cropped tight is sparse too, but
    touches all four edges."""
    settings = spec["locate"]["stray"]
    top, bottom, left, right = edges_reached(mark, height, width, spec)
    long_side = max(mark.width / width, mark.height / height) >= settings["edge_line_length_fraction"]
    sparse = mark.area <= settings["corner_max_density"] * mark.width * mark.height
    return (top or bottom) and (left or right) and not (top and bottom and left and right) and long_side and sparse


def is_frame_line(mark: Mark, height: int, width: int, spec: dict) -> bool:
    """Return whether a mark is a thin upright line running from the picture's top edge to its bottom edge."""
    top, bottom, _, _ = edges_reached(mark, height, width, spec)
    return top and bottom and is_upright_line(mark, spec)


def off_the_desk(components: list[Mark], labels: np.ndarray, on_paper: np.ndarray, spec: dict) -> list[Mark]:
    """Return the components that keep a margin of paper around them, all but a tip (desk_touch_share of their
    pixels): what comes close to the desk along its length is the sheet's edge (or a shadow along it); a digit
    written down to the desk, or to a photo's dark edge, comes close only at a tip. With the desk in view the
    sheet lies inside the photo, so what reaches the photo's edge is the desk's too (wood grain, a cable)."""
    height, width = on_paper.shape
    margin = max(1, round_half_up(spec["locate"]["desk_margin"] * max(height, width)))
    near = windowed_extreme((~on_paper).astype(np.float32), margin, take_max=True) > 0
    touching = np.bincount(labels[near], minlength=len(components) + 1)
    desk_in_view = not on_paper.all()
    share = spec["locate"]["desk_touch_share"]
    return [
        component
        for component in components
        if touching[component.labels[0]] <= share * component.area
        and not (desk_in_view and reaches_the_edge(component, height, width))
    ]


def ink_and_paper(
    mark: Mark, labels: np.ndarray, image: np.ndarray, background: np.ndarray, spec: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Return (ink, paper), float32 [3] each: the mark's core colour (the desk_band_core percentile of its
    colours, from the paper's far side: a digit's mark may take in a shadow's edge) and the paper under it."""
    own = np.isin(labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1], mark.labels)
    colours = image[mark.top : mark.bottom + 1, mark.left : mark.right + 1][own]  # [n,3]
    papers = background[mark.top : mark.bottom + 1, mark.left : mark.right + 1][own]
    paper = np.array([order_statistic(papers[:, channel], 50) for channel in range(3)], dtype=np.float32)
    middle = np.array([order_statistic(colours[:, channel], 50) for channel in range(3)], dtype=np.float32)
    paper_level, middle_level = luminance(np.stack([paper, middle]))
    core = spec["locate"]["desk_band_core"]
    core = core if paper_level >= middle_level else 100 - core
    ink = np.array([order_statistic(colours[:, channel], core) for channel in range(3)], dtype=np.float32)
    return ink, paper


def is_desk_band(
    mark: Mark, labels: np.ndarray, marks: np.ndarray, image: np.ndarray, ink: np.ndarray, paper: np.ndarray, spec: dict
) -> bool:
    """Return whether a mark is a band of the desk along the sheet's edge, not ink: darker than the paper, and
    more than desk_band_alike of the unmarked ring around it (desk_band_ring pixels wide) nearer its ink than
    the paper under it. Paper surrounds a pen stroke; where the desk is near the paper's colour, the paper
    estimated within a cell of the sheet's edge makes the desk there a mark, and the desk beyond it, estimated
    as its own paper, is left unmarked: the band's colour goes on around it."""
    ink_level, paper_level = luminance(np.stack([ink, paper]))
    if ink_level >= paper_level:  # the sheet is lighter than the desk it lies on, as white paper on a desk is
        return False
    ring_width = spec["locate"]["desk_band_ring"]
    top, bottom = max(0, mark.top - ring_width), min(labels.shape[0], mark.bottom + ring_width + 1)
    left, right = max(0, mark.left - ring_width), min(labels.shape[1], mark.right + ring_width + 1)
    own = np.isin(labels[top:bottom, left:right], mark.labels)
    # What the mark encloses is its own: the middle of a stroke wider than the window that finds the paper.
    enclosed = ndimage.binary_fill_holes(own)
    near = windowed_extreme(enclosed.astype(np.float32), ring_width, take_max=True) > 0
    ring = near & ~enclosed & ~marks[top:bottom, left:right]
    if not ring.any():
        return False
    around = image[top:bottom, left:right][ring]  # [n,3]
    alike = int((colour_gaps(around, ink) < colour_gaps(around, paper)).sum())
    return alike > spec["locate"]["desk_band_alike"] * int(ring.sum())


def off_the_desk_bands(
    components: list[Mark], labels: np.ndarray, marks: np.ndarray, image: np.ndarray, background: np.ndarray, spec: dict
) -> list[Mark]:
    """Return the components that are neither a band of the desk (is_desk_band, at least desk_band_min_length of
    the map's long side: it runs along the sheet's edge) nor of a band's colour: once the desk is known by its
    bands, its grain elsewhere is desk too (within desk_band_likeness of a band's own distance from the paper)."""
    settings = spec["locate"]
    min_length = settings["desk_band_min_length"] * max(labels.shape)
    colours = {
        index: ink_and_paper(component, labels, image, background, spec)
        for index, component in enumerate(components)
        if max(component.height, component.width) >= min_length
    }
    bands = {
        index
        for index, (ink, paper) in colours.items()
        if is_desk_band(components[index], labels, marks, image, ink, paper, spec)
    }
    if not bands:
        return components
    band_colours = [colours[index] for index in sorted(bands)]
    likeness = np.float32(settings["desk_band_likeness"])
    # Marks smaller than drop_stray_marks keeps are left to it (none is long enough to be a band).
    min_area = settings["stray"]["min_area_fraction"] * labels.shape[0] * labels.shape[1]
    kept = []
    for index, component in enumerate(components):
        if index in bands:
            continue
        if component.area >= min_area:
            ink, _ = colours[index] if index in colours else ink_and_paper(component, labels, image, background, spec)
            if any(
                colour_gaps(ink, band_ink) < likeness * colour_gaps(band_ink, band_paper)
                for band_ink, band_paper in band_colours
            ):
                continue
        kept.append(component)
    return kept


def reaches_the_edge(mark: Mark, height: int, width: int) -> bool:
    """Return whether a mark's box touches the picture's edge."""
    return mark.top == 0 or mark.left == 0 or mark.bottom == height - 1 or mark.right == width - 1


def spans_across(mark: Mark, labels: np.ndarray) -> int:
    """Return how far the mark reaches across its long side, summed over the rows (or columns) along it: about
    its pixel count for a line, straight or bent, which each row meets once; more for a stroke that comes back
    (the two sides of a 6's loop, and the paper between them, in one row)."""
    if mark.width > mark.height:  # its columns: the rows of the turned map
        mark = replace(mark, top=mark.left, bottom=mark.right, left=mark.top, right=mark.bottom)
        labels = labels.T
    return sum(last - first for _, first, last in row_extents(mark, labels))


def is_long_line(mark: Mark, labels: np.ndarray, height: int, width: int, spec: dict) -> bool:
    """Return whether a mark is a thin line longer than a digit can be in a photo: a sheet's edge, a fold, a cable.

    Its length and pixel count tell, so it may run in any direction, bend or join at corners; and it does not
    come back across itself, as a big digit written with a thin pen does."""
    settings = spec["locate"]["stray"]
    length = max(mark.height, mark.width)
    thickness = settings["long_line_thickness"] * max(height, width)
    return (
        length >= settings["long_line_fraction"] * min(height, width)
        and mark.area <= thickness * length
        and spans_across(mark, labels) <= settings["line_max_spans"] * mark.area
    )


def leaves_room(frame: Mark, inner: Mark, gap: float) -> bool:
    """Return whether `inner` lies inside `frame`'s box with room on every side: more than `gap` of the frame's
    height above and below it, of its width left and right."""
    return (
        inner.top - frame.top > gap * frame.height
        and frame.bottom - inner.bottom > gap * frame.height
        and inner.left - frame.left > gap * frame.width
        and frame.right - inner.right > gap * frame.width
    )


def drop_stray_marks(
    components: list[Mark], labels: np.ndarray, height: int, width: int, even: bool, spec: dict
) -> list[Mark]:
    """Return the components that may belong to a digit: no specks, no flat dashes, no lines along the edge,
    no hollow frame drawn around other marks; in a photo (unevenly lit), no line longer than a digit unless
    it is the only mark and reaches no edge."""
    settings = spec["locate"]["stray"]
    if not components:
        return []
    largest = max(component.area for component in components)
    minimum = max(settings["min_area_fraction"] * height * width, settings["speck_fraction"] * largest)
    kept = [
        component
        for component in components
        if component.area >= minimum
        and component.width < settings["line_elongation"] * component.height
        and not is_edge_line(component, height, width, spec)
        and not is_frame_corner(component, height, width, spec)
    ]
    if not even:
        # A photo's long thin lines are sheets' edges, folds and cables, unless one stands alone on the paper,
        # away from the picture's edges: that is the mark someone made, a bold 1 filling the picture.
        lines = [component for component in kept if is_long_line(component, labels, height, width, spec)]
        kept = [component for component in kept if component not in lines]
        if not kept and len(lines) == 1 and not any(edges_reached(lines[0], height, width, spec)):
            kept = lines
    # A thin upright line from the picture's top edge to its bottom edge, much taller than every other mark
    # that may be a digit, is a cell's frame, not a 1 (a 1 cropped tight is as tall as the digits beside it).
    frame_lines = [component for component in kept if is_frame_line(component, height, width, spec)]
    others = [component for component in kept if component not in frame_lines]
    if frame_lines and others:
        tallest = max(component.height for component in others)
        kept = [
            component
            for component in kept
            if component not in frame_lines or component.height < settings["frame_line_ratio"] * tallest
        ]
    if len(kept) > settings["max_marks"]:
        # Grainy paper or a textured desk leaves many marks; a digit is among the biggest, and the grouping
        # below compares every pair, so only the biggest go on (in their raster order).
        kept = sorted(
            sorted(kept, key=lambda mark: (-mark.area, mark.labels[0]))[: settings["max_marks"]],
            key=lambda mark: mark.labels[0],
        )
    # A frame is hollow and leaves room around what it holds; an outlined clip-art digit is hollow too, but
    # the fills inside it hug its outline.
    gap = settings["frame_min_gap"]
    frames = {
        frame.labels
        for frame in kept
        if frame.area < settings["frame_max_density"] * frame.height * frame.width
        and any(
            inner is not frame
            and leaves_room(frame, inner, gap)
            and inner.height >= settings["frame_min_inner_height"] * frame.height
            for inner in kept
        )
    }
    return [component for component in kept if component.labels not in frames]


def drop_outlines(marks: np.ndarray, spec: dict) -> np.ndarray:
    """Return the marks without a sheet's outline: a hollow ring spanning most of the map (outline_span both
    ways) around another mark that is no speck. Where the desk beside a sheet passes for paper, the band of
    desk along the sheet's edge is marked; the lines step would cut it into pieces, a 1 or a 7 beside the digit.
    Photos only: a scanned form cell's frame may touch the digit, and the two are one ring."""
    settings = spec["locate"]["stray"]
    height, width = marks.shape
    labels, components = label_marks(marks)
    gap = settings["frame_min_gap"]
    outlines = [
        ring.labels[0]
        for ring in components
        if ring.height >= settings["outline_span"] * height
        and ring.width >= settings["outline_span"] * width
        and ring.area < settings["frame_max_density"] * ring.height * ring.width
        and any(
            inner is not ring
            and inner.area >= settings["min_area_fraction"] * height * width
            and leaves_room(ring, inner, gap)
            for inner in components
        )
    ]
    return marks & ~np.isin(labels, outlines) if outlines else marks


def belong_together(first: Mark, second: Mark, spec: dict) -> bool:
    """Return whether two parts are one digit: close in height (a dot far under a 1 is not its part), and
    stacked (a 5's flag, a 4's stroke, a broken stroke), or side by side as below."""
    settings = spec["locate"]["grouping"]
    tallest = max(first.height, second.height)
    if max(first.top, second.top) - min(first.bottom, second.bottom) - 1 > settings["max_row_gap"] * tallest:
        return False
    overlap = min(first.right, second.right) - max(first.left, second.left) + 1
    if overlap >= settings["min_column_overlap"] * min(first.width, second.width):
        upper, lower = (first, second) if first.top <= second.top else (second, first)
        flat = lower.width >= settings["underline_flatness"] * (lower.level_height or lower.height)
        underline = flat and lower.top > upper.bottom - lower.height
        return not underline  # a line under a digit is not a part of it
    # Side by side: digits of a number stand apart on one line. Parts that overlap and together are
    # no wider than a digit are one digit cut by a ruled line; a 4 written in two strokes is misaligned.
    if overlap > 0:
        width = max(first.right, second.right) - min(first.left, second.left) + 1
        height = max(first.bottom, second.bottom) - min(first.top, second.top) + 1
        if width <= settings["max_merged_aspect"] * height:
            return True
    if -overlap > settings["max_side_gap"] * tallest:
        return False
    misalignment = abs(first.top - second.top) + abs(first.bottom - second.bottom)
    return misalignment >= settings["min_misalignment"] * tallest


def merge(first: Mark, second: Mark) -> Mark:
    """Return one mark covering both."""
    return Mark(
        min(first.top, second.top),
        max(first.bottom, second.bottom),
        min(first.left, second.left),
        max(first.right, second.right),
        first.area + second.area,
        tuple(sorted(first.labels + second.labels)),
    )


def level_heights(components: list[Mark], labels: np.ndarray, spec: dict) -> list[Mark]:
    """Return the components with their level_height: the fewest rows each spans once sheared at one of the
    underline slopes. A sloping line is then as flat as a level one, and a curve (a digit's bowl cut off by
    a ruled line) as tall as its box, whatever the slope (belong_together)."""
    slopes = underline_slopes(spec)
    measured = []
    for mark in components:
        rows, columns = np.nonzero(labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1] == mark.labels[0])
        heights = [int(np.ptp(rows + shear_offsets(mark.width, slope)[columns])) + 1 for slope in slopes]
        measured.append(replace(mark, level_height=min(heights)))
    return measured


def group_parts(components: list[Mark], spec: dict) -> list[Mark]:
    """Return the components merged into digit candidates, merging pairs until none belong together."""
    groups = list(components)
    merged = True
    while merged:
        merged = False
        for first_index in range(len(groups)):
            for second_index in range(first_index + 1, len(groups)):
                if belong_together(groups[first_index], groups[second_index], spec):
                    groups[first_index] = merge(groups[first_index], groups[second_index])
                    del groups[second_index]
                    merged = True
                    break
            if merged:
                break
    return groups


def candidate_score(mark: Mark, height: int, width: int, spec: dict) -> float:
    """Return how much a candidate looks like the digit a person meant: big, central, inside the picture,
    no flatter than a digit (a flat one is a dash, a shadow's or a sheet's edge)."""
    settings = spec["locate"]["scoring"]
    centre_row = (mark.top + mark.bottom) / 2
    centre_column = (mark.left + mark.right) / 2
    row_offset = (centre_row - (height - 1) / 2) / height
    column_offset = (centre_column - (width - 1) / 2) / width
    offset = math.sqrt(row_offset * row_offset + column_offset * column_offset)  # not hypot: JS's may round apart
    score = mark.area * (1 - settings["centre_weight"] * min(offset / 0.5, 1))
    touches = mark.top == 0 or mark.left == 0 or mark.bottom == height - 1 or mark.right == width - 1
    flat = mark.width >= settings["flat_aspect"] * mark.height
    return score * (settings["border_factor"] if touches else 1) * (settings["flat_factor"] if flat else 1)


def in_row(mark: Mark, anchor: Mark, spec: dict) -> bool:
    """Return whether a candidate could be another digit of the anchor's number: similar height, same line.

    Beside a thin upright line the bounds are closer (line_height_ratio, line_row_overlap): a 1 written in a
    number is about as tall as its neighbours and stands on their line, but the side of a box drawn around a
    digit, or a form cell's, is taller, shorter or shifted (a 4 in a cell read as 14)."""
    settings = spec["locate"]["row"]
    line = is_upright_line(mark, spec) or is_upright_line(anchor, spec)
    min_ratio = settings["line_height_ratio" if line else "min_height_ratio"]
    ratio = mark.height / anchor.height
    if not min_ratio <= ratio <= 1 / min_ratio:
        return False
    overlap = min(mark.bottom, anchor.bottom) - max(mark.top, anchor.top) + 1
    min_overlap = settings["line_row_overlap" if line else "min_row_overlap"]
    return overlap >= min_overlap * min(mark.height, anchor.height)


def pick_digits(
    candidates: list[Mark], height: int, width: int, factor: int, spec: dict
) -> tuple[list[Mark], str | None]:
    """Return (the digits, left to right, reason None) or ([], reason): the best candidate and its row neighbours.

    The best is no digit when it is small for the map, or spans fewer than min_digit_pixels of the picture
    itself (`factor` of them per map pixel) in a picture with room for twice as many: a crumb nobody can read
    (a picture too small for that, an 8x8 icon, is read as it is)."""
    settings = spec["locate"]["row"]
    if not candidates:
        return [], ONLY_SPECKS
    scores = [candidate_score(candidate, height, width, spec) for candidate in candidates]
    best = candidates[int(np.argmax(scores))]
    extent = max(best.height, best.width)
    min_pixels = spec["locate"]["min_digit_pixels"]
    if extent < spec["locate"]["min_digit_fraction"] * min(height, width) or (
        extent * factor < min_pixels and min(height, width) * factor >= 2 * min_pixels
    ):
        return [], ONLY_SPECKS
    row = sorted((c for c in candidates if c is best or in_row(c, best, spec)), key=lambda c: (c.left, c.top))
    position = row.index(best)
    first = last = position
    max_gap = settings["max_gap"] * best.height
    while first > 0 and row[first].left - row[first - 1].right - 1 <= max_gap:
        first -= 1
    while last < len(row) - 1 and row[last + 1].left - row[last].right - 1 <= max_gap:
        last += 1
    digits = row[first : last + 1]
    if len(digits) > settings["max_digits"]:
        return [], TOO_MANY
    return digits, None


def is_shade(mark: Mark, height: int, width: int, spec: dict) -> bool:
    """Return whether a mark is a block of shade, not a stroke: solid, wider than a stroke both ways, and
    reaching the picture's edge (a shadow on a sheet that fills the frame, taken for evenly lit paper)."""
    settings = spec["locate"]["shade"]
    return (
        reaches_the_edge(mark, height, width)
        and min(mark.height, mark.width) >= settings["min_side"] * min(height, width)
        and mark.area >= settings["min_fill"] * mark.height * mark.width
    )


def row_extents(mark: Mark, labels: np.ndarray) -> list[tuple[int, int, int]]:
    """Return (row, first column, last column + 1) of each map row holding the mark's pixels."""
    inside = np.isin(labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1], mark.labels)
    extents = []
    for row in np.flatnonzero(inside.any(axis=1)):
        columns = np.flatnonzero(inside[row])
        extents.append((mark.top + int(row), mark.left + int(columns[0]), mark.left + int(columns[-1]) + 1))
    return extents


def twice_hull_area(extents: list[tuple[int, int, int]]) -> int:
    """Return twice the area of the convex hull of row extents, each row's ends taken as whole pixels
    (Andrew's monotone chain on their corners: exact in integers)."""
    points = sorted(
        {
            point
            for row, first, last in extents
            for point in ((first, row), (first, row + 1), (last, row), (last, row + 1))
        }
    )

    def turn(origin: tuple[int, int], first: tuple[int, int], second: tuple[int, int]) -> int:
        return (first[0] - origin[0]) * (second[1] - origin[1]) - (first[1] - origin[1]) * (second[0] - origin[0])

    hull: list[tuple[int, int]] = []
    for chain in (points, points[::-1]):  # the lower half, then the upper
        start = len(hull)
        for point in chain:
            while len(hull) >= start + 2 and turn(hull[-2], hull[-1], point) <= 0:
                hull.pop()
            hull.append(point)
        hull.pop()  # each half ends where the other starts
    return abs(sum(hull[i - 1][0] * hull[i][1] - hull[i][0] * hull[i - 1][1] for i in range(len(hull))))


def is_sheet(mark: Mark, labels: np.ndarray, spec: dict) -> bool:
    """Return whether a mark fills its convex hull as a sheet of paper does (sheet_solidity), however it is
    turned; a digit's strokes, however bold, leave its hull's corners and its holes empty."""
    return 2 * mark.area >= spec["locate"]["sheet_solidity"] * twice_hull_area(row_extents(mark, labels))


def is_block(mark: Mark, labels: np.ndarray, spec: dict) -> bool:
    """Return whether a mark is a block of ink a digit may be cut out of (a badge, a tile, a sticky note):
    filled from each row's first pixel to its last, it is as solid as a sheet, and most of that is ink
    (block_density)."""
    extents = row_extents(mark, labels)
    filled = sum(last - first for _, first, last in extents)
    settings = spec["locate"]
    solid = 2 * filled >= settings["sheet_solidity"] * twice_hull_area(extents)
    return solid and mark.area >= settings["block_density"] * filled


def parts_of(mark: Mark, labels: np.ndarray) -> list[Mark]:
    """Return each component of a mark (a group) as a mark of its own, over the group's box."""
    box = labels[mark.top : mark.bottom + 1, mark.left : mark.right + 1]
    return [replace(mark, area=int((box == label).sum()), labels=(label,)) for label in mark.labels]


def look_inside(image: np.ndarray, factor: int, block: Mark, spec: dict) -> Located | None:
    """Return the digits found inside a block of ink, its box inset by block_inset read as a picture of its
    own, or None when what is found there is no digit cut out of it: it stands out from the block less than
    block_min_contrast (the shading of a smudge), reaches the inset box's edge (the paper in a bold digit's
    bays), is shorter than a frame's content (frame_min_inner_height: a gap in a blot), or every part of it is
    convex (a bold 0's counter, an 8's two)."""
    settings = spec["locate"]
    inset_rows = round_half_up(settings["block_inset"] * block.height)
    inset_columns = round_half_up(settings["block_inset"] * block.width)
    top, left = block.top + inset_rows, block.left + inset_columns
    bottom, right = block.bottom + 1 - inset_rows, block.right + 1 - inset_columns
    if min(bottom - top, right - left) < settings["frames"]["min_side"]:
        return None
    inside = locate_on_map(image[top:bottom, left:right], factor, JUDGED, spec)
    if inside.labels is None or inside.contrast < settings["block_min_contrast"]:  # a smudge's shading
        return None
    for digit in inside.digits:
        if (
            reaches_the_edge(digit, bottom - top, right - left)
            or digit.height < settings["stray"]["frame_min_inner_height"] * block.height
            or all(is_sheet(part, inside.labels, spec) for part in parts_of(digit, inside.labels))
        ):
            return None
    labels = np.zeros(image.shape[:2], dtype=inside.labels.dtype)
    labels[top:bottom, left:right] = inside.labels
    taken_off = np.zeros(image.shape[:2], dtype=bool)
    if inside.taken_off is not None:
        taken_off[top:bottom, left:right] = inside.taken_off
    digits = [
        replace(digit, top=digit.top + top, bottom=digit.bottom + top, left=digit.left + left, right=digit.right + left)
        for digit in inside.digits
    ]
    return replace(inside, digits=digits, labels=labels, taken_off=taken_off)


def locate(rgb: np.ndarray, spec: dict) -> Located:
    """Return the digits found in a float32 RGB picture [H,W,3] (composited), left to right, or the reason.

    Paper judged evenly lit is looked at again as lit unevenly when a block of shade is among the digits;
    a picture judged a sheet on a darker desk where no digit is found, as evenly lit when its border is. A
    digit found as one block of ink is looked inside: a digit may be cut out of it (a white 5 on a red disc)."""
    image, factor = reduce_to_map(rgb, spec)  # [h,w,3], long side <= map_side
    located = locate_on_map(image, factor, JUDGED, spec)
    height, width = image.shape[:2]
    if located.even and any(is_shade(digit, height, width, spec) for digit in located.digits):
        return locate_on_map(image, factor, UNEVEN, spec)
    if not located.even and not located.digits:
        # Much of the picture lighter than its even border is a sheet on a darker desk, or a bold light digit
        # filling the picture (a white 5 on a blue tile), whose strokes are wider than the cells that tell
        # paper from ink. Looking for ink on the sheet found nothing, so the light part is read as ink,
        # unless it is a blank sheet.
        again = locate_on_map(image, factor, BORDER, spec)
        labels = again.labels  # None when no digit is found
        if again.even and labels is not None and not any(is_sheet(digit, labels, spec) for digit in again.digits):
            located = again
    if not located.even and not located.digits:
        # Nothing found among the cells: a stroke wider than they are, under light from one side, passes for
        # paper or desk. Light from one side is a plane; read against it, the stroke is ink however wide.
        # Not a mark from edge to edge of the photo, though: that is a pen or a cable across the desk.
        again = locate_on_map(image, factor, SLOPE, spec)
        labels = again.labels
        if (
            again.even
            and labels is not None
            and not any(is_sheet(digit, labels, spec) or crosses(digit, height, width, spec) for digit in again.digits)
        ):
            located = again
    if len(located.digits) == 1 and located.labels is not None and is_block(located.digits[0], located.labels, spec):
        inside = look_inside(image, factor, located.digits[0], spec)
        if inside is not None:
            return inside
    return located


def locate_on_map(image: np.ndarray, factor: int, lighting: str, spec: dict) -> Located:
    """Return the digits found on the map, or the reason; the light judged as `lighting` says."""
    height, width = image.shape[:2]
    background, on_paper = estimate_background(image, spec, lighting)  # [h,w,3], bool [h,w] or None
    even = on_paper is None
    marks, contrast = find_marks(image, background, spec)  # bool [h,w]
    if on_paper is not None:
        marks &= on_paper
    settings = spec["locate"]
    if contrast < settings["min_contrast"]:
        return Located([], None, factor, NO_CONTRAST, even, contrast)
    if not marks.any():
        return Located([], None, factor, NO_MARKS, even, contrast)
    if contrast < settings["min_contrast_dark"] and marks_paper_level(background, marks) < settings["dark_paper"]:
        return Located([], None, factor, NO_CONTRAST, even, contrast)
    if not even:  # a photo: a sheet's edge may ring it (a scanned cell's frame is left to the steps below)
        marks = drop_outlines(marks, spec)
    cleared, _ = clear_lines(marks, spec)
    for mask in (cleared, marks):
        # With the lines out nothing may be left: a thin digit filling the frame is itself a long line.
        labels, components = label_marks(mask)
        peeled = peel_frames(mask, labels, components, spec)
        if peeled is not mask:
            labels, components = label_marks(peeled)
        unlined = peel_underlines(peeled, labels, components, spec)
        if unlined is not peeled:
            labels, components = label_marks(unlined)
        if on_paper is not None:
            components = off_the_desk(components, labels, on_paper, spec)
            components = off_the_desk_bands(components, labels, mask, image, background, spec)
        # Light from one side is a photo's: its long lines are the desk's (a pen, a cable), as on uneven paper.
        scan = even and lighting != SLOPE
        kept = level_heights(drop_stray_marks(components, labels, height, width, scan, spec), labels, spec)
        candidates = group_parts(kept, spec)
        digits, reason = pick_digits(candidates, height, width, factor, spec)
        if digits:
            return Located(digits, labels, factor, None, even, contrast, mask & ~peeled)
    return Located([], None, factor, reason, even, contrast)
