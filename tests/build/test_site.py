"""The whole build: what lands in dist/, determinism, atomicity, the CLI and its error lines."""

from __future__ import annotations

import functools
import html.parser
import json
import math
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from build import config as build_config
from build import context, convert, output, parity, runtime, serve, site
from build.errors import BuildError
from build.runtime import sri
from tests import example_metrics
from tests.paths import REPO_ROOT
from training import exports

SHIPPED_SCRIPTS = list(context.SHIPPED_SCRIPTS)  # the page's scripts, joined by group (build/minify.py)


class LinkCollector(html.parser.HTMLParser):
    """Collects every src/href (with its tag's attributes) and the CSP meta tag of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict]] = []
        self.csp: str | None = None
        self.config_json: str | None = None
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name) is not None:
                self.links.append((attributes[name], {**attributes, "tag": tag}))
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.csp = attributes["content"]
        self._in_config = tag == "script" and attributes.get("id") == "snapmath-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config_json = data

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text())
    return collector


def assert_links_resolve(out: Path, page: str) -> None:
    """Assert every src/href in `page` is relative and names a file in `out`, with no integrity attribute."""
    links = parse(out / page).links
    assert links, page
    for url, attributes in links:
        if url.startswith(("#", "data:")):  # in-page anchors; the favicon, the example pictures
            continue
        if attributes["tag"] == "a" and url.startswith(
            "https://"
        ):  # a reference to follow (the MNIST licence), not a file
            continue
        assert "//" not in url, f"{page}: {url} is not relative"
        assert not url.startswith("/"), f"{page}: {url} is not relative"
        assert ":" not in url, f"{page}: {url} is not relative"
        path = out / url.split("#")[0]
        assert path.is_file(), f"{page}: {url} does not resolve in dist/"
        assert "integrity" not in attributes, f"{page}: {url}"  # it breaks pages opened from disk (base.html)


def tree(directory: Path) -> dict[str, bytes]:
    """Return {relative path: bytes} of every file under `directory`."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Return temporary build directories left beside `out`."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f"{out.name}."))


# --- what a build writes -------------------------------------------------------------------------


def test_build_writes_pages_model_runtime_and_static_files(built_site: site.BuildReport) -> None:
    files = set(tree(built_site.out_dir))
    expected = {
        "index.html",
        "model-card.html",
        "static/app.css",
        "static/logo.svg",
        *SHIPPED_SCRIPTS,  # not the sources they were joined from
        "static/vendor/tfjs/tf-snapmath.min.js",
        "static/vendor/tfjs/LICENSE-tf-snapmath.txt",
        "model/model.json",
        "model/group1-shard1of1.bin",
        "model/embedded.js",
        build_config.BUILD_MARKER,  # the one dotfile: it tells a later build this folder is a build's
    }
    assert files == expected  # nothing else: no other dotfiles, no check inputs, no temp files


def test_every_url_in_the_pages_is_relative_and_resolves_to_a_file(built_site: site.BuildReport) -> None:
    for page in ("index.html", "model-card.html"):
        assert_links_resolve(built_site.out_dir, page)


def test_integrity_hashes_match_the_shipped_files(built_site: site.BuildReport) -> None:
    # The model card lists every script the page runs, in load order, with its SRI hash (the real model card).
    out = built_site.out_dir
    listed = re.findall(
        r'<a href="([^"]+)">[^<]*</a></td><td><code class="hash">([^<]+)</code>', (out / "model-card.html").read_text()
    )
    bundle = f"{runtime.VENDOR_DIR}/{runtime.BUNDLE_NAME}"
    assert [url for url, _ in listed] == [context.START_SCRIPT, bundle, context.RECOGNITION_SCRIPT]
    for url, integrity in listed:
        assert integrity == runtime.sri((out / url).read_bytes()), url


def test_pages_carry_the_content_security_policy(built_site: site.BuildReport) -> None:
    for page in ("index.html", "model-card.html"):
        assert parse(built_site.out_dir / page).csp == context.CSP
    assert "unsafe-eval" not in context.CSP
    assert "unsafe-inline" not in context.CSP


