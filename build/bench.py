"""`python -m build.bench`: measure the product as people use it (accuracy, speed, weight) against issues 6, 9 and 10.

Builds the site once into a temporary web root, then measures, in one run on one machine: build time,
MNIST accuracy in Python and in the browser, recognition of real and rendered uploads beside the
original app's recipe, cold start, latency and page weight beside the full `@tensorflow/tfjs` bundle;
and (issues 9-10) rendered photo scenes and blank sheets (build.scenes), ../shared/data/real, refusal of
rendered non-digits (build.nondigits), digits wrongly refused, 2-3 digit numbers (build.numbers), and
recognize on a 4000x3000 phone JPEG. Every picture is read through window.snapmath.recognize.
Writes report.json and report.md (default .artifacts/bench/) and prints the markdown table.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from build import bench_browser, bench_inputs, bench_report, convert, nondigits, numbers, runtime, scenes, uploads
from training import data, exports

log = logging.getLogger("build.bench")  # named, not __name__: run as `python -m` this module is __main__

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SNAPMATH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
DEFAULT_OUT = REPO_ROOT / ".artifacts" / "bench"
SITE, FULL_SITE, INPUTS = "snapmath", "snapmath-tfjs", "inputs"  # served under a sub-path, as on a real host
UPLOAD_SEED = 0
SCENE_SEED, NONDIGIT_SEED, NUMBER_SEED = 0, 1, 2  # build.nondigits' own seed; training/negatives.py draws its own
GZIP_LEVEL = 6  # what common static hosts use (nginx, Apache mod_deflate's default)


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much to measure: MNIST images, rendered uploads, scenes, non-digits, numbers, real pictures (at most),
    fresh pages per cold start, build runs, latency samples."""

    mnist: int = 10_000
    uploads: int = 500
    scenes: int = 550  # 11 kinds x 50: 450 digit scenes, 100 blank sheets and desks
    nondigits: int = 1_000
    numbers: int = 200
    real: int = 1_000
    repeats: int = 7
    build_runs: int = 3
    latency_samples: int = 50
    warm_up: int = 5


QUICK = Settings(
    mnist=200,
    uploads=20,
    scenes=22,
    nondigits=32,
    numbers=8,
    real=10,
    repeats=2,
    build_runs=1,
    latency_samples=5,
    warm_up=1,
)


def median(values: list[float]) -> float:
    """Return the median of `values`."""
    return float(np.median(values))


def percentiles(times: list[float]) -> dict:
    """Return {p50, p95, samples} of millisecond timings."""
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "samples": len(times)}


def measure_build(model_dir: Path, out_dir: Path, runs: int) -> dict:
    """Return {seconds: median, runs} of `python -m build.site` as a subprocess; the last build stays in out_dir."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "build.site", "--model", str(model_dir), "--out", str(out_dir)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        seconds.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise RuntimeError(f"python -m build.site failed:\n{result.stdout}\n{result.stderr}")
    return {"seconds": median(seconds), "runs": seconds}


def training_speed(model_dir: Path) -> dict:
    """Return the shipped model's training figures from its metrics.json (None where not recorded)."""
    metrics = exports.read_metrics(model_dir)
    return {key: metrics.get(key) for key in ("seconds_per_epoch", "epochs", "training_seconds", "test_accuracy")}


def mnist_agreement(python: np.ndarray, browser: np.ndarray, labels: np.ndarray) -> dict:
    """Return the accuracy of both probability sets and how closely the browser's follow Python's."""
    return {
        "count": len(labels),
        "python_accuracy": float((python.argmax(1) == labels).mean()),
        "browser_accuracy": float((browser.argmax(1) == labels).mean()),
        "same_digit": int((python.argmax(1) == browser.argmax(1)).sum()),
        "max_probability_difference": float(np.abs(python - browser).max()),
    }


def value_of(reading: dict) -> int | None:
    """Return what a reading says the picture shows: its `number` (issue 10's contract), else its `digit`."""
    number = reading.get("number")
    return number if number is not None else reading.get("digit")


def refused(reading: dict) -> bool:
    """Return whether recognize refused the picture: digit null and number null (a missing field counts as null)."""
    return reading.get("digit") is None and reading.get("number") is None


def is_right(reading: dict, label: int | None) -> bool:
    """Return whether a reading is right: it shows the label, or for a picture without a digit it reads nothing."""
    return refused(reading) if label is None else value_of(reading) == label


