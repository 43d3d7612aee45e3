"""Check that the converted TF.js model computes what the SavedModel computes, on built-in inputs.

The SavedModel runs in TensorFlow (Python); the converted model runs in Node.js inside the exact
TF.js runtime files and `embedded.js` written to dist/, on the CPU backend the page uses. Comparing
the two catches a broken graph conversion, lost or mis-quantized weights, a runtime kernel that
differs, and a corrupt embedded copy -- reading weights back in numpy would only catch the second.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from build import node
from build.errors import BuildError
from training import data

PARITY_SCRIPT = Path(__file__).resolve().parent / "parity.js"
NODE_TIMEOUT_SECONDS = 120
# Largest allowed |probability difference| per quantization. Unquantized: float32 kernels in two
# runtimes (the 1e-4). Quantized: above the worst difference measured on the 10k MNIST test
# images (float16 4.4e-3, uint8 7.6e-2; see build/config.py). A tolerance t also guarantees the same
# digit wherever the SavedModel's top two probabilities differ by more than 2t.
TOLERANCES = {"none": 1e-4, "float16": 2e-2, "uint8": 1e-1}

# Seven-segment strokes on a 20x20 box: (row0, col0, row1, col1) of each segment's rectangle.
_SEGMENTS = {
    "top": (0, 3, 3, 17),
    "upper_left": (1, 2, 10, 5),
    "upper_right": (1, 15, 10, 18),
    "middle": (8, 3, 11, 17),
    "lower_left": (10, 2, 19, 5),
    "lower_right": (10, 15, 19, 18),
    "bottom": (17, 3, 20, 17),
}
_DIGIT_SEGMENTS = {
    0: "top upper_left upper_right lower_left lower_right bottom",
    1: "upper_right lower_right",
    2: "top upper_right middle lower_left bottom",
    3: "top upper_right middle lower_right bottom",
    4: "upper_left upper_right middle lower_right",
    5: "top upper_left middle lower_right bottom",
    6: "top upper_left middle lower_left lower_right bottom",
    7: "top upper_right lower_right",
    8: "top upper_left upper_right middle lower_left lower_right bottom",
    9: "top upper_left upper_right middle lower_right bottom",
}
_NOISE_IMAGES = 5
# Columns of the outputs compared: the 10 digit probabilities, then the "not_digit" output (issue 10;
# 0 for a model without it), so the check covers every output of the serving signature.
OUTPUT_COLUMNS = (*(f"probability of {digit}" for digit in range(data.NUM_CLASSES)), "not_digit")


@dataclasses.dataclass(frozen=True)
class ParityResult:
    """How closely the converted model matched the SavedModel."""

    inputs: int
    max_difference: float
    same_digit: int  # inputs where both models pick the same digit
    tolerance: float


def check_inputs() -> tuple[list[str], np.ndarray]:
    """Return names and float32 images [N, 28, 28, 1] in 0..1: blank, ten drawn digits, seeded noise."""
    side = data.IMAGE_SIDE
    names, images = ["blank"], [np.zeros((side, side), np.float32)]
    for digit, segments in _DIGIT_SEGMENTS.items():
        box = np.zeros((20, 20), np.float32)
        for segment in segments.split():
            row0, col0, row1, col1 = _SEGMENTS[segment]
            box[row0:row1, col0:col1] = 1.0
        image = np.zeros((side, side), np.float32)
        image[4:24, 4:24] = box  # MNIST digits sit in a 20x20 box centred in 28x28
        names.append(f"digit {digit}")
        images.append(image)
    # Noise drives every weight, including ones the clean shapes leave near zero.
    rng = np.random.default_rng(20_240_601)
    for index in range(_NOISE_IMAGES):
        names.append(f"noise {index}")
        images.append(rng.random((side, side), dtype=np.float32))
    return names, np.stack(images)[..., np.newaxis]


def reference_probabilities(model_dir: Path, images: np.ndarray) -> np.ndarray:
    """Return the SavedModel's outputs [N, 11] for `images` (OUTPUT_COLUMNS); BuildError if it cannot run."""
    from training import exports

    try:
        probabilities, not_digit = exports.load_reader(model_dir)(images)
    except Exception as error:  # a broken SavedModel fails in many TF-specific ways
        message = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )  # TF appends a stack
        raise BuildError(f"cannot run the SavedModel in {model_dir}: {message}") from error
    if probabilities.shape != (len(images), data.NUM_CLASSES):
        raise BuildError(
            f"the SavedModel in {model_dir} returns shape {list(probabilities.shape)}, "
            f"expected [N, {data.NUM_CLASSES}] probabilities"
        )
    return np.concatenate([probabilities, not_digit.reshape(-1, 1)], axis=1)


def tfjs_probabilities(embedded_js: Path, runtime_scripts: list[Path], images: np.ndarray) -> np.ndarray:
    """Return the outputs [N, 11] (OUTPUT_COLUMNS) of the TF.js runtime in Node.js on the embedded model."""
    request = json.dumps({"pixels": np.asarray(images, np.float32).reshape(-1).tolist()})
    output = node.run_script(
        PARITY_SCRIPT,
        [str(embedded_js), *map(str, runtime_scripts)],
        request,
        NODE_TIMEOUT_SECONDS,
        f"the converted model does not run in TF.js ({embedded_js})",
    )
    result = json.loads(output)
    probabilities = np.asarray(result["probabilities"], np.float64).reshape(-1, data.NUM_CLASSES)
    not_digit = np.asarray(
        result["notDigit"] if result.get("notDigit") is not None else np.zeros(len(probabilities)), np.float64
    )
    return np.concatenate([probabilities, not_digit.reshape(-1, 1)], axis=1)


def compare(
    names: list[str], reference: np.ndarray, converted: np.ndarray, quantize: str, weight_grid: str | None = None
) -> ParityResult:
    """Return how the two models agree; BuildError naming the worst input if beyond the tolerance.

    A model whose weights already lie on the grid they are stored on (`weight_grid`, training/quantize.py)
    loses nothing to it: float32's tolerance."""
    tolerance = TOLERANCES["none"] if quantize == weight_grid else TOLERANCES[quantize]
    grid = f" of a model on the {weight_grid} grid" if quantize == weight_grid else ""
    if converted.shape != reference.shape:
        raise BuildError(
            f"the converted model returns shape {list(converted.shape)}, the SavedModel {list(reference.shape)}"
        )
    gaps = np.abs(converted - reference)
    differences = gaps.max(axis=1)
    worst = int(differences.argmax())
    result = ParityResult(
        inputs=len(reference),
        max_difference=float(differences[worst]),
        same_digit=int(
            (converted[:, : data.NUM_CLASSES].argmax(axis=1) == reference[:, : data.NUM_CLASSES].argmax(axis=1)).sum()
        ),
        tolerance=tolerance,
    )
    if not result.max_difference <= tolerance:  # also catches NaN
        column = int(np.nan_to_num(gaps[worst], nan=np.inf).argmax())
        output = OUTPUT_COLUMNS[column] if column < len(OUTPUT_COLUMNS) else f"column {column}"
        raise BuildError(
            f"the converted model disagrees with the SavedModel: on the built-in input '{names[worst]}' "
            f"a probability differs by {result.max_difference:.3g} "
            f"(allowed {tolerance:g} with --quantize {quantize}{grid}; output {output}); "
            f"same digit on {result.same_digit} of {result.inputs} inputs"
        )
    return result