def test_page_config_points_at_the_model_and_carries_the_spec(built_site: site.BuildReport, spec_path: Path) -> None:
    out = built_site.out_dir
    page_config = json.loads(parse(out / "index.html").config_json)
    assert page_config == {
        "version": "1700000000",
        "modelUrl": "model/model.json",
        "embeddedModelUrl": "model/embedded.js",
        "preprocess": json.loads(spec_path.read_text()),
        "lowConfidence": example_metrics.METRICS["low_confidence_threshold"],  # the model's, from metrics.json
        "notDigitThreshold": example_metrics.METRICS["not_digit_threshold"],
        "limits": {"maxFileBytes": 1000, "maxPixels": 2000, "maxSide": 64},  # the spec's decode limits win
    }
    assert (out / page_config["modelUrl"]).is_file()
    assert (out / page_config["embeddedModelUrl"]).is_file()


def test_model_card_shows_the_metrics(built_site: site.BuildReport) -> None:
    card = (built_site.out_dir / "model-card.html").read_text()
    for text in (
        "1700000000",
        "2023-11-14 22:13 UTC",
        "6,814",
        "99.12% on 1,000 MNIST test images",
        "99.50%",
        "float16",
        "<svg",
        "980 of 1,000",
    ):
        assert text in card
    # A background and a shade for each of the confusion matrix's 100 cells, and the reliability diagram's frame.
    assert card.count("<rect") == 200 + 1
    assert "0.45%" in card
    assert "1.23%" in card


def test_report_counts_bytes_per_part(built_site: site.BuildReport) -> None:
    out = built_site.out_dir
    files = tree(out)
    sizes = built_site.sizes
    assert sizes["runtime"] == sum(
        len(v) for k, v in files.items() if k.startswith("static/vendor/") and k.endswith(".js")
    )
    assert sizes["model"] == len(files["model/model.json"]) + len(files["model/group1-shard1of1.bin"])
    assert sizes["embedded"] == len(files["model/embedded.js"])
    assert sizes["model_card"] == len(files["model-card.html"])
    app = [k for k in files if k == "index.html" or (k.startswith("static/") and not k.startswith("static/vendor/"))]
    assert sizes["app"] == sum(len(files[k]) for k in app)
    assert sizes["page"] == sizes["runtime"] + sizes["model"] + sizes["app"]
    assert list(built_site.timings) == ["gather", "convert", "runtime", "render", "write", "check", "swap"]
    assert built_site.parity.same_digit == built_site.parity.inputs


# --- determinism, atomicity, the CLI --------------------------------------------------------------


