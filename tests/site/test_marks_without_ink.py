"""Both twins of the reading (training/preprocess.py, preprocess.js under node): a mark the coarse map located that
holds no ink in the decoded picture (a shadow's edge) is dropped beside other digits, and alone is no digit.

The localisation is replaced by a fixed answer, so the rule is tested on its own: the map is the picture itself
(factor 1), one mark lies on the 7's strokes, the other on blank paper."""

from __future__ import annotations

import numpy as np
import pytest

from tests import node_scripts, pictures
from tests.paths import JS_DIR
from training import locate, preprocess

SPEC = preprocess.load_spec()
SEVEN = (110, 20, 170, 100)  # left, top, right, bottom of the drawn 7
BLANK = (30, 20, 40, 100)  # a tall mark's box on paper with nothing on it

# Loads the reading with snapmathLocate answering `located`, then reads the picture.
READ_WITH_LOCATED = """(r) => {
  globalThis.snapmathLocate = { locate: () => ({ ...r.located, labels: Int32Array.from(r.located.labels) }) };
  const read = globalThis.snapmathPreprocess.preprocess(
    { data: Uint8ClampedArray.from(r.rgba), width: r.width, height: r.height }, r.spec);
  return { reason: read.reason, boxes: read.digits.map((digit) => digit.box) };
}"""


def picture_and_marks() -> tuple[np.ndarray, np.ndarray, locate.Mark, locate.Mark]:
    """Return (RGBA [H,W,4] of a 7 on paper, int32 labels [H,W], the blank mark, the 7's mark)."""
    paper = pictures.paper_texture((200, 120), (236, 233, 222), 3, seed=17)
    paper[:, 18:22] *= 0.7  # a shadow's edge in the blank mark's crop, beside its mask: the crop has contrast
    _, rgba = pictures.written_on(paper, "7", SEVEN, 7, (20, 30, 90))
    labels = np.zeros(rgba.shape[:2], dtype=np.int32)
    left, top, right, bottom = BLANK
    labels[top : bottom + 1, left : right + 1] = 1
    ink = np.asarray(pictures.mask((200, 120), "7", SEVEN, 7)) > 127
    labels[ink] = 2
    rows, columns = np.nonzero(ink)
    blank = locate.Mark(top, bottom, left, right, (bottom - top + 1) * (right - left + 1), (1,))
    seven = locate.Mark(int(rows.min()), int(rows.max()), int(columns.min()), int(columns.max()), int(ink.sum()), (2,))
    return rgba, labels, blank, seven


def read_python(monkeypatch, marks: list[locate.Mark]) -> tuple[str | None, list[tuple[int, int, int, int]]]:
    rgba, labels, _, _ = picture_and_marks()
    monkeypatch.setattr(locate, "locate", lambda rgb, spec: locate.Located(marks, labels, 1, None))
    read = preprocess.preprocess(rgba, SPEC)
    return read.reason, [digit.box for digit in read.digits]


def read_js(marks: list[locate.Mark], shim) -> tuple[str | None, list[tuple[int, int, int, int]]]:
    rgba, labels, _, _ = picture_and_marks()
    height, width = labels.shape
    located = {
        "digits": [
            {"top": m.top, "bottom": m.bottom, "left": m.left, "right": m.right, "area": m.area, "labels": m.labels}
            for m in marks
        ],
        "labels": labels.ravel().tolist(),
        "mapHeight": height,
        "mapWidth": width,
        "factor": 1,
        "reason": None,
    }
    request = {"located": located, "rgba": rgba.ravel().tolist(), "width": width, "height": height, "spec": SPEC}
    scripts = [shim, JS_DIR / "pixels.js", JS_DIR / "locate.js", JS_DIR / "preprocess.js"]
    read = node_scripts.ask(scripts, READ_WITH_LOCATED, request)
    assert "thrown" not in read, read
    return read["reason"], [(b["x"], b["y"], b["width"], b["height"]) for b in read["boxes"]]


@pytest.fixture(scope="module")
def window_shim(tmp_path_factory):
    """A script that lets the page's classic scripts (which set window.snapmath*) load under node."""
    shim = tmp_path_factory.mktemp("node") / "window.js"
    shim.write_text("globalThis.window = globalThis;\n")
    return shim


@pytest.fixture(params=["python", "js"])
def read(request, monkeypatch, window_shim):
    """Return a function reading the test picture with the given located marks in one twin."""
    if request.param == "python":
        return lambda marks: read_python(monkeypatch, marks)
    return lambda marks: read_js(marks, window_shim)


def test_a_mark_without_ink_beside_a_digit_is_dropped(read):
    _, _, blank, seven = picture_and_marks()
    reason, boxes = read([blank, seven])
    assert reason is None
    left, top, right, bottom = seven.left, seven.top, seven.right, seven.bottom
    assert boxes == [(left, top, right - left + 1, bottom - top + 1)]  # only the 7 is read


def test_a_mark_without_ink_alone_is_no_digit(read):
    _, _, blank, _ = picture_and_marks()
    assert read([blank]) == (preprocess.NO_INK, [])


def test_a_mark_on_a_blank_crop_beside_a_digit_is_dropped(read):
    """A mark whose crop holds no contrast at all reads as a blank picture; beside a digit it is dropped too."""
    _, _, _, seven = picture_and_marks()
    far = locate.Mark(20, 100, 70, 80, 891, (1,))  # between the shadow and the 7: its crop is uniform paper
    reason, boxes = read([far, seven])
    assert reason is None
    assert len(boxes) == 1


def test_both_marks_with_ink_are_both_read(read):
    """The rule drops only marks without ink: two located marks on ink are both read (a number)."""
    _, _, _, seven = picture_and_marks()
    reason, boxes = read([seven, seven])
    assert reason is None
    assert len(boxes) == 2
