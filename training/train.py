"""Train the CNN on MNIST with upload-like augmentation and export a SavedModel + metrics.json.

Reads like keras-io's mnist_convnet: load -> build -> train -> evaluate -> export.
    python -m training.train [--data-dir DIR] [--epochs N] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from training import data, evaluate, models, printed
from training.model import build_model

SEED = 20261125
# TensorBoard runs, one sub-folder per run (gitignored); `tensorboard --logdir logs` shows the curves.
LOG_DIR = Path(__file__).resolve().parent.parent / "logs"
BATCH_SIZE = 128
EPOCHS = 36
LEARNING_RATE = 4e-3
VALIDATION_SIZE = 5_000  # held out from the 60k training images for early stopping
EARLY_STOPPING_PATIENCE = 8
# The cosine schedule does its best work in the last, low-rate epochs: stopping early is only
# allowed in the second half, otherwise a plateau at a high rate ends the run too soon.
EARLY_STOPPING_FROM_EPOCH = EPOCHS // 2
# Augmentation: the page's preprocessing centres the ink's bounding box and centre of mass, so
# large shifts never reach the model; what does is residual tilt, scale, stroke weight and blur
# from photos, clip-art and thin pens resized to 20 px.
ROTATION_DEGREES = 8
ZOOM_FRACTION = 0.08
SHIFT_PIXELS = 2
THICKEN_PROBABILITY = 0.10
THIN_PROBABILITY = 0.05
BLUR_PROBABILITY = 0.10
PRINTED_DIGITS = 6_000  # typed/clip-art digits from system fonts, ~10% of the training set


def augmenter():
    """Return a function that randomly varies a float batch [B,28,28,1] like real uploads do."""
    geometry = keras.Sequential(
        [
            layers.RandomRotation(ROTATION_DEGREES / 360, fill_mode="constant", seed=SEED),
            layers.RandomZoom((-ZOOM_FRACTION, ZOOM_FRACTION), fill_mode="constant", seed=SEED + 1),
            layers.RandomTranslation(SHIFT_PIXELS / 28, SHIFT_PIXELS / 28, fill_mode="constant", seed=SEED + 2),
        ],
        name="upload_geometry",
    )
    blur_kernel = np.outer(*[np.array([0.25, 0.5, 0.25], np.float32)] * 2)[:, :, np.newaxis, np.newaxis]

    def stretch(images):
        # The page stretches contrast so the brightest pixel is 1; training sees the same.
        peak = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
        return tf.math.divide_no_nan(images, peak)

    def augment(images):
        images = geometry(images, training=True)
        batch = tf.shape(images)[0]
        stroke_draw = tf.random.uniform([batch, 1, 1, 1], seed=SEED + 3)
        thick = tf.nn.max_pool2d(images, 2, 1, "SAME")  # dilate by one pixel
        thin = stretch(-tf.nn.max_pool2d(-images, 2, 1, "SAME"))  # erode by one pixel
        images = tf.where(stroke_draw < THICKEN_PROBABILITY, thick, images)
        images = tf.where((stroke_draw >= THICKEN_PROBABILITY) & (stroke_draw < THICKEN_PROBABILITY + THIN_PROBABILITY), thin, images)
        blurred = stretch(tf.nn.conv2d(images, blur_kernel, 1, "SAME"))
        blur_draw = tf.random.uniform([batch, 1, 1, 1], seed=SEED + 4)
        images = tf.where(blur_draw < BLUR_PROBABILITY, blurred, images)
        return tf.clip_by_value(images, 0.0, 1.0)

    return augment


def make_datasets(mnist: data.Mnist, limit: int | None, validation_size: int, batch_size: int,
                  printed_digits: int):
    """Return (augmented training tf.data.Dataset, validation (x, y) or None): MNIST's training images,
    the last `validation_size` held out (0: none), plus `printed_digits` printed digits for training only."""
    images = evaluate.as_model_input(mnist.train_images)  # [60000, 28, 28, 1] float32 0..1
    labels = mnist.train_labels.astype(np.int32)  # [60000]
    if limit:
        images, labels = images[:limit], labels[:limit]
    if not 0 <= validation_size < len(images):
        raise ValueError(f"validation size {validation_size} must be from 0 to {len(images) - 1} training images")
    split = len(images) - validation_size
    train_images, train_labels = images[:split], labels[:split]
    if printed_digits:
        printed_images, printed_labels = printed.render_printed_digits(printed_digits, SEED)
        train_images = np.concatenate([train_images, evaluate.as_model_input(printed_images)])
        train_labels = np.concatenate([train_labels, printed_labels.astype(np.int32)])
    augment = augmenter()
    training = (
        tf.data.Dataset.from_tensor_slices((train_images, train_labels))
        .shuffle(len(train_images), seed=SEED, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return training, ((images[split:], labels[split:]) if validation_size else None)


class EpochTimer(keras.callbacks.Callback):
    """Collects each epoch's wall-clock seconds."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def tensorboard_callback(log_dir: Path) -> keras.callbacks.Callback:
    """Return a callback that writes this run's loss and accuracy per epoch under log_dir/<unix-time>/."""
    return keras.callbacks.TensorBoard(log_dir=str(log_dir / str(int(time.time()))))