def test_cli_build_is_byte_identical_to_the_first(
    built_site: site.BuildReport, model_dir: Path, fixture_main, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "dist"
    assert fixture_main(["--model", str(model_dir), "--out", str(out)]) == 0
    assert tree(out) == tree(built_site.out_dir)
    printed = capsys.readouterr().out
    assert f"built {out} from model 1700000000 (--quantize float16)" in printed
    for part in ("runtime", "model", "app", "page", "embedded", "steps: gather", "convert", "parity:"):
        assert part in printed
    assert printed.startswith("gather ...\nconvert ...\nruntime ...\nrender ...\nwrite ...\ncheck ...\nswap ...\n")


def test_rebuild_replaces_the_previous_build_and_leaves_nothing_beside_it(
    built_site: site.BuildReport, model_dir: Path, fixture_settings: dict, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built_site.out_dir, out)
    (out / "stale.txt").write_text("from an older build")
    site.build(build_config.load_config(model=model_dir, out=out, quantize="none", **fixture_settings))
    assert not (out / "stale.txt").exists()
    assert leftovers(out) == []
    assert (
        json.loads((out / "model/model.json").read_text())["weightsManifest"][0]["weights"][0].get("quantization")
        is None
    )


@pytest.mark.parametrize("failing_step", ["write_files", "compare"])
def test_failed_build_leaves_the_previous_dist_untouched(
    built_site: site.BuildReport,
    model_dir: Path,
    fixture_settings: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_step: str,
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built_site.out_dir, out)
    before = tree(out)

    real_write_files = output.write_files

    def write_half_then_fail(directory: Path, files: dict) -> None:
        real_write_files(directory, dict(list(files.items())[:3]))
        raise OSError(28, "No space left on device")

    def fail(*args: object) -> None:
        raise BuildError("injected failure")

    if failing_step == "write_files":
        monkeypatch.setattr(output, "write_files", write_half_then_fail)
    else:
        monkeypatch.setattr(parity, "compare", fail)
    with pytest.raises((BuildError, OSError)):
        site.build(build_config.load_config(model=model_dir, out=out, **fixture_settings))
    assert tree(out) == before
    assert leftovers(out) == []


@pytest.fixture
def build_error(
    fixture_main,
    fixture_settings: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., str]:
    """The build command run with --model MODEL (None: no --model, so the build picks the newest model in
    models_dir, by default exports.MODELS_DIR) and --out OUT (default tmp_path/dist), on the fixtures' settings
    with `overrides` (Config fields) on top, which must fail (exit status 1), returning what it wrote to stderr:
    every failure is checked on that one line."""

    def run(
        model: Path | None, out: Path = tmp_path / "dist", models_dir: Path | None = None, **overrides: object
    ) -> str:
        if models_dir is not None:
            monkeypatch.setattr(exports, "MODELS_DIR", models_dir)
        if overrides:
            settings = {**fixture_settings, **overrides}
            monkeypatch.setattr(site, "load_config", functools.partial(build_config.load_config, **settings))
        assert fixture_main([*(["--model", str(model)] if model else []), "--out", str(out)]) == 1
        return capsys.readouterr().err

    return run


def test_no_model_says_how_to_make_one(build_error, tmp_path: Path) -> None:
    empty = tmp_path / "models"
    assert build_error(None, models_dir=empty) == (
        f"error: no exported model in {empty} (expected <unix-timestamp>/saved_model.pb); "
        "train one with `python -m training.train`\n"
    )


def test_broken_saved_model_is_one_error_line(build_error, tmp_path: Path) -> None:
    broken = tmp_path / "1700000001"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"this is not a protocol buffer")
    example_metrics.write(broken)
    err = build_error(broken)
    assert err.startswith(f"error: cannot run the SavedModel in {broken}: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "dist").exists()


def test_converter_failure_is_one_error_line(build_error, unsupported_op_model: Path) -> None:
    unsupported = unsupported_op_model
    assert build_error(unsupported) == (
        f"error: converting {unsupported} to TF.js failed: "
        "ValueError: Unsupported Ops in the model before optimization: BesselI0e\n"
    )


def test_conversion_that_changes_the_answers_fails_the_build(
    model_dir: Path, build_error, tmp_path: Path, monkeypatch
) -> None:
    real_convert = convert.convert_saved_model

    def transpose_first_kernel(model_dir: Path, quantize: str) -> convert.ConvertedModel:
        # A layout bug: the first weight (the convolution kernel) stored in reverse element order.
        converted = real_convert(model_dir, quantize)
        ((name, data),) = converted.shards.items()
        first = converted.model_json["weightsManifest"][0]["weights"][0]
        assert first["dtype"] == "float32"
        assert first["quantization"]["dtype"] == "float16"
        width, length = 2, 2 * math.prod(first["shape"])
        elements = [data[start : start + width] for start in range(0, length, width)]
        return convert.ConvertedModel(converted.model_json, {name: b"".join(reversed(elements)) + data[length:]})

    monkeypatch.setattr(convert, "convert_saved_model", transpose_first_kernel)
    err = build_error(model_dir)
    assert err.startswith("error: the converted model disagrees with the SavedModel: on the built-in input '")
    assert "(allowed 0.02 with --quantize float16;" in err
    assert not (tmp_path / "dist").exists()
    assert leftovers(tmp_path / "dist") == []


def test_missing_node_modules_says_npm_ci(model_dir: Path, build_error, tmp_path: Path) -> None:
    missing = tmp_path / "node_modules"
    assert build_error(model_dir, node_modules=missing) == (
        f"error: TF.js runtime missing: {missing} does not exist; "
        "run `npm ci` in the repository root to install the pinned TF.js runtime\n"
    )


def test_unwritable_output_is_one_error_line(model_dir: Path, build_error, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    out = blocker / "dist"
    err = build_error(model_dir, out)
    assert err == f"error: cannot write the build to {out}: {blocker} is a file\n"


@pytest.mark.parametrize("files", [["holiday.jpg"], ["index.html", "notes.txt"]])
def test_output_that_is_not_an_earlier_build_is_not_replaced(
    model_dir: Path, build_error, tmp_path: Path, files: list[str]
) -> None:
    precious = tmp_path / "photos"
    precious.mkdir()
    for name in files:  # an index.html of one's own does not make a folder the build's
        (precious / name).write_bytes(b"...")
    assert build_error(model_dir, precious) == (
        f"error: refusing to replace {precious}: it is not empty and was not written by this build "
        f"(no {build_config.BUILD_MARKER} file); pick another --out or remove it\n"
    )
    assert sorted(path.name for path in precious.iterdir()) == sorted(files)


def test_a_build_killed_halfway_is_cleaned_up_by_the_next(
    built_site: site.BuildReport, model_dir: Path, fixture_main, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    killed = tmp_path / "dist.tmp-k1ll3d"  # staging as a killed build leaves it: the marker, then some files
    killed.mkdir()
    (killed / build_config.BUILD_MARKER).write_text(output.MARKER_TEXT)
    (killed / "index.html").write_text("half")
    mine = tmp_path / "dist.tmp-not-a-build"  # matches the pattern but was never the build's: kept
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert fixture_main(["--model", str(model_dir), "--out", str(out)]) == 0
    assert leftovers(out) == ["dist.tmp-not-a-build"]
    assert (mine / "notes.txt").exists()


def test_an_old_build_that_cannot_be_deleted_is_a_warning_not_a_failure(
    built_site: site.BuildReport, model_dir: Path, fixture_main, tmp_path: Path, monkeypatch, capsys
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built_site.out_dir, out)
    real_rmtree = shutil.rmtree

    def refuse_old(path, *args, **kwargs):
        if ".old-" in Path(path).name and not kwargs.get("ignore_errors"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(output.shutil, "rmtree", refuse_old)
    assert fixture_main(["--model", str(model_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    (old,) = leftovers(out)
    assert (
        f"warning: the new site is in place, but the previous build {tmp_path / old} could not be deleted " in printed
    )
    assert (out / build_config.BUILD_MARKER).is_file()


def test_a_full_disk_is_one_error_line(model_dir: Path, fixture_main, tmp_path: Path, capsys) -> None:
    # A real write limit, as `ulimit -f` sets it: Python ignores SIGXFSZ, so writes past it fail with EFBIG.
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))  # below the TF.js runtime script's size (~230 KB)
    try:
        status = fixture_main(["--model", str(model_dir), "--out", str(tmp_path / "dist")])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"error: cannot write {tmp_path}/dist.tmp-")
    assert err.endswith(": File too large\n")
    assert err.count("\n") == 1
    assert leftovers(tmp_path / "dist") == []
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("metrics", "problem"),
    [
        ({"test_accuracy": float("nan")}, "test_accuracy is nan"),
        ({"training_seconds": float("inf")}, "training_seconds is inf"),
        ({"parameters": -5}, "parameters is -5, expected a whole number >= 0"),
        ({"per_class_accuracy": [0.99] * 9 + [1.5]}, "per_class_accuracy holds 1.5, expected a fraction from 0 to 1"),
        (
            {"confusion_matrix": [[-1 if row == col == 3 else 5 for col in range(10)] for row in range(10)]},
            "confusion_matrix must be a square table of whole numbers >= 0",
        ),
    ],
)
def test_impossible_metrics_are_refused_not_shown(
    model_dir: Path, build_error, tmp_path: Path, metrics: dict, problem: str
) -> None:
    copy = tmp_path / model_dir.name
    shutil.copytree(model_dir, copy)
    example_metrics.write(copy, **metrics)
    err = build_error(copy)
    assert err == f"error: {copy / 'metrics.json'}: figures the model card cannot show: {problem}\n"


@pytest.mark.parametrize(
    "name", ["99999999999999999999", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"]
)
def test_a_model_folder_that_is_no_timestamp_is_one_error_line(
    model_dir: Path, build_error, tmp_path: Path, name: str
) -> None:
    copy = tmp_path / name
    shutil.copytree(model_dir, copy)
    assert build_error(copy) == (
        f"error: model directory name {name!r} is not a Unix timestamp "
        "(ASCII digits, at most 253402300799); rename it\n"
    )


def test_a_superscript_digit_folder_among_the_models_is_one_error_line(
    model_dir: Path, build_error, tmp_path: Path
) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(model_dir, models_dir / "\u00b2")
    err = build_error(None, models_dir=models_dir)
    assert err.startswith(
        f"error: cannot pick the newest model in {models_dir}: a folder is not named by a Unix timestamp"
    )
    assert err.count("\n") == 1


def test_a_symlink_loop_or_an_overlong_out_is_one_error_line(model_dir: Path, build_error, tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    err = build_error(loop)
    assert err.startswith(f"error: --model {loop} cannot be resolved: ")
    assert err.count("\n") == 1
    overlong = tmp_path / ("a" * 300)
    err = build_error(model_dir, overlong)
    assert err == f"error: cannot write the build to {overlong}: File name too long\n"


def test_bad_spec_is_one_error_line_listing_every_bad_field(model_dir: Path, build_error, tmp_path: Path) -> None:
    spec = json.loads((REPO_ROOT / "training" / "preprocess_spec.json").read_text())
    spec["decode"]["max_file_bytes"] = True
    spec["decode"]["max_pixels"] = -1
    del spec["ink"]
    bad = tmp_path / "preprocess_spec.json"
    bad.write_text(json.dumps(spec))
    assert build_error(model_dir, preprocess_spec=bad) == (
        f"error: {bad}: 3 bad fields: decode.max_file_bytes is true, expected a whole number; "
        "decode.max_pixels is -1, expected a whole number >= 1; section ink is missing\n"
    )
    assert not (tmp_path / "dist").exists()


def test_serve_answers_on_localhost(built_site: site.BuildReport) -> None:
    server = serve.make_server(built_site.out_dir, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/model/model.json", timeout=10) as response:
            assert response.read() == (built_site.out_dir / "model/model.json").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_serve_on_a_busy_port_is_one_error_line(built_site: site.BuildReport, capsys) -> None:
    with serve.make_server(built_site.out_dir, 0) as busy:
        port = busy.server_address[1]
        assert serve.serve(built_site.out_dir, port) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot serve on 127.0.0.1:{port}: ")


def test_help_runs_as_a_module_from_the_repository_root() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "build.site", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    for option in ("--model DIR", "--out DIR", "--quantize {none,float16,uint8}", "--serve", "--port PORT"):
        assert option in completed.stdout


def test_build_package_is_tracked_by_git() -> None:
    # GitHub's Python .gitignore ignores build/: a fresh clone must still contain the package.
    tracked = subprocess.run(
        ["git", "ls-files", "build/site.py", "build/parity.js", "build/licenses/Apache-2.0.txt"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == ["build/licenses/Apache-2.0.txt", "build/parity.js", "build/site.py"]
    ignored = subprocess.run(["git", "check-ignore", "build/site.py"], cwd=REPO_ROOT, capture_output=True)
    assert ignored.returncode == 1  # not ignored


def test_real_site_templates_build(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    report = site.build(build_config.load_config(model=model_dir, out=out))
    for page in ("index.html", "model-card.html"):
        assert parse(out / page).csp == context.CSP
        assert_links_resolve(out, page)
    assert report.sizes["page"] > report.sizes["runtime"]
    # The model card lists every script the calculator runs with its SRI hash, for checking copies.
    card = (out / "model-card.html").read_text()
    scripts = sorted((out / "static").rglob("*.js"))
    assert len(scripts) == len(context.SHIPPED_SCRIPTS) + 1  # and the TF.js bundle
    for script in scripts:
        assert sri(script.read_bytes()) in card, script.name