def score_readings(readings: list[dict], files: list[bench_inputs.InputFile]) -> dict:
    """Return {count, correct, accuracy, by_kind: {kind: {count, correct, accuracy}}, misses}."""

    def tally(pairs: list[tuple[dict, bench_inputs.InputFile]]) -> dict:
        correct = sum(is_right(reading, file.label) for reading, file in pairs)
        return {"count": len(pairs), "correct": correct, "accuracy": correct / len(pairs) if pairs else 0.0}

    pairs = list(zip(readings, files, strict=True))
    kinds = sorted({file.kind for file in files})
    misses = [
        {"file": file.path, "label": file.label, **reading}
        for reading, file in pairs
        if not is_right(reading, file.label)
    ]
    return {
        **tally(pairs),
        "by_kind": {kind: tally([p for p in pairs if p[1].kind == kind]) for kind in kinds},
        "misses": misses,
    }


def scene_scores(readings: list[dict], files: list[bench_inputs.InputFile]) -> dict:
    """Return score_readings over all scenes, plus the accuracy on the digit scenes and the blanks read as something."""
    digit_pairs = [(reading, file) for reading, file in zip(readings, files, strict=True) if file.label is not None]
    digits = score_readings([reading for reading, _ in digit_pairs], [file for _, file in digit_pairs])
    blanks = [reading for reading, file in zip(readings, files, strict=True) if file.label is None]
    return {
        **score_readings(readings, files),
        "digits": {key: digits[key] for key in ("count", "correct", "accuracy")},
        "blanks": {"count": len(blanks), "read": sum(not refused(reading) for reading in blanks)},
    }


def refusal_scores(readings: list[dict], files: list[bench_inputs.InputFile]) -> dict:
    """Return {count, refused, rate, errors, by_kind: {kind: {count, refused, rate}}, read_as} of non-digit pictures."""

    def tally(chosen: list[dict]) -> dict:
        count = sum(refused(reading) for reading in chosen)
        return {"count": len(chosen), "refused": count, "rate": count / len(chosen) if chosen else 0.0}

    kinds = sorted({file.kind for file in files})
    by_kind = {kind: tally([r for r, f in zip(readings, files, strict=True) if f.kind == kind]) for kind in kinds}
    read_as = [
        {
            "file": file.path,
            "kind": file.kind,
            "digit": reading.get("digit"),
            "number": reading.get("number"),
            "confidence": reading.get("confidence"),
        }
        for reading, file in zip(readings, files, strict=True)
        if not refused(reading)
    ]
    return {
        **tally(readings),
        "errors": sum(reading.get("error") is not None for reading in readings),
        "by_kind": by_kind,
        "read_as": read_as,
    }


def wrongly_refused(readings: list[dict]) -> dict:
    """Return {count, refused, rate} of pictures of digits that recognize refused."""
    count = sum(refused(reading) for reading in readings)
    return {"count": len(readings), "refused": count, "rate": count / len(readings) if readings else 0.0}


def mnist_refusals(not_digit: np.ndarray, threshold: float) -> dict:
    """Return {count, refused, rate, threshold}: MNIST test images whose not_digit reaches the page's threshold."""
    count = int((np.asarray(not_digit) >= threshold).sum())
    return {
        "count": len(not_digit),
        "refused": count,
        "rate": count / len(not_digit) if len(not_digit) else 0.0,
        "threshold": threshold,
    }


def recognition(page, full_page, base_url: str, files: list[bench_inputs.InputFile]) -> dict:
    """Return the scores of snapmath.recognize and of the original recipe on the same files.

    The original recipe runs in the full-bundle page: it needs tf.browser.fromPixels and
    tf.image.resizeBilinear, which the page's own TF.js bundle leaves out (the model is the same).
    """
    urls = [base_url + file.path for file in files]
    readings = bench_browser.read_files(page, urls, bench_browser.RECOGNIZE)
    return {
        "ours": score_readings(readings, files),
        "original": score_readings(bench_browser.read_files(full_page, urls, bench_browser.ORIGINAL_RECIPE), files),
        "refused": wrongly_refused(readings),  # digits that recognize refused (issue 10)
    }


def recognize_files(page, base_url: str, files: list[bench_inputs.InputFile]) -> list[dict]:
    """Return snapmath.recognize's reading of each file."""
    return bench_browser.read_files(page, [base_url + file.path for file in files], bench_browser.RECOGNIZE)


