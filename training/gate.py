"""The promotion gate: measure a candidate SavedModel beside the shipped one; say whether it may replace it.

    python -m training.evaluate --compare NEW [OLD]

Both models read the same inputs: MNIST's 10k test images, photo-like uploads rendered from MNIST test
digits (build/uploads.py), the real pictures in $SNAPMATH_SHARED_DATA/real when present, and non-digit
pictures once the model has a `not_digit` output. Pictures go through the page's preprocessing (the
Python twin) once; only the model differs. NEW fails the gate when any row is worse than OLD by more
than that row's stated tolerance.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from training import data, decode, exports, model_metrics, preprocess

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SNAPMATH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
REAL_DIR_NAME = "real"
UPLOADS = 300  # 1 point of accuracy = 3 uploads
UPLOAD_SEED = 0  # the benchmark's seed: the same uploads
NON_DIGITS = 300  # 1 point of refusal = 3 pictures
NON_DIGIT_SEED = 0
TIMING_REPEATS = 50
# A digit input is refused when its not_digit probability reaches a threshold: the gate uses each model's own
# (metrics.json "not_digit_threshold", chosen on held-out data at training); this is the default of the helpers.
NOT_DIGIT_THRESHOLD = 0.5

Outputs = dict[str, np.ndarray]
Runner = Callable[[np.ndarray], Outputs]


class GateError(Exception):
    """An expected failure (missing model, data or pictures); the message is one readable line."""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One row of the table: what is measured, which way is better, and how much worse NEW may be."""

    key: str
    label: str
    unit: str  # "percent", "count", "bytes" or "ms": how values and tolerances are shown
    higher_is_better: bool
    tolerance: float  # an absolute difference, or a fraction of OLD when `relative`
    relative: bool = False

    def allowed(self, old: float) -> float:
        """Return the worst value NEW may have against `old` and still pass."""
        margin = self.tolerance * abs(old) if self.relative else self.tolerance
        return old - margin if self.higher_is_better else old + margin

    def verdict(self, new: float | None, old: float | None) -> str:
        """Return "worse" (beyond the tolerance), "within" (worse, within it), "same", "better", "new" (only NEW
        has it) or "n/a" (neither has it)."""
        if new is None and old is None:
            return "n/a"
        if new is None:
            return "worse"  # OLD could do something NEW cannot
        if old is None:
            return "new"
        if (new < self.allowed(old)) if self.higher_is_better else (new > self.allowed(old)):
            return "worse"
        if new == old:
            return "same"
        return "better" if (new > old) == self.higher_is_better else "within"


# Tolerances: one or two pictures of noise on the small sets, timing noise on a shared machine,
# and no silent growth of what the page downloads.
RULES = (
    Rule("mnist_accuracy", "MNIST test accuracy", "percent", True, 0.001),
    Rule("uploads_accuracy", "rendered uploads read right", "percent", True, 0.01),
    Rule("real_accuracy", "real pictures read right", "percent", True, 0.02),
    Rule("non_digits_refused", "non-digits refused", "percent", True, 0.01),
    Rule("mnist_refused", "MNIST digits refused as non-digits", "percent", False, 0.002),
    Rule("parameters", "parameters", "count", False, 0.25, relative=True),
    Rule("tfjs_bytes", "TF.js model bytes (as the page loads it)", "bytes", False, 0.25, relative=True),
    Rule("classify_ms", "classify ms (Python, SavedModel, 1 image, median)", "ms", False, 0.5, relative=True),
)


@dataclasses.dataclass(frozen=True)
class LabelledPictures:
    """Pictures after preprocessing: model inputs of the pictures it kept, and every picture's label."""

    name: str
    inputs: np.ndarray  # float32 [K,28,28,1], the pictures preprocessing kept
    kept: np.ndarray  # bool [N]: which pictures produced an input
    labels: np.ndarray  # int [N]

    @property
    def count(self) -> int:
        return len(self.labels)


