"""The benchmark's report: its targets (issues 6, 9, 10) checked, the markdown table, the files, what the card keeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from training import model_metrics


@dataclass(frozen=True)
class Target:
    """One target: a figure of the report (None: not measured in this run), `<=` or `>=` a limit, how it reads."""

    key: str
    value: Callable[[dict], float | None]
    comparison: str
    limit: float
    text: str


TARGETS = (
    Target("mnist_python", lambda r: r["mnist"]["python_accuracy"], ">=", 0.995, "≥ 99.5%"),
    Target("mnist_browser", lambda r: r["mnist"]["browser_accuracy"], ">=", 0.995, "≥ 99.5%"),
    Target("mnist_match", lambda r: r["mnist"]["same_digit"] / r["mnist"]["count"], ">=", 1.0, "every digit as Python"),
    Target("samples", lambda r: r["samples"]["ours"]["accuracy"], ">=", 1.0, "all (14/14)"),
    Target("uploads", lambda r: r["uploads"]["ours"]["accuracy"], ">=", 0.995, "≥ 99.5%"),  # issue 9 (issue 6: 97%)
    # "Well above the original recipe": read here as at least 10 percentage points better.
    Target(
        "uploads_gain",
        lambda r: r["uploads"]["ours"]["accuracy"] - r["uploads"]["original"]["accuracy"],
        ">=",
        0.10,
        "≥ +10 points",
    ),
    Target("cold_start_file", lambda r: r["cold_start"]["ours"]["file"]["median_ms"], "<=", 400, "≤ 400 ms"),
    Target("recognize_jpeg", lambda r: r["latency"]["recognize_jpeg_2000x1500"]["p50"], "<=", 15, "p50 ≤ 15 ms"),
    Target("classify", lambda r: r["latency"]["classify"]["p50"], "<=", 3, "p50 ≤ 3 ms"),
    Target(
        "page_weight",
        lambda r: r["cold_start"]["ours"]["http"]["weight"]["total"]["raw"],
        "<=",
        800_000,
        "≤ 800 KB raw",
    ),
    Target("build", lambda r: r["build"]["seconds"], "<=", 60, "≤ 60 s"),
    # Issue 12: only the TF.js the page uses, and a quick start.
    Target("cold_start_150", lambda r: r["cold_start"]["ours"]["file"]["median_ms"], "<=", 150, "≤ 150 ms"),
    Target(
        "page_weight_400",
        lambda r: r["cold_start"]["ours"]["http"]["weight"]["total"]["raw"],
        "<=",
        400_000,
        "≤ 400 KB raw",
    ),
    Target(
        "page_weight_gzip",
        lambda r: r["cold_start"]["ours"]["http"]["weight"]["total"]["gzip"],
        "<=",
        150_000,
        "≤ 150 KB gzip",
    ),
    Target("recognize_png_12", lambda r: r["latency"]["recognize_png_200x200"]["p50"], "<=", 12, "p50 ≤ 12 ms"),
    Target("classify_2", lambda r: r["latency"]["classify"]["p50"], "<=", 2, "p50 ≤ 2 ms"),
    # Issue 9: find the digit in a real photo.
    Target("scenes", lambda r: r["scenes"]["digits"]["accuracy"], ">=", 0.95, "≥ 95%"),
    Target("blanks_read", lambda r: r["scenes"]["blanks"]["read"], "<=", 0, "0 read as a digit"),
    Target("real", lambda r: r["real"]["accuracy"] if r.get("real") else None, ">=", 0.97, "≥ 97%"),
    Target("recognize_phone_jpeg", lambda r: r["latency"]["recognize_jpeg_4000x3000"]["p50"], "<=", 40, "p50 ≤ 40 ms"),
    Target("recognize_png", lambda r: r["latency"]["recognize_png_200x200"]["p50"], "<=", 15, "p50 ≤ 15 ms"),
    # Issue 10: one digit, a number, or not a digit.
    Target("nondigits_refused", lambda r: r["nondigits"]["rate"], ">=", 0.95, "≥ 95%"),
    Target("refused_mnist", lambda r: r["refused_digits"]["mnist"]["rate"], "<=", 0.005, "≤ 0.5%"),
    Target("refused_uploads", lambda r: r["refused_digits"]["uploads"]["rate"], "<=", 0.01, "≤ 1%"),
    Target("refused_samples", lambda r: r["refused_digits"]["samples"]["refused"], "<=", 0, "0"),
    Target("numbers", lambda r: r["numbers"]["accuracy"], ">=", 0.95, "≥ 95% exact"),
)


def check_targets(report: dict) -> dict:
    """Return {key: {value, comparison, limit, target, passed}} for every target (not measured: value None, missed)."""
    checked = {}
    for target in TARGETS:
        measured = target.value(report)
        value = None if measured is None else float(measured)
        if value is None:
            passed = False
        else:
            passed = value >= target.limit if target.comparison == ">=" else value <= target.limit
        checked[target.key] = {
            "value": value,
            "comparison": target.comparison,
            "limit": target.limit,
            "target": target.text,
            "passed": passed,
        }
    return checked


def percent(fraction: float) -> str:
    return f"{fraction:.2%}"


def kilobytes(size: int) -> str:
    return f"{size / 1000:.1f} KB"  # decimal, as the build's summary and the issue's "1.47 MB" count


def count(score: dict) -> str:
    """Return `97.20% (486/500)` for a tally."""
    return f"{percent(score['accuracy'])} ({score['correct']}/{score['count']})"


def share(part: int, whole: int) -> str:
    """Return `0.40% (2/500)`."""
    return f"{percent(part / whole if whole else 0.0)} ({part}/{whole})"


def weight(part_sizes: dict, kind: str) -> str:
    """Return `total (runtime + model + app)` of one page weight, raw or gzip."""
    parts = " + ".join(f"{name} {kilobytes(part_sizes[name][kind])}" for name in ("runtime", "model", "app"))
    return f"{kilobytes(part_sizes['total'][kind])} ({parts})"


# The steps of a cold start in the order they happen: model.js's "snapmath:<step>" marks (weights-decoded
# only from disk), first paint, and ready.
COLD_START_STEPS = (
    ("first-contentful-paint", "first paint"),
    ("load-start", "page and TF.js scripts run"),
    ("model-read", "model file read"),
    ("weights-decoded", "weights decoded"),
    ("model-built", "graph model built"),
    ("ready", "ready"),
)


def cold_start_steps(opening: dict) -> str:
    """Return `first paint 95 · page and TF.js scripts run 180 · ... · ready 240` from a cold start's breakdown."""
    return " · ".join(
        f"{label} {opening['breakdown'][step]:.0f}" for step, label in COLD_START_STEPS if step in opening["breakdown"]
    )