def real_kinds(real_dir: Path) -> dict[str, str]:
    """Return file name -> kind (photo-handwriting, drawn-digital, ...) from the real pictures' SOURCES.tsv."""
    sources = real_dir / "SOURCES.tsv"
    if not sources.is_file():
        return {}
    rows = [line.split("\t") for line in sources.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return {row[0]: row[1] for row in rows if len(row) > 1}


def copy_real(real_dir: Path, web_root: Path, folder: str, limit: int) -> list[bench_inputs.InputFile]:
    """Copy at most `limit` of ../shared/data/real (label = first character), each with its kind from SOURCES.tsv."""
    if not real_dir.is_dir():
        return []
    kinds = real_kinds(real_dir)
    files = bench_inputs.copy_samples(real_dir, web_root, folder)[:limit]
    return [dataclasses.replace(file, kind=kinds.get(Path(file.path).name, "real")) for file in files]


def page_weight(requested: list[str], site_dir: Path, base_url: str) -> dict:
    """Return raw and gzipped bytes of the site files a page requested, per part (runtime, model, app) and total."""
    parts = {part: {"raw": 0, "gzip": 0, "files": []} for part in ("runtime", "model", "app")}
    for url in dict.fromkeys(requested):  # each file once, in request order
        path = url_to_path(url, base_url, site_dir)
        if path is None:
            continue  # data: and blob: URLs carry no download
        relative = path.relative_to(site_dir).as_posix()
        part = part_of(relative)
        content = path.read_bytes()
        parts[part]["raw"] += len(content)
        parts[part]["gzip"] += len(gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0))
        parts[part]["files"].append(relative)
    total = {"raw": sum(p["raw"] for p in parts.values()), "gzip": sum(p["gzip"] for p in parts.values())}
    return {**parts, "total": total}


def part_of(relative: str) -> str:
    """Return which part of the page a dist/ file is: runtime (TF.js), model, or app (everything else)."""
    if relative.startswith(runtime.VENDOR_DIR + "/"):
        return "runtime"
    if relative.startswith(convert.MODEL_DIR + "/"):
        return "model"
    return "app"


def url_to_path(url: str, base_url: str, site_dir: Path) -> Path | None:
    """Return the file of `site_dir` that `url` (http under base_url, or file://) names; None for data:/blob:."""
    if url.startswith(("data:", "blob:")):
        return None
    if url.startswith("file:"):
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    elif url.startswith(base_url):
        path = site_dir.parent / urllib.parse.unquote(urllib.parse.urlparse(url).path).lstrip("/")
    else:
        raise ValueError(f"the page requested {url}, outside the site: the benchmark only counts its own files")
    if not path.is_file() or site_dir not in path.parents:
        raise ValueError(f"the page requested {url}, which is not a file of {site_dir}")
    return path


def cold_starts(browser, sites: dict[str, Path], base_url: str, repeats: int) -> dict:
    """Return, per site variant and per opening (file, http): median and best ms to ready, the runs, the page weight.

    Variants alternate within each round, so a busy moment on the machine hits them alike.
    """
    results = {name: {"file": {"runs": []}, "http": {"runs": []}} for name in sites}
    for round_number in range(repeats):
        for name, site_dir in sites.items():
            for opening, url in (
                ("file", (site_dir / "index.html").as_uri()),
                ("http", f"{base_url}{site_dir.name}/index.html"),
            ):
                opened = bench_browser.open_fresh(browser, url)
                results[name][opening]["runs"].append(opened.ready_ms)
                results[name][opening].setdefault("marks", []).append(opened.marks)
                results[name][opening].setdefault("first_classify", []).append(opened.first_classify_ms)
                if round_number == 0:
                    results[name][opening]["weight"] = page_weight(opened.requests, site_dir, base_url)
                    results[name][opening]["page_errors"] = opened.errors
                bench_browser.close(opened)
        log.info("cold start round %d/%d", round_number + 1, repeats)
    for variant in results.values():
        for opening in variant.values():
            opening["median_ms"] = median(opening["runs"])
            opening["best_ms"] = min(opening["runs"])  # closest to the page's own cost when the machine is shared
            opening["breakdown"] = cold_start_breakdown(opening.pop("marks"), opening["runs"])
            opening["first_classify_ms"] = median(opening.pop("first_classify"))
    return results


def cold_start_breakdown(marks: list[dict], ready: list[float]) -> dict:
    """Return {step: median ms from navigation} over the fresh pages, for the steps every page marked."""
    runs = [{**page_marks, "ready": ready_ms} for page_marks, ready_ms in zip(marks, ready, strict=True)]
    steps = [step for step, _ in bench_report.COLD_START_STEPS]
    return {step: median([run[step] for run in runs]) for step in steps if all(step in run for run in runs)}