@dataclasses.dataclass(frozen=True)
class NonDigitPictures:
    """Non-digit pictures after preprocessing: every digit input it found in them, and which picture each came from."""

    inputs: np.ndarray  # float32 [K,28,28,1]
    picture: np.ndarray  # int [K]: the picture each input came from
    count: int  # pictures, including those where preprocessing found no digit


@dataclasses.dataclass(frozen=True)
class Inputs:
    """Everything both models are measured on."""

    mnist_images: np.ndarray  # float32 [N,28,28,1] in 0..1
    mnist_labels: np.ndarray  # int [N]
    uploads: LabelledPictures | None
    real: LabelledPictures | None
    non_digits: NonDigitPictures | None


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the side-by-side table."""

    rule: Rule
    new: float | None
    old: float | None
    verdict: str


# ---------------------------------------------------------------------------------------------
# Inputs


def shipped_model_dir(models_dir: Path = exports.MODELS_DIR) -> Path:
    """Return the shipped model: the newest exported model committed to git (else the newest on disk)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", "."], cwd=models_dir, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return exports.newest_model_dir(models_dir)
    committed = {Path(name).parts[0] for name in listed if Path(name).name == "saved_model.pb"}
    found = [path for path in exports.model_dirs(models_dir) if path.name in committed]
    return found[-1] if found else exports.newest_model_dir(models_dir)


def read_pictures(name: str, paths: Sequence[Path], labels: Sequence[int], spec: dict) -> LabelledPictures:
    """Return the pictures in `paths` after the page's preprocessing (decode, then the numpy twin)."""
    inputs, kept = [], []
    for path in paths:
        try:
            prepared = preprocess.preprocess(decode.decode_file(path, spec["decode"]), spec)
        except decode.UnreadableImageError:
            prepared = None
        kept.append(prepared is not None and prepared.input is not None)
        if kept[-1]:
            inputs.append(prepared.input.reshape(data.MODEL_INPUT_SHAPE))  # type: ignore[union-attr]
    stacked = np.stack(inputs).astype(np.float32) if inputs else np.zeros((0, *data.MODEL_INPUT_SHAPE), np.float32)
    return LabelledPictures(name, stacked, np.array(kept, bool), np.array(labels, np.int64))


def rendered_uploads(mnist: data.Mnist, count: int, spec: dict, seed: int = UPLOAD_SEED) -> LabelledPictures:
    """Return `count` photo-like uploads of MNIST test digits (build/uploads.py), preprocessed."""
    from build import uploads

    rendered = uploads.render_set(mnist.test_images, mnist.test_labels, count, seed)
    with tempfile.TemporaryDirectory(prefix="snapmath-gate-") as directory:
        paths = []
        for number, upload in enumerate(rendered):
            path = Path(directory) / f"{number:04d}.{upload.extension}"
            path.write_bytes(upload.data)
            paths.append(path)
        return read_pictures("uploads", paths, [upload.label for upload in rendered], spec)


def real_pictures(real_dir: Path, spec: dict) -> LabelledPictures | None:
    """Return the labelled real pictures in `real_dir` (label = first character of the name), or None."""
    if not real_dir.is_dir():
        return None
    paths = sorted(path for path in real_dir.iterdir() if path.name[:1].isdigit() and path.is_file())
    if not paths:
        return None
    return read_pictures("real", paths, [int(path.name[0]) for path in paths], spec)


