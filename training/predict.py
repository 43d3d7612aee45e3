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

from training import decode, models, preprocess


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
    width = max([len("file")] + [len(answer["file"]) for answer in answers])
    lines = [f"{'file':<{width}}  digit  confidence"]
    for answer in answers:
        if answer["digit"] is None:
            lines.append(f"{answer['file']:<{width}}  -      {answer['reason']}")
        else:
            lines.append(f"{answer['file']:<{width}}  {answer['digit']:<5}  {answer['confidence']:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.predict", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="pictures of single digits")
    parser.add_argument("--json", action="store_true", help="print JSON, as the page's recognize() would answer")
    parser.add_argument("--model", type=Path, help="SavedModel directory (default: the newest in training/models)")
    arguments = parser.parse_args(argv)
    try:
        model_dir = arguments.model or models.newest_model_dir()
        classify = models.load_classifier(model_dir)
    except models.ModelNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    answers = predict_files(arguments.files, classify, preprocess.load_spec())
    print(json.dumps(answers, indent=2) if arguments.json else format_table(answers))
    return 1 if any(answer.get("unreadable") for answer in answers) else 0


if __name__ == "__main__":
    sys.exit(main())
