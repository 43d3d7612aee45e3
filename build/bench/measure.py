"""The benchmark's run: build the site, feed it pictures in Chromium, time it, weigh it; return the report.

Builds the site once into a temporary web root, then measures, in one run on one machine: build time,
MNIST accuracy in Python and in the browser, recognition of real and rendered uploads beside the
original app's recipe, cold start, latency and page weight beside the full `@tensorflow/tfjs` bundle;
and (issues 9-10) rendered photo scenes and blank sheets (build.scenes), ../shared/data/real, refusal of
rendered non-digits (build.nondigits), digits wrongly refused, 2-3 digit numbers (build.bench.numbers), and
recognize on a 4000x3000 phone JPEG. Every picture is read through window.snapmath.recognize.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from build import nondigits, scenes, serve, uploads
from build.bench import browser as bench_browser
from build.bench import inputs, numbers, scores, weight
from build.bench import report as bench_report
from training import data, exports, model_metrics

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE, FULL_SITE, INPUTS = "snapmath", "snapmath-tfjs", "inputs"  # served under a sub-path, as on a real host
UPLOAD_SEED = 0
SCENE_SEED, NONDIGIT_SEED, NUMBER_SEED = 0, 1, 2  # build.nondigits' own seed; training/negatives.py draws its own


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


def percentiles(times: list[float]) -> dict[str, float]:
    """Return {p50, p95, samples} of millisecond timings."""
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "samples": len(times)}


def measure_build(model_dir: Path, out_dir: Path, runs: int) -> dict[str, Any]:
    """Return {seconds: median, runs} of `python -m build.site` as a subprocess; the last build stays in out_dir."""
    seconds: list[float] = []
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


def training_speed(model_dir: Path) -> dict[str, Any]:
    """Return the shipped model's training figures from its metrics.json (None where not recorded)."""
    metrics = model_metrics.read(model_dir)
    return {key: metrics.get(key) for key in ("seconds_per_epoch", "epochs", "training_seconds", "test_accuracy")}


def recognition(page: Page, full_page: Page, base_url: str, files: list[inputs.InputFile]) -> dict[str, Any]:
    """Return the scores of snapmath.recognize and of the original recipe on the same files.

    The original recipe runs in the full-bundle page: it needs tf.browser.fromPixels and
    tf.image.resizeBilinear, which the page's own TF.js bundle leaves out (the model is the same).
    """
    urls = [base_url + file.path for file in files]
    readings = bench_browser.read_files(page, urls, bench_browser.RECOGNIZE)
    return {
        "ours": scores.score_readings(readings, files),
        "original": scores.score_readings(
            bench_browser.read_files(full_page, urls, bench_browser.ORIGINAL_RECIPE), files
        ),
        "refused": scores.wrongly_refused(readings),  # digits that recognize refused (issue 10)
    }


def recognize_files(page: Page, base_url: str, files: list[inputs.InputFile]) -> list[dict[str, Any]]:
    """Return snapmath.recognize's reading of each file."""
    return bench_browser.read_files(page, [base_url + file.path for file in files], bench_browser.RECOGNIZE)


def cold_starts(browser: Browser, sites: dict[str, Path], base_url: str, repeats: int) -> dict[str, Any]:
    """Return, per site variant and per opening (file, http): median and best ms to ready, the runs, the page weight.

    Variants alternate within each round, so a busy moment on the machine hits them alike.
    """
    results: dict[str, dict[str, dict[str, Any]]] = {
        name: {"file": {"runs": []}, "http": {"runs": []}} for name in sites
    }
    for round_number in range(repeats):
        for name, site_dir in sites.items():
            for opening, url in (
                ("file", (site_dir / "index.html").as_uri()),
                ("http", f"{base_url}{site_dir.name}/index.html"),
            ):
                with bench_browser.open_fresh(browser, url) as opened:
                    results[name][opening]["runs"].append(opened.ready_ms)
                    results[name][opening].setdefault("marks", []).append(opened.marks)
                    results[name][opening].setdefault("first_classify", []).append(opened.first_classify_ms)
                    if round_number == 0:
                        results[name][opening]["weight"] = weight.page_weight(opened.requests, site_dir, base_url)
                        results[name][opening]["page_errors"] = opened.errors
        log.info("cold start round %d/%d", round_number + 1, repeats)
    for variant in results.values():
        for measured in variant.values():
            measured["median_ms"] = median(measured["runs"])
            measured["best_ms"] = min(measured["runs"])  # closest to the page's own cost when the machine is shared
            measured["breakdown"] = cold_start_breakdown(measured.pop("marks"), measured["runs"])
            measured["first_classify_ms"] = median(measured.pop("first_classify"))
    return results


def cold_start_breakdown(marks: list[dict[str, float]], ready: list[float]) -> dict[str, float]:
    """Return {step: median ms from navigation} over the fresh pages, for the steps every page marked."""
    runs = [{**page_marks, "ready": ready_ms} for page_marks, ready_ms in zip(marks, ready, strict=True)]
    steps = [step for step, _ in bench_report.COLD_START_STEPS]
    return {step: median([run[step] for run in runs]) for step in steps if all(step in run for run in runs)}