def output_names(model_dir: Path) -> set[str]:
    """Return the output names of a SavedModel's serving signature, read from saved_model.pb without loading it."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString((Path(model_dir) / "saved_model.pb").read_bytes())
    return {name for graph in saved.meta_graphs for name in graph.signature_def[exports.SERVING_SIGNATURE].outputs}


def non_digit_pictures(count: int, spec: dict, seed: int = NON_DIGIT_SEED) -> NonDigitPictures:
    """Return `count` non-digit uploads (build/nondigits.py: the benchmark's, never trained on), preprocessed."""
    from build import nondigits

    inputs, owners = [], []
    with tempfile.TemporaryDirectory(prefix="snapmath-gate-") as directory:
        for number, path in enumerate(nondigits.write(nondigits.render_nondigits(count, seed), Path(directory))):
            try:
                found = preprocess.preprocess(decode.decode_file(path, spec["decode"]), spec).digits
            except decode.UnreadableImageError:
                found = ()
            inputs += [digit.input.reshape(data.MODEL_INPUT_SHAPE) for digit in found]
            owners += [number] * len(found)
    stacked = np.stack(inputs).astype(np.float32) if inputs else np.zeros((0, *data.MODEL_INPUT_SHAPE), np.float32)
    return NonDigitPictures(stacked, np.array(owners, np.int64), count)


def gather_inputs(
    mnist: data.Mnist,
    uploads: int = UPLOADS,
    real_dir: Path | None = SHARED_DATA / REAL_DIR_NAME,
    non_digits: int = 0,
) -> Inputs:
    """Return the gate's inputs; pictures are preprocessed once here, for both models."""
    spec = preprocess.load_spec()
    return Inputs(
        mnist_images=data.as_model_input(mnist.test_images),
        mnist_labels=mnist.test_labels.astype(np.int64),
        uploads=rendered_uploads(mnist, uploads, spec) if uploads else None,
        real=real_pictures(real_dir, spec) if real_dir is not None else None,
        non_digits=non_digit_pictures(non_digits, spec) if non_digits else None,
    )


# ---------------------------------------------------------------------------------------------
# Measuring one model


def load_runner(model_dir: Path) -> Runner:
    """Return a function mapping float32 images [N,28,28,1] to every output of the serving signature."""
    import tensorflow as tf

    loaded = tf.saved_model.load(str(exports.checked_model_dir(model_dir)))
    serving = loaded.signatures[exports.SERVING_SIGNATURE]
    input_name = next(iter(serving.structured_input_signature[1]))

    def run(images: np.ndarray) -> Outputs:
        images = np.asarray(images, np.float32).reshape(-1, *data.MODEL_INPUT_SHAPE)
        batches: list[Outputs] = []
        for start in range(0, len(images), exports.BATCH_SIZE):
            outputs = serving(**{input_name: tf.constant(images[start : start + exports.BATCH_SIZE])})
            batches.append({name: value.numpy() for name, value in outputs.items()})
        return {name: np.concatenate([batch[name] for batch in batches]) for name in batches[0]} if batches else {}

    run.loaded = loaded  # type: ignore[attr-defined]  # keeps the variables alive
    return run


def digit_probabilities(outputs: Outputs) -> np.ndarray:
    """Return the [N,10] digit probabilities among a signature's outputs (found by shape, whatever its name)."""
    found = [value for value in outputs.values() if value.ndim == 2 and value.shape[1] == data.NUM_CLASSES]
    if len(found) != 1:
        shapes = {name: value.shape for name, value in outputs.items()}
        raise GateError(f"expected one [N,10] digit output in the serving signature, found {shapes}")
    return found[0]


def refused(outputs: Outputs, threshold: float = NOT_DIGIT_THRESHOLD) -> np.ndarray | None:
    """Return which inputs the model refuses as non-digits (bool [N]), or None if it has no such output."""
    if exports.NOT_DIGIT_OUTPUT not in outputs:
        return None
    return outputs[exports.NOT_DIGIT_OUTPUT].reshape(-1) >= threshold


def refusal_share(pictures: NonDigitPictures | None, run: Runner, threshold: float) -> float | None:
    """Return the share of non-digit pictures refused as the page refuses them: preprocessing finds no digit,
    or the model refuses a digit input found in it. None when there are no pictures."""
    if pictures is None or pictures.count == 0:
        return None
    refused_pictures = np.ones(pictures.count, bool)
    refused_pictures[pictures.picture] = False  # preprocessing found something to read
    if len(pictures.inputs):
        refusals = refused(run(pictures.inputs), threshold)
        if refusals is not None:
            refused_pictures[pictures.picture[refusals]] = True
    return float(refused_pictures.mean())


def accuracy_on(pictures: LabelledPictures | None, run: Runner, threshold: float = NOT_DIGIT_THRESHOLD) -> float | None:
    """Return the share of pictures read as their label (dropped by preprocessing or refused by the model: wrong)."""
    if pictures is None or pictures.count == 0:
        return None
    if not len(pictures.inputs):
        return 0.0
    outputs = run(pictures.inputs)
    right = digit_probabilities(outputs).argmax(axis=1) == pictures.labels[pictures.kept]
    refusals = refused(outputs, threshold)
    if refusals is not None:
        right &= ~refusals
    return float(right.sum() / pictures.count)


def model_bytes(model_dir: Path) -> int:
    """Return the bytes of the TF.js model the page loads (model.json + shards, quantized as the build ships it:
    on the model's own weight grid, else float16)."""
    from build import config, convert

    quantize = model_metrics.read(model_dir).get("weight_grid", config.DEFAULT_QUANTIZE)
    return convert.convert_saved_model(model_dir, quantize).size


def classify_milliseconds(runners: Sequence[Runner], repeats: int = TIMING_REPEATS) -> list[float]:
    """Return each runner's median ms for one image; runs alternate so load on the machine hits all alike.

    Timed in Python around the SavedModel's signature: relative figures for the gate, not the page's
    TF.js speed (python -m build.bench measures that)."""
    image = np.zeros((1, *data.MODEL_INPUT_SHAPE), np.float32)
    times: list[list[float]] = [[] for _ in runners]
    for run in runners:
        run(image)  # warm-up: the first call traces
    for _ in range(repeats):
        for number, run in enumerate(runners):
            start = time.perf_counter()
            run(image)
            times[number].append((time.perf_counter() - start) * 1000)
    return [statistics.median(series) for series in times]


def measure(model_dir: Path, run: Runner, inputs: Inputs) -> dict[str, float | None]:
    """Return every figure of the table for one model (classify_ms is added by `measure_pair`).

    The refusal threshold and the parameter count are the model's own, recorded in its metrics.json at export."""
    metrics = model_metrics.read(model_dir)
    threshold = metrics["not_digit_threshold"]
    outputs = run(inputs.mnist_images)
    mnist_right = digit_probabilities(outputs).argmax(axis=1) == inputs.mnist_labels
    mnist_refusals = refused(outputs, threshold)
    can_refuse = mnist_refusals is not None  # only a model with a not_digit output gets refusal figures
    return {
        "mnist_accuracy": float(mnist_right.mean()),
        "uploads_accuracy": accuracy_on(inputs.uploads, run, threshold),
        "real_accuracy": accuracy_on(inputs.real, run, threshold),
        "non_digits_refused": refusal_share(inputs.non_digits, run, threshold) if can_refuse else None,
        "mnist_refused": float(mnist_refusals.mean()) if mnist_refusals is not None else None,
        "parameters": float(metrics["parameters"]),
        "tfjs_bytes": float(model_bytes(model_dir)),
    }


def measure_pair(new_dir: Path, old_dir: Path, inputs: Inputs) -> tuple[dict, dict]:
    """Return (NEW's figures, OLD's figures), measured on the same inputs."""
    new_run, old_run = load_runner(new_dir), load_runner(old_dir)
    new, old = measure(new_dir, new_run, inputs), measure(old_dir, old_run, inputs)
    new["classify_ms"], old["classify_ms"] = classify_milliseconds([new_run, old_run])
    return new, old


# ---------------------------------------------------------------------------------------------
# Comparing and reporting


def compare(
    new: Mapping[str, float | None], old: Mapping[str, float | None], rules: Sequence[Rule] = RULES
) -> list[Row]:
    """Return one row per rule with both figures and the verdict."""
    return [
        Row(rule, new.get(rule.key), old.get(rule.key), rule.verdict(new.get(rule.key), old.get(rule.key)))
        for rule in rules
    ]


def passed(rows: Sequence[Row]) -> bool:
    """Return whether no row is worse beyond its tolerance."""
    return all(row.verdict != "worse" for row in rows)


def format_value(value: float | None, unit: str) -> str:
    """Return a figure as the table shows it ("—" when not measured)."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.2%}"
    if unit == "ms":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def format_tolerance(rule: Rule) -> str:
    """Return how much worse NEW may be, as the table states it."""
    sign = "-" if rule.higher_is_better else "+"
    if rule.relative:
        return f"{sign}{rule.tolerance:.0%}"
    if rule.unit == "percent":
        return f"{sign}{rule.tolerance * 100:g} pt"
    return f"{sign}{rule.tolerance:g}"


def format_table(rows: Sequence[Row], new_name: str, old_name: str, counts: dict[str, str] | None = None) -> str:
    """Return the side-by-side table, its tolerances, and the verdict line."""
    counts = counts or {}
    labels = [row.rule.label + (f" ({counts[row.rule.key]})" if row.rule.key in counts else "") for row in rows]
    header = ("", f"NEW {new_name}", f"OLD {old_name}", "allowed", "verdict")
    body = [
        (
            label,
            format_value(row.new, row.rule.unit),
            format_value(row.old, row.rule.unit),
            format_tolerance(row.rule),
            row.verdict.upper() if row.verdict == "worse" else row.verdict,
        )
        for label, row in zip(labels, rows, strict=True)
    ]
    widths = [max(len(line[column]) for line in [header, *body]) for column in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in [header, *body]
    ]
    lines.insert(1, "-" * len(lines[0]))
    worse = [row.rule.label for row in rows if row.verdict == "worse"]
    lines.append("")
    lines.append(
        f"FAIL: NEW is worse than OLD beyond the tolerance in: {', '.join(worse)}"
        if worse
        else "PASS: NEW is nowhere worse than OLD beyond the tolerances"
    )
    return "\n".join(lines)


def input_counts(inputs: Inputs) -> dict[str, str]:
    """Return how many pictures each accuracy row is measured on, for the table's labels."""
    counts = {"mnist_accuracy": f"{len(inputs.mnist_labels):,} images"}
    for key, pictures in (("uploads_accuracy", inputs.uploads), ("real_accuracy", inputs.real)):
        if pictures is not None:
            counts[key] = f"{pictures.count} pictures"
    if inputs.non_digits is not None:
        counts["non_digits_refused"] = f"{inputs.non_digits.count} pictures"
    return counts


def run_gate(
    new_dir: Path,
    old_dir: Path | None,
    data_dir: str | None,
    uploads: int = UPLOADS,
    real_dir: Path | None = SHARED_DATA / REAL_DIR_NAME,
) -> tuple[str, bool]:
    """Return (the table, whether NEW passed) for NEW against OLD (default: the shipped model)."""
    try:
        new_dir = exports.checked_model_dir(new_dir)
        old_dir = exports.checked_model_dir(old_dir or shipped_model_dir())
        mnist = data.load_mnist(data_dir)
    except (exports.ModelNotFoundError, data.MnistError) as error:
        raise GateError(str(error)) from error
    # Non-digit pictures are drawn only when a model can refuse them (the `not_digit` output).
    refuses = any(exports.NOT_DIGIT_OUTPUT in output_names(model_dir) for model_dir in (new_dir, old_dir))
    inputs = gather_inputs(mnist, uploads, real_dir, NON_DIGITS if refuses else 0)
    try:
        new, old = measure_pair(new_dir, old_dir, inputs)
    except model_metrics.MetricsError as error:
        raise GateError(str(error)) from error
    rows = compare(new, old)
    return format_table(rows, new_dir.name, old_dir.name, input_counts(inputs)), passed(rows)