def issue_rows(report: dict, row: Callable[..., None]) -> None:
    """Add the rows of issues 9 and 10: scenes, blanks, real pictures, refusals, numbers."""
    scenes, refused = report["scenes"], report["refused_digits"]
    row("Rendered photo scenes (digits), `recognize`", count(scenes["digits"]), "", "scenes")
    for kind, score in scenes["by_kind"].items():
        row(
            f"  scenes: {kind}",
            count(score),
            "blank: right = nothing read" if kind in ("blank_sheet", "empty_desk") else "",
        )
    row(
        "Blank sheets and empty desks read as a digit",
        f"{scenes['blanks']['read']}/{scenes['blanks']['count']}",
        "",
        "blanks_read",
    )
    real = report.get("real")
    if real:
        row("`../shared/data/real` (pictures by other people), `recognize`", count(real), "", "real")
        for kind, score in real["by_kind"].items():
            row(f"  real: {kind}", count(score))
    else:
        row("`../shared/data/real`", "not found: not measured", "", "real")
    nondigits = report["nondigits"]
    row(
        "Non-digit pictures refused (digit and number null)",
        share(nondigits["refused"], nondigits["count"]),
        f"{nondigits['errors']} of them by an error",
        "nondigits_refused",
    )
    for kind, score in nondigits["by_kind"].items():
        row(f"  refused: {kind}", share(score["refused"], score["count"]))
    mnist, uploads, samples = refused["mnist"], refused["uploads"], refused["samples"]
    wrongly_refused = (  # (which digits, how many the page refused, reference, target)
        (
            "MNIST test (not_digit ≥ the page's threshold)",
            share(mnist["refused"], mnist["count"]),
            f"threshold {mnist['threshold']:.3g}",
            "refused_mnist",
        ),
        ("rendered uploads", share(uploads["refused"], uploads["count"]), "", "refused_uploads"),
        ("the 14 samples", f"{samples['refused']}/{samples['count']}", "", "refused_samples"),
    )
    for digits, tally, reference, key in wrongly_refused:
        row(f"Digits wrongly refused: {digits}", tally, reference, key)
    row("2-3 digit numbers read exactly (`number`)", count(report["numbers"]), "", "numbers")
    for kind, score in report["numbers"]["by_kind"].items():
        row(f"  numbers: {kind}", count(score))