def latency(
    page: Page, base_url: str, photos: dict[str, inputs.InputFile], image: np.ndarray, settings: Settings
) -> dict[str, Any]:
    """Return p50/p95 ms of recognize per latency photo (and p50 per stage), and of classify alone, after a warm-up."""
    results: dict[str, Any] = {}
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
) -> dict[str, Any]:
    """Return the whole report: every measurement of the module docstring, plus the targets."""
    web_root = work_dir / "www"
    load_at_start = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    mnist = data.load_mnist(mnist_dir)
    images, labels = mnist.test_images[: settings.mnist], mnist.test_labels[: settings.mnist]

    # 1. Build once (timed as a person runs it), then the full-bundle variant beside it.
    log.info("building the site %d time(s) ...", settings.build_runs)
    build = measure_build(model_dir, web_root / SITE, settings.build_runs)
    full_site = inputs.make_full_bundle_variant(web_root / SITE, web_root / FULL_SITE, REPO_ROOT / "node_modules")

    # 2. Inputs, written under the web root so the page fetches them like any file.
    log.info("rendering %d uploads ...", settings.uploads)
    rendered = uploads.render_set(mnist.test_images, mnist.test_labels, settings.uploads, seed=UPLOAD_SEED)
    upload_files = inputs.write_uploads(rendered, web_root, f"{INPUTS}/uploads")
    sample_files = inputs.copy_samples(samples_dir, web_root, f"{INPUTS}/samples")
    photos = inputs.write_latency_photos(mnist.test_images[0], int(mnist.test_labels[0]), web_root, f"{INPUTS}/photos")
    test_images, test_labels = mnist.test_images, mnist.test_labels
    log.info(
        "rendering %d scenes, %d non-digits, %d numbers ...", settings.scenes, settings.nondigits, settings.numbers
    )
    scene_files = inputs.write_pictures(
        scenes.render_scenes(settings.scenes, SCENE_SEED, test_images, test_labels),
        web_root,
        f"{INPUTS}/scenes",
        lambda scene: scene.kind,
    )
    nondigit_files = inputs.write_pictures(
        nondigits.render_nondigits(settings.nondigits, NONDIGIT_SEED),
        web_root,
        f"{INPUTS}/nondigits",
        lambda picture: picture.kind,
    )
    number_files = inputs.write_pictures(
        numbers.render_numbers(settings.numbers, NUMBER_SEED, test_images, test_labels),
        web_root,
        f"{INPUTS}/numbers",
        lambda picture: f"{picture.digits}_digits",
    )
    real_files = inputs.copy_real(real_dir, web_root, f"{INPUTS}/real", settings.real) if real_dir else []

    log.info("classifying %d MNIST images with the SavedModel ...", len(images))
    python_probabilities, python_not_digit = exports.load_reader(model_dir)(data.as_model_input(images))

    with bench_browser.chromium() as browser, serve.serving(web_root, quiet=True) as base_url:
        log.info("cold starts: %d fresh pages per variant and opening ...", settings.repeats)
        starts = cold_starts(browser, {"ours": web_root / SITE, "full_tfjs": full_site}, base_url, settings.repeats)
        with (
            bench_browser.open_fresh(browser, f"{base_url}{SITE}/index.html") as opened,
            bench_browser.open_fresh(browser, f"{base_url}{FULL_SITE}/index.html") as full,
        ):
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
            scene_scores = scores.scene_scores(recognize_files(opened.page, base_url, scene_files), scene_files)
            real = (
                scores.score_readings(recognize_files(opened.page, base_url, real_files), real_files)
                if real_files
                else None
            )
            refusal = scores.refusal_scores(recognize_files(opened.page, base_url, nondigit_files), nondigit_files)
            number_scores = scores.score_readings(recognize_files(opened.page, base_url, number_files), number_files)
            threshold = bench_browser.page_config(opened.page).get("notDigitThreshold")
            log.info("latency ...")
            timings = latency(opened.page, base_url, photos, images[0], settings)
            version = opened.page.evaluate("() => window.snapmath.version")
        chromium_version = browser.version

    report: dict[str, Any] = {
        "settings": {
            **dataclasses.asdict(settings),
            "model": version,
            "chromium": chromium_version,
            "cpus": os.cpu_count(),
            "load_average": [load_at_start, os.getloadavg()[0]],
            "gzip_level": weight.GZIP_LEVEL,
        },
        "build": {**build, "training": training_speed(model_dir)},
        "mnist": scores.mnist_agreement(python_probabilities, browser_probabilities, labels),
        "samples": samples,
        "uploads": upload_scores,
        "scenes": scene_scores,
        "real": real,
        "nondigits": refusal,
        "numbers": number_scores,
        "refused_digits": {
            "mnist": scores.mnist_refusals(python_not_digit, 1.0 if threshold is None else float(threshold)),
            "uploads": upload_scores["refused"],
            "samples": samples["refused"],
        },
        "cold_start": starts,
        "latency": timings,
    }
    report["targets"] = bench_report.check_targets(report)
    return report
