"""Choose an exported model's thresholds again, on its held-out pictures rendered by today's preprocessing.

The held-out digit crops, printed digits and non-digits reach the model through the page's preprocessing
(training.preprocess), which keeps changing after a model is trained; so do calibration.py's limits. The
thresholds in metrics.json were chosen on the pictures of the training day. This renders the same held-out
pictures (same sets, sizes and seeds, from metrics.json "training_parts") through today's preprocessing,
reads them with the exported model and chooses both thresholds as training does. The temperature is part of
the SavedModel's graph and stays; so does everything else in metrics.json.

    python -m training.recalibrate [MODEL_DIR] [--data-dir DIR]    # default: the shipped model
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training import cli, data, exports, model_metrics, negatives, printed, train


def recalibrated_metrics(model_dir: Path, mnist: data.Mnist) -> dict:
    """Return model_dir's metrics.json with the thresholds (and what they refuse and flag) chosen again, the
    earlier values under "recalibrated"."""
    metrics = json.loads((model_dir / "metrics.json").read_text())
    parts = metrics.get("training_parts") or {}
    held_out = metrics["held_out_images"]
    if "mnist" not in parts or not held_out:
        raise ValueError(f"{model_dir}/metrics.json does not say which images were held out (training_parts)")
    limit = parts["mnist"] + held_out  # the training run's --limit, or all of MNIST's training images
    images, labels = mnist.train_images[limit - held_out : limit], mnist.train_labels[limit - held_out : limit]
    jobs = train.held_out_jobs(
        images, labels, parts.get("printed", 0), parts.get("crops", 0), parts.get("non_digits", 0)
    )
    held_images, held_labels, kinds = train.held_out_sets(images, labels, train.render_in_parallel(jobs))
    reader = exports.load_reader(model_dir)
    held = {name: reader(data.as_model_input(pictures)) for name, pictures in held_images.items()}
    _, test_not_digit = reader(data.as_model_input(mnist.test_images))
    chosen = train.choose_thresholds(held, held_labels, kinds, test_not_digit)
    earlier = {key: metrics[key] for key in chosen if key in metrics}
    return {**metrics, **chosen, "recalibrated": {"earlier": earlier}}


def main(argv: list[str] | None = None) -> int:
    """Choose the refusal and low-confidence thresholds of a SavedModel again and record them in its metrics.json."""
    parser = argparse.ArgumentParser(prog="python -m training.recalibrate", description=main.__doc__)
    parser.add_argument(
        "model_dir", nargs="?", type=Path, help="SavedModel directory (default: newest in training/models)"
    )
    parser.add_argument("--data-dir", help=f"MNIST directory (default: ${data.DATA_DIR_ENV}, else download)")
    args = parser.parse_args(argv)
    try:
        model_dir = exports.checked_model_dir(args.model_dir or exports.newest_model_dir())
        model_metrics.read(model_dir)  # a broken metrics.json is reported before minutes of rendering
        mnist = data.load_mnist(args.data_dir)
        print(f"rendering {model_dir.name}'s held-out pictures through today's preprocessing ...", flush=True)
        metrics = recalibrated_metrics(model_dir, mnist)
    except (
        data.MnistError,
        exports.ModelNotFoundError,
        model_metrics.MetricsError,
        printed.NoFontsError,
        negatives.NoFontsError,
        ValueError,
    ) as error:
        return cli.fail(error)
    model_metrics.write(model_dir, metrics)
    earlier = metrics["recalibrated"]["earlier"]
    for key in ("not_digit_threshold", "low_confidence_threshold"):
        print(f"{key}: {earlier.get(key)} -> {metrics[key]}")
    for name, share in metrics["refused"].items():
        print(f"refused {name}: {earlier.get('refused', {}).get(name, 0):.2%} -> {share:.2%}")
    return cli.EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