def latency(
    page, base_url: str, photos: dict[str, bench_inputs.InputFile], image: np.ndarray, settings: Settings
) -> dict:
    """Return p50/p95 ms of recognize per latency photo (and p50 per stage), and of classify alone, after a warm-up."""
    results = {}
    for name, photo in photos.items():
        timed = bench_browser.recognize_times(page, base_url + photo.path, settings.warm_up, settings.latency_samples)
        stages = bench_browser.stage_times(page, base_url + photo.path, settings.warm_up, settings.latency_samples)
        results[f"recognize_{name}"] = {
            **percentiles(timed["times"]),
            "digit": timed["digit"],
            "label": photo.label,
            "stages_p50": {stage: percentiles(times)["p50"] for stage, times in stages.items()},
        }
    results["classify"] = percentiles(
        bench_browser.classify_times(page, image, settings.warm_up, settings.latency_samples)["times"]
    )
    return results


def run(
    settings: Settings,
    model_dir: Path,
    mnist_dir: Path,
    samples_dir: Path,
    work_dir: Path,
    real_dir: Path | None = None,
) -> dict:
    """Return the whole report: every measurement of the module docstring, plus the targets."""
    web_root = work_dir / "www"
    load_at_start = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    mnist = data.load_mnist(mnist_dir)
    images, labels = mnist.test_images[: settings.mnist], mnist.test_labels[: settings.mnist]

    # 1. Build once (timed as a person runs it), then the full-bundle variant beside it.
    log.info("building the site %d time(s) ...", settings.build_runs)
    build = measure_build(model_dir, web_root / SITE, settings.build_runs)
    full_site = bench_inputs.make_full_bundle_variant(web_root / SITE, web_root / FULL_SITE, REPO_ROOT / "node_modules")

    # 2. Inputs, written under the web root so the page fetches them like any file.
    log.info("rendering %d uploads ...", settings.uploads)
    rendered = uploads.render_set(mnist.test_images, mnist.test_labels, settings.uploads, seed=UPLOAD_SEED)
    upload_files = bench_inputs.write_uploads(rendered, web_root, f"{INPUTS}/uploads")
    sample_files = bench_inputs.copy_samples(samples_dir, web_root, f"{INPUTS}/samples")
    photos = bench_inputs.write_latency_photos(
        mnist.test_images[0], int(mnist.test_labels[0]), web_root, f"{INPUTS}/photos"
    )
    test_images, test_labels = mnist.test_images, mnist.test_labels
    log.info(
        "rendering %d scenes, %d non-digits, %d numbers ...", settings.scenes, settings.nondigits, settings.numbers
    )
    scene_files = bench_inputs.write_pictures(
        scenes.render_scenes(settings.scenes, SCENE_SEED, test_images, test_labels),
        web_root,
        f"{INPUTS}/scenes",
        lambda scene: scene.kind,
    )
    nondigit_files = bench_inputs.write_pictures(
        nondigits.render_nondigits(settings.nondigits, NONDIGIT_SEED),
        web_root,
        f"{INPUTS}/nondigits",
        lambda picture: picture.kind,
    )
    number_files = bench_inputs.write_pictures(
        numbers.render_numbers(settings.numbers, NUMBER_SEED, test_images, test_labels),
        web_root,
        f"{INPUTS}/numbers",
        lambda picture: f"{picture.digits}_digits",
    )
    real_files = copy_real(real_dir, web_root, f"{INPUTS}/real", settings.real) if real_dir else []

    log.info("classifying %d MNIST images with the SavedModel ...", len(images))
    python_probabilities, python_not_digit = exports.load_reader(model_dir)(data.as_model_input(images))

    with bench_browser.chromium() as browser, bench_browser.serve(web_root) as base_url:
        log.info("cold starts: %d fresh pages per variant and opening ...", settings.repeats)
        starts = cold_starts(browser, {"ours": web_root / SITE, "full_tfjs": full_site}, base_url, settings.repeats)
        opened = bench_browser.open_fresh(browser, f"{base_url}{SITE}/index.html")
        full = bench_browser.open_fresh(browser, f"{base_url}{FULL_SITE}/index.html")
        try:
            log.info("classifying %d MNIST images in the browser ...", len(images))
            browser_probabilities = bench_browser.classify_images(opened.page, images)
            log.info(
                "reading %d samples and %d uploads, ours and the original recipe ...",
                len(sample_files),
                len(upload_files),
            )
            samples = recognition(opened.page, full.page, base_url, sample_files)
            upload_scores = recognition(opened.page, full.page, base_url, upload_files)
            log.info(
                "reading %d scenes, %d real pictures, %d non-digits, %d numbers ...",
                len(scene_files),
                len(real_files),
                len(nondigit_files),
                len(number_files),
            )
            scene_scores_ = scene_scores(recognize_files(opened.page, base_url, scene_files), scene_files)
            real = (
                score_readings(recognize_files(opened.page, base_url, real_files), real_files) if real_files else None
            )
            refusal = refusal_scores(recognize_files(opened.page, base_url, nondigit_files), nondigit_files)
            number_scores = score_readings(recognize_files(opened.page, base_url, number_files), number_files)
            threshold = bench_browser.page_config(opened.page).get("notDigitThreshold")
            log.info("latency ...")
            timings = latency(opened.page, base_url, photos, images[0], settings)
            version = opened.page.evaluate("() => window.snapmath.version")
        finally:
            bench_browser.close(opened)
            bench_browser.close(full)
        chromium_version = browser.version

    report = {
        "settings": {
            **dataclasses.asdict(settings),
            "model": version,
            "chromium": chromium_version,
            "cpus": os.cpu_count(),
            "load_average": [load_at_start, os.getloadavg()[0]],
            "gzip_level": GZIP_LEVEL,
        },
        "build": {**build, "training": training_speed(model_dir)},
        "mnist": mnist_agreement(python_probabilities, browser_probabilities, labels),
        "samples": samples,
        "uploads": upload_scores,
        "scenes": scene_scores_,
        "real": real,
        "nondigits": refusal,
        "numbers": number_scores,
        "refused_digits": {
            "mnist": mnist_refusals(python_not_digit, 1.0 if threshold is None else float(threshold)),
            "uploads": upload_scores["refused"],
            "samples": samples["refused"],
        },
        "cold_start": starts,
        "latency": timings,
    }
    report["targets"] = bench_report.check_targets(report)
    return report


