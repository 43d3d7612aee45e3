"""Accuracy and confusion matrix of a classifier on the official MNIST test set."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training import cli, data, exports, gate


def score(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """Return accuracy, per-class accuracy and the confusion matrix (rows: true, columns: predicted)."""
    predictions = probabilities.argmax(axis=1)
    confusion = np.zeros((data.NUM_CLASSES, data.NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (labels.astype(np.int64), predictions), 1)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "test_accuracy": float((predictions == labels).mean()),
        "test_count": len(labels),
        "per_class_accuracy": [round(float(value), 6) for value in per_class],
        "confusion_matrix": confusion.tolist(),
    }


def evaluate_model_dir(model_dir: Path, mnist: data.Mnist) -> dict:
    """Return the score of the SavedModel in model_dir on MNIST's 10k test images."""
    classify = exports.load_classifier(model_dir)
    return score(classify(data.as_model_input(mnist.test_images)), mnist.test_labels)


def format_report(metrics: dict) -> str:
    """Return the score as lines of text: accuracy, per-class accuracy, confusion matrix."""
    lines = [f"test accuracy: {metrics['test_accuracy']:.4%} on {metrics['test_count']} images"]
    lines.append("per class: " + "  ".join(f"{d}:{a:.2%}" for d, a in enumerate(metrics["per_class_accuracy"])))
    lines.append("confusion (rows true, columns predicted):")
    lines.append("     " + "".join(f"{d:>6}" for d in range(data.NUM_CLASSES)))
    for digit, row in enumerate(metrics["confusion_matrix"]):
        lines.append(f"{digit:>5}" + "".join(f"{count:>6}" for count in row))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy and confusion matrix of a SavedModel (default: the shipped one)."""
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=main.__doc__)
    parser.add_argument(
        "model_dir", nargs="?", type=Path, help="SavedModel directory (default: newest in training/models)"
    )
    parser.add_argument("--data-dir", help=f"MNIST directory (default: ${data.DATA_DIR_ENV}, else download)")
    parser.add_argument(
        "--compare",
        nargs="+",
        type=Path,
        metavar=("NEW", "OLD"),
        help="promotion gate: NEW beside OLD (default: the shipped model) in one table; "
        f"exit {cli.EXIT_RESULT_FAILED} when NEW is worse beyond the tolerances (training/gate.py)",
    )
    parser.add_argument(
        "--uploads", type=int, default=gate.UPLOADS, help=f"rendered uploads for --compare (default {gate.UPLOADS})"
    )
    args = parser.parse_args(argv)
    if args.compare:
        if len(args.compare) > 2 or args.model_dir:
            parser.error("--compare takes NEW and at most one OLD, and no MODEL_DIR")
        return compare_main(
            args.compare[0], args.compare[1] if len(args.compare) == 2 else None, args.data_dir, args.uploads
        )
    try:
        model_dir = exports.checked_model_dir(args.model_dir or exports.newest_model_dir())
        mnist = data.load_mnist(args.data_dir)
        metrics = evaluate_model_dir(model_dir, mnist)
    except (data.MnistError, exports.ModelNotFoundError) as error:
        return cli.fail(error)
    print(f"model: {model_dir}")
    print(format_report(metrics))
    return cli.EXIT_OK


def compare_main(new_dir: Path, old_dir: Path | None, data_dir: str | None, uploads: int) -> int:
    """Print the promotion gate's table; return the exit status (training/cli.py): OK if NEW passed,
    RESULT_FAILED if it is worse, ERROR if the gate could not run."""
    try:
        table, passed = gate.run_gate(new_dir, old_dir, data_dir, uploads)
    except gate.GateError as error:
        return cli.fail(error)
    print(table)
    return cli.EXIT_OK if passed else cli.EXIT_RESULT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
