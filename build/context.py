"""Everything the templates display, computed and formatted in Python (templates only show it)."""

from __future__ import annotations

from pathlib import Path

from build import examples
from build.config import Config, low_confidence, not_digit_threshold
from build.errors import BuildError
from build.runtime import RuntimeFile, sri

# Only the site's own files. The CPU backend needs neither 'unsafe-eval' nor 'wasm-unsafe-eval';
# blob: and data: images let the page show a person's own picture and the empty favicon.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
# key -> file in dist/, rendered from the template of the same name in site_templates/
PAGES = {"index": "index.html", "model_card": "model-card.html"}
STYLESHEETS = ("static/app.css",)


def _scripts(*names: str) -> tuple[str, ...]:
    """Return the urls of the site's own scripts in static/js/, in the order given: the order they load in."""
    return tuple(f"static/js/{name}" for name in names)


# The page's own scripts as written in site_templates/static/js/: classic scripts, each defining one global that
# the later ones use, in load order. Before the TF.js runtime: the calculator's scripts, so the page takes input
# while the runtime downloads, and model.js, which from disk starts reading the model (embedded.js) at once; after
# it, recognition's (main.js hands recognition to app.js). conv2d.js comes with model.js, which installs it.
UI_SCRIPTS = _scripts(
    "arithmetic.js", "calculator.js", "ui-pad.js", "ui-picture.js", "ui-operand.js", "ui-inputs.js", "ui.js", "app.js"
)
KERNEL_SCRIPT = "static/js/conv2d.js"  # the model's convolutions; the build's parity check runs it too
MODEL_SCRIPTS = (KERNEL_SCRIPT, *_scripts("model.js"))
RECOGNITION_SCRIPTS = _scripts("decode.js", "pixels.js", "locate.js", "preprocess.js", "main.js")
APP_SCRIPTS = (*UI_SCRIPTS, *MODEL_SCRIPTS, *RECOGNITION_SCRIPTS)
# What dist/ ships instead: each group's minified scripts joined, in order, into one file (build/minify.py's
# join_scripts): two requests instead of fourteen, and one gzip stream per group.
START_SCRIPT = "static/js/start.js"
RECOGNITION_SCRIPT = "static/js/recognition.js"
SHIPPED_SCRIPTS = {START_SCRIPT: (*UI_SCRIPTS, *MODEL_SCRIPTS), RECOGNITION_SCRIPT: RECOGNITION_SCRIPTS}
MODEL_URL = "model/model.json"
EMBEDDED_MODEL_URL = "model/embedded.js"


def page_context(
    config: Config,
    spec: dict,
    runtime: list[RuntimeFile],
    static_files: dict[str, bytes],
    model: dict,
) -> dict:
    """Return the template context: site, csp, assets with SRI, the page config, model card, examples and pages."""
    version = config.model_dir.name
    # No hash for stylesheets: the page sets no integrity attribute (base.html) and the model card lists scripts only.
    stylesheets = [{"url": _static(url, static_files)} for url in STYLESHEETS]
    runtime_scripts = [{"url": file.url, "integrity": sri(file.content)} for file in runtime]
    # Before the runtime (the calculator and model.js: ui_scripts) and after it (recognition: app_scripts).
    ui_scripts = [_asset(START_SCRIPT, static_files)]
    recognition_scripts = [_asset(RECOGNITION_SCRIPT, static_files)]
    limits = input_limits(spec, config.preprocess_spec)
    return {
        "site": {"title": config.site_title, "description": config.site_description},
        "csp": CSP,
        "stylesheets": stylesheets,
        "runtime_scripts": runtime_scripts,
        "ui_scripts": ui_scripts,
        "app_scripts": recognition_scripts,
        "all_scripts": ui_scripts + runtime_scripts + recognition_scripts,  # the model card lists them with hashes
        "examples": examples.example_pictures(),  # drawn here, by our own code, on every build
        "config": {
            "version": version,
            "modelUrl": MODEL_URL,
            "embeddedModelUrl": EMBEDDED_MODEL_URL,
            "preprocess": spec,
            "lowConfidence": low_confidence(config),
            "notDigitThreshold": not_digit_threshold(config),
            "limits": limits,
        },
        "model": model,
        "below_floors": list(config.below_floors),  # floors the model misses, built anyway: the card says so
        "pages": dict(PAGES),
    }


def input_limits(spec: dict, spec_path: Path) -> dict:
    """Return the page's input limits, read from the spec's decode section: the spec owns them, so
    training.preprocess (Python) and decode.js (the page) cannot disagree."""
    decode = spec.get("decode")
    if not isinstance(decode, dict):
        decode = {}
    names = {"maxFileBytes": "max_file_bytes", "maxPixels": "max_pixels", "maxSide": "max_decoded_side"}
    missing = [name for name in names.values() if not isinstance(decode.get(name), int)]
    if missing:
        raise BuildError(f"{spec_path}: decode.{', decode.'.join(missing)} missing (whole numbers expected)")
    return {key: decode[name] for key, name in names.items()}


def _static(url: str, static_files: dict[str, bytes]) -> str:
    """Return `url`, a file the build copies from site_templates/static/, once it is known to be there."""
    if url not in static_files:
        raise BuildError(f"site_templates/{url} is missing: the page loads it")
    return url


def _asset(url: str, static_files: dict[str, bytes]) -> dict:
    """Return {url, integrity} for a script the build copies from site_templates/static/."""
    return {"url": _static(url, static_files), "integrity": sri(static_files[url])}
