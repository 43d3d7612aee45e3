"""python -m training.predict FILE... [--json] [--model DIR]: what the page would answer for each picture.

decode (Pillow) -> training.preprocess (the numpy twin of the page's preprocess.js) -> the SavedModel.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from training import cli, data, decode, exports, model_metrics, preprocess, spec_check

NOT_A_DIGIT = "This doesn't look like a digit."


def read_pictures(
    paths: Sequence[Path], spec: dict, box: tuple[int, int, int, int] | None = None
) -> list[preprocess.Preprocessed | str]:
    """Return, per file, the digits preprocessing found (or its reason), or why the file is unreadable.

    `box` (x, y, width, height) is in the picture's own upright pixels, as on the page."""
    results: list[preprocess.Preprocessed | str] = []
    for path in paths:
        try:
            decoded = decode.decode_file(path, spec["decode"])
            scale = decode.source_scale(path, decoded)
            decoded_box = None if box is None else tuple(round(value / scale) for value in box)
            results.append(rescaled(preprocess.preprocess(decoded, spec, decoded_box), scale))  # type: ignore[arg-type]
        except decode.UnreadableImageError as error:
            results.append(str(error))
    return results


def rescaled(prepared: preprocess.Preprocessed, scale: float) -> preprocess.Preprocessed:
    """Return the reading with its boxes in the picture's own pixels instead of the decoded ones."""
    digits = tuple(
        preprocess.DigitInput(digit.input, tuple(round(value * scale) for value in digit.box))  # type: ignore[arg-type]
        for digit in prepared.digits
    )
    return preprocess.Preprocessed(digits, prepared.reason)


def as_box(box: tuple[int, int, int, int]) -> dict:
    """Return a box as the page's recognize() gives it."""
    x, y, width, height = box
    return {"x": x, "y": y, "width": width, "height": height}


def answer_for(
    path: Path, prepared: preprocess.Preprocessed, probabilities: np.ndarray, not_digit: np.ndarray, threshold: float
) -> dict:
    """Return the page contract's reading of one picture from its digits' model outputs."""
    digits = []
    not_digits = [float(refusal) for refusal in not_digit]  # per digit, as the page's notDigit
    for digit_input, row, refusal in zip(prepared.digits, probabilities, not_digits, strict=True):
        values = [float(value) for value in row]
        best = int(np.argmax(values))
        digits.append(
            {
                "digit": best,
                "confidence": values[best],
                "probabilities": values,
                "box": as_box(digit_input.box),
                "not_digit": refusal,
            }
        )
    refused = any(refusal >= threshold for refusal in not_digits)
    reason = prepared.reason or (NOT_A_DIGIT if refused else None)
    single = digits[0] if len(digits) == 1 and reason is None else None
    boxes = [digit_input.box for digit_input in prepared.digits]
    union = None
    if boxes:
        left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
        right, bottom = max(box[0] + box[2] for box in boxes), max(box[1] + box[3] for box in boxes)
        union = as_box((left, top, right - left, bottom - top))
    return {
        "file": str(path),
        "digit": single["digit"] if single else None,
        "confidence": single["confidence"] if single else 0.0,
        "probabilities": single["probabilities"] if single else None,
        "box": union,
        "number": int("".join(str(digit["digit"]) for digit in digits)) if digits and reason is None else None,
        "digits": digits,
        "not_digit": max(not_digits, default=0.0),
        "reason": reason,
    }


def predict_files(
    paths: Sequence[Path],
    read: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    spec: dict,
    threshold: float = 0.5,
    box: tuple[int, int, int, int] | None = None,
) -> list[dict]:
    """Return one answer per file, as the page's recognize() answers (see docs/architecture.md); an unreadable
    file gives a null reading with its reason and "unreadable": true."""
    pictures = read_pictures(paths, spec, box)
    inputs = [digit.input for picture in pictures if not isinstance(picture, str) for digit in picture.digits]
    probabilities, not_digit = read(np.stack(inputs)) if inputs else (np.zeros((0, data.NUM_CLASSES)), np.zeros(0))
    answers = []
    start = 0
    for path, picture in zip(paths, pictures, strict=True):
        if isinstance(picture, str):
            empty = answer_for(path, preprocess.Preprocessed((), picture), probabilities[:0], not_digit[:0], threshold)
            answers.append({**empty, "unreadable": True})
            continue
        stop = start + len(picture.digits)
        answers.append(answer_for(path, picture, probabilities[start:stop], not_digit[start:stop], threshold))
        start = stop
    return answers


