"""Build settings: defaults, command-line overrides, and validation that reports every problem at once."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from build import floors
from build.errors import BuildError
from training import exports, model_metrics

REPO_ROOT = Path(__file__).resolve().parent.parent

# Written into every site the build makes: only a folder holding it may be replaced by a build.
BUILD_MARKER = ".snapmath-build"
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31 23:59:59 UTC, the last moment the model card can print

# Directories of the repository that a build must never write into or replace.
SOURCE_DIRS = (".git", ".github", "build", "docs", "node_modules", "site_templates", "tests", "training")

QUANTIZATIONS = ("none", "float16", "uint8")
# Chosen by measurement: model 1795596409 (21,094 parameters) converted and run in TF.js (Node.js, CPU
# backend) on the 10k MNIST test images, against the SavedModel:
#   none     95.2 KB  argmax 10000/10000  max |dp| 1.4e-6  accuracy 99.47%
#   float16  54.0 KB  argmax 10000/10000  max |dp| 4.4e-3  accuracy 99.47%
#   uint8    33.5 KB  argmax  9996/10000  max |dp| 7.6e-2  accuracy 99.44%
# float16 saves 41 KB and changes no answer; uint8 saves 20 KB more but changes answers (and is
# known to break some models). A model trained onto the uint8 grid (training/quantize.py, metrics.json
# "weight_grid") loses nothing to uint8: that is its default.
DEFAULT_QUANTIZE = "float16"

SITE_TITLE = "snapmath"
SITE_DESCRIPTION = (
    "Arithmetic on pictures of two digits, recognised in your browser by a small neural network; "
    "no image leaves the device."
)


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything one build reads; paths are absolute."""

    model_dir: Path
    out_dir: Path
    quantize: str = DEFAULT_QUANTIZE
    templates_dir: Path = REPO_ROOT / "site_templates"
    node_modules: Path = REPO_ROOT / "node_modules"
    preprocess_spec: Path = REPO_ROOT / "training" / "preprocess_spec.json"
    low_confidence: float | None = None  # None: the model's metrics.json "low_confidence_threshold"
    not_digit_threshold: float | None = None  # None: the model's metrics.json "not_digit_threshold"
    site_title: str = SITE_TITLE
    site_description: str = SITE_DESCRIPTION
    metric_floors: dict[str, float] = dataclasses.field(default_factory=lambda: dict(floors.METRIC_FLOORS))
    allow_below_floors: bool = False  # python -m build.site --allow-below-floors
    # Set by load_config: the model's metrics.json, read (and checked) once for the whole build.
    metrics: model_metrics.ModelMetrics | None = None
    # Set by load_config: the floors this model misses, built anyway because of allow_below_floors.
    # Empty for a model that meets them; the build output and the model card show each phrase.
    below_floors: tuple[str, ...] = ()


def load_config(
    model: Path | str | None = None,
    out: Path | str | None = None,
    quantize: str | None = None,
    **overrides: object,
) -> Config:
    """Return a validated `Config`; raise `BuildError` listing every problem found.

    `model` defaults to the newest `training/models/<timestamp>/`, `out` to `dist/` in the repo.
    `overrides` set the other `Config` fields (tests point them at fixtures).
    """
    errors: list[str] = []

    if model is None:
        try:
            model_dir = exports.newest_model_dir(exports.MODELS_DIR)
        except exports.ModelNotFoundError as error:
            errors.append(str(error))
            model_dir = exports.MODELS_DIR
        except ValueError as error:  # a folder of digits int() cannot read, such as "²" or "٣"
            errors.append(
                f"cannot pick the newest model in {exports.MODELS_DIR}: a folder is not named by a Unix timestamp "
                f"in ASCII digits ({error}); rename or remove it"
            )
            model_dir = exports.MODELS_DIR
    else:
        resolved = _resolved(model, "--model", errors)
        model_dir = Path(model).absolute() if resolved is None else resolved
        if resolved is not None and not model_dir.is_dir():
            errors.append(f"model directory {model_dir} does not exist")
        elif resolved is not None and not (model_dir / "saved_model.pb").is_file():
            errors.append(f"{model_dir} is not a SavedModel directory (no saved_model.pb)")

    errors.extend(_version_errors(model_dir))
    out_dir = (_resolved(out, "--out", errors) or Path(out).absolute()) if out is not None else REPO_ROOT / "dist"
    if quantize is not None and quantize not in QUANTIZATIONS:
        errors.append(f"unknown quantization {quantize!r}; choose one of {', '.join(QUANTIZATIONS)}")

    config = Config(
        model_dir=model_dir,
        out_dir=out_dir,
        quantize=quantize or DEFAULT_QUANTIZE,
        **overrides,  # type: ignore[arg-type]
    )
    if not config.templates_dir.is_dir():
        errors.append(f"templates directory {config.templates_dir} does not exist")
    if not config.preprocess_spec.is_file():
        errors.append(f"preprocessing spec {config.preprocess_spec} does not exist")
    if config.low_confidence is not None and not 0.0 <= config.low_confidence <= 1.0:
        errors.append(f"low_confidence must be within 0..1, not {config.low_confidence}")
    if config.not_digit_threshold is not None and not 0.0 < config.not_digit_threshold <= 1.0:
        errors.append(f"not_digit_threshold must be within 0..1 (above 0), not {config.not_digit_threshold}")
    try:
        errors.extend(_output_errors(config))
    except OSError as error:  # e.g. a name too long for the file system
        errors.append(f"cannot write the build to {config.out_dir}: {error.strerror or error}")
    if (config.model_dir / "saved_model.pb").is_file():
        config = _with_metrics(config, errors)
    if quantize is None and config.metrics is not None:  # the model's own grid, when it was trained onto one
        config = dataclasses.replace(config, quantize=config.metrics.get("weight_grid", DEFAULT_QUANTIZE))

    if errors:
        raise BuildError("; ".join(errors))
    return config