def train(mnist: data.Mnist, epochs: int, limit: int | None = None, validation_size: int = VALIDATION_SIZE,
          printed_digits: int = PRINTED_DIGITS, batch_size: int = BATCH_SIZE, verbose: int = 2, log_dir: Path | None = None):
    """Return (trained model, training summary) after seeded training.

    With a validation split, early stopping watches it; with none (the shipped model learns from
    all 60k images), the cosine schedule runs its full length."""
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    training, validation = make_datasets(mnist, limit, validation_size, batch_size, printed_digits)
    steps = int(training.cardinality()) * epochs
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps, alpha=0.02)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    timer = EpochTimer()
    callbacks = [timer] + ([tensorboard_callback(log_dir)] if log_dir else [])
    if validation is not None:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=EARLY_STOPPING_PATIENCE, restore_best_weights=True,
            start_from_epoch=min(EARLY_STOPPING_FROM_EPOCH, epochs - 1),
        ))
    started = time.perf_counter()
    history = model.fit(training, epochs=epochs, validation_data=validation, callbacks=callbacks, verbose=verbose)
    validation_history = history.history.get("val_accuracy", [])
    summary = {
        "epochs": len(history.history["loss"]),
        "best_epoch": int(np.argmax(validation_history)) + 1 if validation_history else None,
        "validation_accuracy": float(max(validation_history)) if validation_history else None,
        "training_seconds": round(time.perf_counter() - started, 1),
        "seconds_per_epoch": round(float(np.median(timer.seconds)), 1),
        "training_images": (limit or len(mnist.train_images)) - validation_size,
        "printed_digits": printed_digits,
        "printed_digit_fonts": printed.available_fonts() if printed_digits else [],
        "validation_images": validation_size,
    }
    return model, summary


def library_versions() -> dict[str, str]:
    """Return the versions that produced a model, for metrics.json."""
    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__}


def export(model, metrics: dict, models_dir: Path) -> Path:
    """Return models_dir/<unix-timestamp>/: the SavedModel (serving_default) and metrics.json, written atomically."""
    models_dir.mkdir(parents=True, exist_ok=True)
    version = str(int(time.time()))
    while (models_dir / version).exists():
        version = str(int(version) + 1)
    staging = models_dir / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    model.export(str(staging), format="tf_saved_model", verbose=False)
    (staging / "metrics.json").write_text(json.dumps({"version": version, **metrics}, indent=2) + "\n")
    final = models_dir / version
    staging.rename(final)
    return final


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate on the official test set, export to training/models/<unix-timestamp>/."""
    parser = argparse.ArgumentParser(prog="python -m training.train", description=main.__doc__)
    parser.add_argument("--data-dir", help=f"MNIST directory or mnist.npz (default: ${data.DATA_DIR_ENV}, else download)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"at most this many epochs (default {EPOCHS})")
    parser.add_argument("--limit", type=int, help="train on the first N training images only (smoke runs)")
    parser.add_argument("--printed-digits", type=int, default=PRINTED_DIGITS,
                        help=f"printed digits from system fonts added to training (default {PRINTED_DIGITS})")
    parser.add_argument("--validation-size", type=int, default=VALIDATION_SIZE,
                        help=f"training images held out for early stopping (default {VALIDATION_SIZE}; "
                             "0 trains on all of them for the full schedule)")
    parser.add_argument("--models-dir", type=Path, default=models.MODELS_DIR, help="where to export")
    parser.add_argument("--log-dir", type=Path, default=LOG_DIR,
                        help="TensorBoard logs, one sub-folder per run (default: logs/ in the repository)")
    args = parser.parse_args(argv)
    try:
        mnist = data.load_mnist(args.data_dir)
        validation_size = min(args.validation_size, (args.limit or len(mnist.train_images)) // 5)
        model, summary = train(mnist, args.epochs, args.limit, validation_size, args.printed_digits, log_dir=args.log_dir)
    except (data.MnistError, printed.NoFontsError, ValueError) as error:
        print(f"error: {error}")
        return 1
    probabilities = model.predict(evaluate.as_model_input(mnist.test_images), batch_size=1024, verbose=0)
    metrics = {
        **evaluate.score(probabilities, mnist.test_labels),
        **summary,
        "parameters": int(model.count_params()),
        "data_source": mnist.source,
        "data_checksums": mnist.checksums,
        "versions": library_versions(),
    }
    model_dir = export(model, metrics, args.models_dir)
    print(evaluate.format_report(metrics))
    print(f"exported {model_dir} ({summary['epochs']} epochs, {summary['training_seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
