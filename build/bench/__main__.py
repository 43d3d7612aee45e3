"""`python -m build.bench`: measure the product as people use it (accuracy, speed, weight) against issues 6, 9 and 10.

Builds the site from the shipped model and reads MNIST, rendered uploads, photo scenes, non-digits, numbers and
../shared/data/real through the page in Chromium (build.bench.measure); writes report.json and report.md
(default .artifacts/bench/) and prints the markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import tempfile
from pathlib import Path

from build.bench import measure
from build.bench import report as bench_report
from training import data, exports

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("SNAPMATH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
DEFAULT_OUT = REPO_ROOT / ".artifacts" / "bench"
COUNTED = ("mnist", "uploads", "scenes", "nondigits", "numbers", "real", "repeats")  # the settings a flag overrides


def make_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: --quick, the counts, --out, --model, --record."""
    parser = argparse.ArgumentParser(prog="python -m build.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny setting for a smoke test (not for figures)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default: .artifacts/bench/)")
    parser.add_argument("--model", type=Path, help="SavedModel directory (default: the shipped, newest one)")
    parser.add_argument("--mnist", type=int, help="MNIST test images to classify (default 10000)")
    parser.add_argument("--uploads", type=int, help="photo-like uploads to render and read (default 500)")
    parser.add_argument("--scenes", type=int, help="photo scenes to render and read, 11 kinds in turn (default 550)")
    parser.add_argument("--nondigits", type=int, help="non-digit pictures to render and read (default 1000)")
    parser.add_argument("--numbers", type=int, help="2-3 digit numbers to render and read (default 200)")
    parser.add_argument("--real", type=int, help="at most this many of ../shared/data/real (default all)")
    parser.add_argument("--repeats", type=int, help="fresh pages per cold-start median (default 7)")
    parser.add_argument(
        "--record", action="store_true", help="store the accuracies on people-like pictures in the model's metrics.json"
    )
    return parser


def parse_settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> measure.Settings:
    """Return the settings the command line asks for: --quick's or the full run's, with each count given replaced.

    A count out of range is a usage error (exit 2) before anything is built.
    """
    settings = measure.QUICK if args.quick else measure.Settings()
    overrides = {key: getattr(args, key) for key in COUNTED if getattr(args, key) is not None}
    settings = dataclasses.replace(settings, **overrides)
    if not 1 <= settings.mnist <= 10_000 or min(getattr(settings, key) for key in COUNTED[1:]) < 1:
        parser.error(
            "--mnist must be 1..10000; --uploads, --scenes, --nondigits, --numbers, --real, --repeats at least 1"
        )
    return settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the benchmark, write and print the report; return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    settings = parse_settings(parser, args)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    mnist_dir = Path(os.environ.get(data.DATA_DIR_ENV, SHARED_DATA / "mnist"))
    model_dir = args.model or exports.newest_model_dir()
    with tempfile.TemporaryDirectory(prefix="snapmath-bench-") as work_dir:
        report = measure.run(
            settings, model_dir, mnist_dir, SHARED_DATA / "samples", Path(work_dir), SHARED_DATA / "real"
        )
    print(bench_report.write(report, args.out))
    print(f"wrote {args.out / 'report.json'} and {args.out / 'report.md'}")
    if args.record:
        recorded = bench_report.record(report, Path(model_dir))
        print(f"recorded {', '.join(recorded)} in {Path(model_dir) / 'metrics.json'} (the model card shows them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