def to_markdown(report: dict) -> str:
    """Return the report as a markdown table: figure, reference beside it, target, pass/miss."""
    targets = report["targets"]
    rows = []

    def row(measure: str, ours: str, reference: str = "", target_key: str | None = None) -> None:
        target = targets[target_key] if target_key else None
        verdict = ("pass" if target["passed"] else "**miss**") if target else ""
        if target and target["value"] is None:
            verdict = "not measured"
        rows.append(f"| {measure} | {ours} | {reference} | {target['target'] if target else ''} | {verdict} |")

    mnist, latency, starts = report["mnist"], report["latency"], report["cold_start"]
    ours_start, full_start = starts["ours"], starts["full_tfjs"]
    row(
        f"MNIST test accuracy ({mnist['count']} images), SavedModel in Python",
        percent(mnist["python_accuracy"]),
        "",
        "mnist_python",
    )
    row(
        "MNIST test accuracy, TF.js model in the browser (`classify`)",
        percent(mnist["browser_accuracy"]),
        "",
        "mnist_browser",
    )
    row(
        "Browser vs SavedModel: same digit",
        f"{mnist['same_digit']}/{mnist['count']}",
        f"max probability difference {mnist['max_probability_difference']:.1e}",
        "mnist_match",
    )
    samples, uploads = report["samples"], report["uploads"]
    row(
        "Shared samples, `recognize`",
        count(samples["ours"]),
        f"original recipe {count(samples['original'])}",
        "samples",
    )
    row(
        "Synthetic uploads, `recognize`",
        count(uploads["ours"]),
        f"original recipe {count(uploads['original'])}",
        "uploads",
    )
    for kind, score in uploads["ours"]["by_kind"].items():
        row(f"  uploads: {kind}", count(score), f"original recipe {count(uploads['original']['by_kind'][kind])}")
    if "scenes" in report:
        issue_rows(report, row)
    gain = targets["uploads_gain"]["value"]
    row("Uploads: gain over the original recipe", f"{gain * 100:+.1f} points", "", "uploads_gain")
    for opening, label, target_key in (("file", "from disk (file://)", "cold_start_file"), ("http", "over http", None)):
        ours, full = ours_start[opening], full_start[opening]
        row(
            f"Cold start {label}, median (best)",
            f"{ours['median_ms']:.0f} ms ({ours['best_ms']:.0f})",
            f"full tf.min.js {full['median_ms']:.0f} ms ({full['best_ms']:.0f})",
            target_key,
        )
    row("Cold start from disk, median (issue 12)", f"{ours_start['file']['median_ms']:.0f} ms", "", "cold_start_150")
    row(
        "Cold start from disk: where the time goes", cold_start_steps(ours_start["file"]), "ms from navigation, medians"
    )
    row(
        "First `classify` issued the moment ready resolved",
        f"{ours_start['file']['first_classify_ms']:.1f} ms",
        "includes any warm-up still queued",
    )
    photos = (
        ("recognize_jpeg_4000x3000", "4000x3000 phone JPEG", "recognize_phone_jpeg"),
        ("recognize_jpeg_2000x1500", "2000x1500 JPEG", "recognize_jpeg"),
        ("recognize_png_200x200", "200x200 PNG", "recognize_png"),
    )
    for name, label, target_key in photos:
        if name not in latency:
            continue
        timed = latency[name]
        stages = " + ".join(f"{stage} {ms:.1f}" for stage, ms in timed["stages_p50"].items())
        row(
            f"`recognize` {label}, p50 / p95",
            f"{timed['p50']:.1f} / {timed['p95']:.1f} ms",
            f"p50 by stage: {stages} ms; read as {timed['digit']} (true {timed['label']})",
            target_key,
        )
    row(
        "`classify` alone, p50 / p95",
        f"{latency['classify']['p50']:.2f} / {latency['classify']['p95']:.2f} ms",
        "",
        "classify",
    )
    row("`classify` p50 (issue 12)", f"{latency['classify']['p50']:.2f} ms", "", "classify_2")
    if "recognize_png_200x200" in latency:
        row(
            "`recognize` 200x200 PNG p50 (issue 12)",
            f"{latency['recognize_png_200x200']['p50']:.1f} ms",
            "",
            "recognize_png_12",
        )
    row(
        "Page weight over http, raw",
        weight(ours_start["http"]["weight"], "raw"),
        f"full tf.min.js {kilobytes(full_start['http']['weight']['total']['raw'])}",
        "page_weight",
    )
    row(
        f"Page weight over http, gzip -{report['settings']['gzip_level']}",
        weight(ours_start["http"]["weight"], "gzip"),
        f"full tf.min.js {kilobytes(full_start['http']['weight']['total']['gzip'])}",
        "page_weight_gzip",
    )
    row(
        "Page weight over http, raw (issue 12)",
        kilobytes(ours_start["http"]["weight"]["total"]["raw"]),
        "",
        "page_weight_400",
    )
    row(
        "Page weight from disk (embedded model), raw",
        weight(ours_start["file"]["weight"], "raw"),
        f"full tf.min.js {kilobytes(full_start['file']['weight']['total']['raw'])}",
    )
    build = report["build"]
    row(f"`python -m build.site`, median of {len(build['runs'])}", f"{build['seconds']:.1f} s", "", "build")
    per_epoch = build["training"]["seconds_per_epoch"]
    row("Training, seconds per epoch (metrics.json)", "not recorded" if per_epoch is None else f"{per_epoch:.1f} s")

    settings = report["settings"]
    header = [
        f"snapmath benchmark: model {settings['model']}, Chromium {settings['chromium']}, {settings['cpus']} CPUs; "
        f"{settings['repeats']} fresh pages per cold start, {settings['latency_samples']} latency samples "
        f"after {settings['warm_up']} warm-up; load average {settings['load_average'][0]:.1f} at the start, "
        f"{settings['load_average'][1]:.1f} at the end.",
        "",
        "| Measure | snapmath | Reference | Target | |",
        "|---|---|---|---|---|",
    ]
    passed = sum(target["passed"] for target in targets.values())
    return "\n".join(header + rows + ["", f"Targets met: {passed}/{len(targets)}."]) + "\n"


def write(report: dict, out_dir: Path) -> str:
    """Write report.json and report.md into out_dir; return the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = to_markdown(report)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(markdown, encoding="utf-8")
    return markdown


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


def record(report: dict, model_dir: Path) -> dict:
    """Store stored_results(report) as `benchmark` in the model's metrics.json (the model card shows it); return it."""
    metrics = json.loads((model_dir / model_metrics.FILE_NAME).read_text(encoding="utf-8"))
    metrics["benchmark"] = stored_results(report)
    model_metrics.write(model_dir, metrics)
    return metrics["benchmark"]
