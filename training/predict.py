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

from training import decode, models, preprocess, spec_check

EXIT_UNREADABLE = 1  # some picture could not be read (the others were still answered)
EXIT_CANNOT_RUN = 2  # nothing was read: the model or the preprocessing spec is missing or broken (as argparse's usage errors)


def read_inputs(paths: Sequence[Path], spec: dict) -> list[tuple[np.ndarray | None, str | None, bool]]:
    """Return, per file, (28x28 model input or None, the reason there is none, whether the file was unreadable)."""
    results = []
    for path in paths:
        try:
            prepared = preprocess.preprocess(decode.decode_file(path, spec["decode"]), spec)
        except decode.UnreadableImageError as error:
            results.append((None, str(error), True))
            continue
        results.append((prepared.input, prepared.reason, False))
    return results


def predict_files(
    paths: Sequence[Path], classify: Callable[[np.ndarray], np.ndarray], spec: dict
) -> list[dict]:
    """Return one answer per file: {"file", "digit", "confidence", "probabilities"}; a null digit adds "reason"
    (and "unreadable": true when the file could not be read at all)."""
    inputs = read_inputs(paths, spec)
    readable = [image for image, _, _ in inputs if image is not None]
    probabilities = iter(classify(np.stack(readable)) if readable else [])
    answers = []
    for path, (image, reason, unreadable) in zip(paths, inputs):
        if image is None:
            answer = {"file": str(path), "digit": None, "confidence": 0.0, "probabilities": None, "reason": reason}
            answers.append({**answer, "unreadable": True} if unreadable else answer)
            continue
        row = [float(value) for value in next(probabilities)]
        digit = int(np.argmax(row))
        answers.append({"file": str(path), "digit": digit, "confidence": row[digit], "probabilities": row})
    return answers


def format_table(answers: list[dict]) -> str:
    """Return the answers as a plain-text table a person can read."""
    names = [printable(answer["file"]) for answer in answers]
    width = max([len("file")] + [len(name) for name in names])
    lines = [f"{'file':<{width}}  digit  confidence"]
    for name, answer in zip(names, answers):
        if answer["digit"] is None:
            lines.append(f"{name:<{width}}  -      {printable(answer['reason'])}")
        else:
            lines.append(f"{name:<{width}}  {answer['digit']:<5}  {answer['confidence']:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.predict", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="pictures of single digits")
    parser.add_argument("--json", action="store_true", help="print JSON, as the page's recognize() would answer")
    parser.add_argument("--model", type=Path, help="SavedModel directory (default: the newest in training/models)")
    arguments = parser.parse_args(argv)
    try:
        spec = spec_check.load_checked_spec()
        classify = checked_classifier(arguments.model or models.newest_model_dir())
    except (models.ModelNotFoundError, spec_check.SpecError, BrokenModelError) as error:
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    answers = predict_files(arguments.files, classify, spec)
    print(json.dumps(answers, indent=2) if arguments.json else format_table(answers))
    return EXIT_UNREADABLE if any(answer.get("unreadable") for answer in answers) else 0


class BrokenModelError(ValueError):
    """The --model directory holds something that is not a working 10-digit classifier."""


def checked_classifier(model_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """Return the model's classify function after one blank input showed it answers 10 probabilities."""
    import tensorflow as tf

    try:
        models.checked_model_dir(model_dir)
        outputs = tf.saved_model.load(str(model_dir)).signatures[models.SERVING_SIGNATURE].structured_outputs
        widths = [spec.shape[-1] for spec in outputs.values() if spec.shape.rank == 2]
        if 10 not in widths:  # the digit probabilities; a not_digit output beside them is [N,1]
            raise BrokenModelError(
                f"the model in {model_dir} answers {max(widths, default=0)} values per picture, not the 10 digit probabilities"
            )
        classify = models.load_classifier(model_dir)
        classify(np.zeros((1, 28, 28, 1), np.float32))
    except (models.ModelNotFoundError, BrokenModelError):
        raise
    except Exception as error:  # TensorFlow raises many types for a corrupt SavedModel; each is one line here
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BrokenModelError(f"cannot load the model in {model_dir}: {detail}") from None
    return classify


def printable(text: str) -> str:
    """Return text with control characters escaped, so a file name cannot move the cursor or recolour the terminal."""
    return "".join(character if character.isprintable() else ascii(character)[1:-1] for character in text)


if __name__ == "__main__":
    sys.exit(main())
