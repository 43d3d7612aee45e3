"""`python -m build.site`: build the static site in dist/ from the newest SavedModel."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from build import console, context, convert, minify, model_card, output, parity, render, runtime, steps
from build.config import DEFAULT_QUANTIZE, QUANTIZATIONS, Config, checked_metrics, load_config
from build.errors import BuildError
from build.floors import OVERRIDE_FLAG
from training import spec_check

# Named, not __name__: run as `python -m build.site` this module is __main__.
log = logging.getLogger("build.site")

STATIC_DIR = "static"  # in site_templates/ and in dist/


@dataclasses.dataclass(frozen=True)
class BuildReport:
    """What a build wrote: where, from which model, bytes per part, seconds per step, parity."""

    out_dir: Path
    version: str
    quantize: str
    sizes: dict[str, int]
    timings: dict[str, float]
    parity: parity.ParityResult
    below_floors: tuple[str, ...] = ()  # floors the model misses, built anyway (--allow-below-floors)


def build(config: Config, slow_steps: steps.Steps | None = None) -> BuildReport:
    """Build the site into `config.out_dir`, replacing it only once everything succeeded.

    `slow_steps` runs minify, convert, runtime and the parity check: as they are by default, or reusing earlier
    results (`steps.CachedSteps`, for `--serve`)."""
    slow_steps = slow_steps or steps.Steps()
    timings: dict[str, float] = {}
    version = config.model_dir.name

    # 1. Gather every input before writing anything: a missing one fails fast and changes nothing.
    for missed in config.below_floors:
        log.warning("BELOW THE FLOOR, built anyway (%s): %s", OVERRIDE_FLAG, missed)
    with _step("gather", timings):
        spec = _checked_spec(config.preprocess_spec)  # first: a bad spec fails before any slow step
        runtime.check_installed(config.node_modules)  # the TF.js bundle is made after convert: fail fast here
        page_sources = output.read_tree(config.templates_dir / STATIC_DIR, STATIC_DIR)
        static_files = minify.join_scripts(
            slow_steps.minify(page_sources, config.node_modules), context.SHIPPED_SCRIPTS
        )
        metrics = checked_metrics(config)  # read and checked once, by load_config
        check_names, check_images = parity.check_inputs()
        # Running the SavedModel first also rejects a broken one before the slower conversion.
        reference = slow_steps.reference(config.model_dir, check_images)

    # 2. Convert the SavedModel to a TF.js graph model (+ the embedded copy for file://).
    with _step("convert", timings):
        converted = slow_steps.convert(config.model_dir, config.quantize)

    # 2b. Bundle TF.js cut to the converted graph's ops and the page's tf calls (read in the
    #     unminified sources), from node_modules files checked against package-lock.json.
    with _step("runtime", timings):
        runtime_files = slow_steps.runtime(config.node_modules, converted.model_json, page_sources)

    # 3. Render the pages; all figures and URLs are computed here, templates only show them.
    with _step("render", timings):
        card = model_card.model_card(version, metrics, converted.size, config.quantize)
        page_context = context.page_context(config, spec, runtime_files, static_files, card)
        pages = render.render_pages(render.make_environment(config.templates_dir), page_context)
        files = output.merge_files(static_files, output.vendor_files(runtime_files), converted.files(), pages)

    # 4. Write into a temporary directory beside the output, check the written model, then swap.
    staging = output.make_staging_dir(config.out_dir)
    try:
        with _step("write", timings):
            output.write_files(staging, files)
        with _step("check", timings):
            # Runs the files as written: the runtime scripts and embedded.js the page will load, and the
            # page's convolution kernel (written joined with the calculator's scripts: run from its source).
            converted_probabilities = slow_steps.tfjs_outputs(
                staging / convert.MODEL_DIR / convert.EMBEDDED_NAME,
                [
                    *(staging / file.url for file in runtime_files),
                    config.templates_dir / context.KERNEL_SCRIPT,
                ],
                check_images,
            )
            parity_result = parity.compare(
                check_names, reference, converted_probabilities, config.quantize, metrics.get("weight_grid")
            )
        with _step("swap", timings):
            output.swap_into_place(staging, config.out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    # 5. Summary: what a visitor downloads, by part.
    return BuildReport(
        out_dir=config.out_dir,
        version=version,
        quantize=config.quantize,
        sizes=output.part_sizes(files),
        timings=timings,
        parity=parity_result,
        below_floors=config.below_floors,
    )


@contextlib.contextmanager
def _step(name: str, timings: dict[str, float]) -> Iterator[None]:
    """Time one pipeline step into `timings[name]` and log it."""
    log.info("%s ...", name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def _checked_spec(path: Path) -> dict:
    """Return the preprocessing spec with every field checked (training.spec_check); BuildError listing the bad ones."""
    try:
        return spec_check.load_checked_spec(path)
    except spec_check.SpecError as error:
        raise BuildError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build, print the summary (and serve, rebuilding on change); return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m build.site",
        description="Build the static snapmath site (TF.js model, runtime, pages) into dist/.",
    )
    parser.add_argument("--model", metavar="DIR", help="SavedModel directory (default: newest training/models/<ts>/)")
    parser.add_argument("--out", metavar="DIR", help="output directory (default: dist/ in the repository)")
    parser.add_argument(
        "--quantize",
        choices=QUANTIZATIONS,
        help=f"weight quantization (default: the grid the model was trained onto, if any, else {DEFAULT_QUANTIZE})",
    )
    parser.add_argument(
        OVERRIDE_FLAG,
        action="store_true",
        help="build even if the model's metrics.json is below the floors in build/floors.py (and say so loudly)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="preview the result on http://127.0.0.1 afterwards, rebuilding when site_templates/, build/ or the "
        "preprocessing spec change",
    )
    parser.add_argument("--port", type=int, help="port for --serve (default: 8000)")
    args = parser.parse_args(argv)
    if args.port is not None and not args.serve:
        parser.error("--port only applies with --serve")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out of the output
    settings = {
        "model": args.model,
        "out": args.out,
        "quantize": args.quantize,
        "allow_below_floors": args.allow_below_floors,
    }
    # --serve rebuilds on every change: slow results are kept while their inputs are unchanged.
    slow_steps = steps.CachedSteps() if args.serve else steps.Steps()
    built = _build_and_report(settings, slow_steps)
    if built is None:
        return 1
    if not args.serve:
        return 0
    from build import watch

    return watch.serve_and_rebuild(
        built[0],
        8000 if args.port is None else args.port,
        rebuild=lambda: _build_and_report(settings, slow_steps),
        restart_argv=list(sys.argv[1:] if argv is None else argv),
    )


def _build_and_report(settings: dict, slow_steps: steps.Steps) -> tuple[Config, BuildReport] | None:
    """Load the config, build and print the summary; print one `error:` line and return None on failure."""
    progress = console.ProgressHandler()
    logging.getLogger("build").addHandler(progress)
    logging.getLogger("build").setLevel(logging.INFO)
    try:
        with console.native_stderr_held_back():
            config = load_config(**settings)
            report = build(config, slow_steps)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return None
    except OSError as error:  # an unforeseen disk or file-system failure: still one line, not a traceback
        where = f" ({error.filename})" if error.filename else ""
        print(f"error: the build failed: {error.strerror or error}{where}", file=sys.stderr)
        return None
    finally:
        logging.getLogger("build").removeHandler(progress)
    print(console.format_report(report))
    return config, report


if __name__ == "__main__":
    sys.exit(main())