def write_report(report: dict, out_dir: Path) -> str:
    """Write report.json and report.md into out_dir; return the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = bench_report.to_markdown(report)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(markdown, encoding="utf-8")
    return markdown


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the benchmark, write and print the report; return the exit status."""
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
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else Settings()
    counted = ("mnist", "uploads", "scenes", "nondigits", "numbers", "real", "repeats")
    overrides = {key: getattr(args, key) for key in counted if getattr(args, key) is not None}
    settings = dataclasses.replace(settings, **overrides)
    if not 1 <= settings.mnist <= 10_000 or min(getattr(settings, key) for key in counted[1:]) < 1:
        parser.error(
            "--mnist must be 1..10000; --uploads, --scenes, --nondigits, --numbers, --real, --repeats at least 1"
        )

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    mnist_dir = Path(os.environ.get(data.DATA_DIR_ENV, SHARED_DATA / "mnist"))
    model_dir = args.model or exports.newest_model_dir()
    with tempfile.TemporaryDirectory(prefix="snapmath-bench-") as work_dir:
        report = run(settings, model_dir, mnist_dir, SHARED_DATA / "samples", Path(work_dir), SHARED_DATA / "real")
    print(write_report(report, args.out))
    print(f"wrote {args.out / 'report.json'} and {args.out / 'report.md'}")
    if args.record:
        metrics_path = Path(model_dir) / "metrics.json"
        metrics = json.loads(metrics_path.read_text())
        metrics["benchmark"] = stored_results(report)
        metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
        print(f"recorded {', '.join(metrics['benchmark'])} in {metrics_path} (the model card shows them)")
    return 0


def stored_results(report: dict) -> dict:
    """Return the accuracies on people-like pictures as the model card reads them: {name: {accuracy, count}}."""
    rows = {
        "rendered_photos_of_a_digit": report.get("scenes", {}).get("digits"),
        "real_pictures_from_other_people": report.get("real"),
        "rendered_numbers_read_exactly": report.get("numbers"),
        "rendered_uploads": report.get("uploads", {}).get("ours"),
    }
    stored = {
        name: {"accuracy": row["accuracy"], "count": row["count"]}
        for name, row in rows.items()
        if row and row.get("count")
    }
    nondigits = report.get("nondigits")
    if nondigits and nondigits.get("count"):
        stored["non_digits_refused"] = {"accuracy": nondigits["rate"], "count": nondigits["count"]}
    return stored


if __name__ == "__main__":
    sys.exit(main())