def not_digit_threshold(config: Config) -> float:
    """Return the page's refusal threshold: the configured one, else the model's (chosen on held-out data at
    training time)."""
    if config.not_digit_threshold is not None:
        return config.not_digit_threshold
    return checked_metrics(config)["not_digit_threshold"]


def low_confidence(config: Config) -> float:
    """Return the page's low-confidence threshold: the configured one, else the model's (chosen on held-out data
    at training time)."""
    if config.low_confidence is not None:
        return config.low_confidence
    return checked_metrics(config)["low_confidence_threshold"]


def checked_metrics(config: Config) -> model_metrics.ModelMetrics:
    """Return the metrics.json that load_config read; BuildError for a Config made without it."""
    if config.metrics is None:
        raise BuildError(f"no model metrics for {config.model_dir}: make the Config with build.config.load_config")
    return config.metrics


def _with_metrics(config: Config, errors: list[str]) -> Config:
    """Return `config` with the model's metrics and the floors it misses; add an error if they cannot be read, or
    if the model misses a floor without the override."""
    try:
        metrics = model_metrics.read(config.model_dir)
    except model_metrics.MetricsError as error:
        errors.append(str(error))
        return config
    missed = floors.shortfalls(metrics, config.metric_floors)
    if missed and not config.allow_below_floors:
        errors.append(
            f"model {config.model_dir.name} is below the build's floors ({'; '.join(missed)}); "
            f"ship a better model, or pass {floors.OVERRIDE_FLAG} to build it anyway"
        )
    return dataclasses.replace(config, metrics=metrics, below_floors=tuple(missed))


def _resolved(path: Path | str, option: str, errors: list[str]) -> Path | None:
    """Return `path` made absolute with symlinks resolved, or None (and an error) for a symlink loop."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as error:  # Python 3.11 raises RuntimeError for a loop, 3.13 OSError
        errors.append(f"{option} {path} cannot be resolved: {getattr(error, 'strerror', None) or error}")
        return None


def _version_errors(model_dir: Path) -> list[str]:
    """Return why a model directory named by digits is no usable Unix timestamp ([] if it is one, or not digits)."""
    name = model_dir.name
    if not name.isdigit():
        return []  # a free name: the model card says the export time is not known
    if not name.isascii() or int(name) > MAX_TIMESTAMP:
        return [
            f"model directory name {name!r} is not a Unix timestamp (ASCII digits, at most {MAX_TIMESTAMP}); rename it"
        ]
    return []


def _output_errors(config: Config) -> list[str]:
    """Return why `config.out_dir` must not be replaced by a build ([] if it may)."""
    out_dir = config.out_dir
    # Replacing out_dir deletes it: it must not be a source directory, hold one, or lie inside one.
    sources = [config.templates_dir, config.model_dir, config.node_modules, *(REPO_ROOT / name for name in SOURCE_DIRS)]
    if out_dir in (REPO_ROOT, Path.home()) or any(
        out_dir == source or out_dir in source.parents or source in out_dir.parents for source in sources
    ):
        return [f"refusing to write the build to {out_dir}: it holds source files; pick another --out"]
    if out_dir.exists() and not out_dir.is_dir():
        return [f"cannot write the build to {out_dir}: it is a file"]
    # The build writes a temporary directory beside out_dir: its nearest existing ancestor must take it.
    ancestor = out_dir.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return [f"cannot write the build to {out_dir}: {ancestor} is a file"]
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return [f"cannot write the build to {out_dir}: {ancestor} is not writable"]
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).is_file():
        return [
            f"refusing to replace {out_dir}: it is not empty and was not written by this build "
            f"(no {BUILD_MARKER} file); pick another --out or remove it"
        ]
    return []