def format_table(answers: list[dict]) -> str:
    """Return the answers as a plain-text table a person can read."""
    names = [cli.printable(answer["file"]) for answer in answers]
    width = max([len("file")] + [len(name) for name in names])
    lines = [f"{'file':<{width}}  read   confidence"]
    for name, answer in zip(names, answers, strict=True):
        if answer["number"] is None:
            lines.append(f"{name:<{width}}  -      {cli.printable(answer['reason'])}")
        elif answer["digit"] is None:
            confidences = ", ".join(f"{digit['confidence']:.3f}" for digit in answer["digits"])
            lines.append(f"{name:<{width}}  {answer['number']:<5}  {confidences}")
        else:
            lines.append(f"{name:<{width}}  {answer['digit']:<5}  {answer['confidence']:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Answer each picture as the page would; return the exit status (training/cli.py)."""
    parser = argparse.ArgumentParser(prog="python -m training.predict", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="pictures of single digits")
    parser.add_argument("--json", action="store_true", help="print JSON, as the page's recognize() would answer")
    parser.add_argument("--model", type=Path, help="SavedModel directory (default: the newest in training/models)")
    parser.add_argument(
        "--box",
        type=parse_box,
        metavar="X,Y,W,H",
        help="read only this part of each picture (its own pixels), as a box drawn on the page",
    )
    arguments = parser.parse_args(argv)
    try:
        spec = spec_check.load_checked_spec()
        model_dir = arguments.model or exports.newest_model_dir()
        read = checked_reader(model_dir)
        threshold = refusal_threshold(model_dir)
    except (exports.ModelNotFoundError, spec_check.SpecError, BrokenModelError, model_metrics.MetricsError) as error:
        return cli.fail(error)  # nothing was read: the model, its metrics.json or the preprocessing spec is broken
    answers = predict_files(arguments.files, read, spec, threshold, arguments.box)
    print(json.dumps(answers, indent=2) if arguments.json else format_table(answers))
    # A picture that could not be read is answered with its reason; the others are still answered.
    return cli.EXIT_RESULT_FAILED if any(answer.get("unreadable") for answer in answers) else cli.EXIT_OK


class BrokenModelError(ValueError):
    """The --model directory holds something that is not a working 10-digit classifier."""


def checked_reader(model_dir: Path) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return the model's read function (digit probabilities, not_digit), once a blank input showed it answers 10
    probabilities."""
    import tensorflow as tf

    try:
        exports.checked_model_dir(model_dir)
        outputs = tf.saved_model.load(str(model_dir)).signatures[exports.SERVING_SIGNATURE].structured_outputs
        widths = [spec.shape[-1] for spec in outputs.values() if spec.shape.rank == 2]
        if data.NUM_CLASSES not in widths:  # the digit probabilities; a not_digit output beside them is [N,1]
            raise BrokenModelError(
                f"the model in {model_dir} answers {max(widths, default=0)} values per picture, "
                f"not the {data.NUM_CLASSES} digit probabilities"
            )
        read = exports.load_reader(model_dir)
        read(np.zeros((1, *data.MODEL_INPUT_SHAPE), np.float32))
    except (exports.ModelNotFoundError, BrokenModelError):
        raise
    except Exception as error:  # TensorFlow raises many types for a corrupt SavedModel; each is one line here
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BrokenModelError(f"cannot load the model in {model_dir}: {detail}") from None
    return read


def refusal_threshold(model_dir: Path) -> float:
    """Return the not-digit probability from which the model's readings are refused (its metrics.json's)."""
    return model_metrics.read(model_dir)["not_digit_threshold"]


def parse_box(text: str) -> tuple[int, int, int, int]:
    """Return (x, y, width, height) from "x,y,w,h" (whole pixels, width and height at least 1)."""
    try:
        x, y, width, height = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y,W,H as four whole numbers, got {text!r}") from None
    if width < 1 or height < 1 or x < 0 or y < 0:
        raise argparse.ArgumentTypeError(f"the box {text!r} needs x, y >= 0 and a width and height of at least 1")
    return x, y, width, height


if __name__ == "__main__":
    sys.exit(main())
