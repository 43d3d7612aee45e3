"""Where the tests find things: the repository's own folders and the shared data beside it (defined once here)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO_ROOT / "site_templates"
JS_DIR = TEMPLATES_DIR / "static" / "js"
NODE_MODULES = REPO_ROOT / "node_modules"
ARTIFACTS_DIR = REPO_ROOT / ".artifacts"  # gitignored: what tests leave for people to look at (screenshots)
# The stock TF.js scripts (tfjs-core, the CPU backend, the converter) as npm installs them: what the page's
# bundle is cut from (build/runtime.py's TFJS_PACKAGES), loaded whole where a test needs `tf` without a build.
STOCK_TFJS_SCRIPTS = tuple(
    NODE_MODULES / "@tensorflow" / package / "dist" / name
    for package, name in (
        ("tfjs-core", "tf-core.es2017.min.js"),
        ("tfjs-backend-cpu", "tf-backend-cpu.es2017.min.js"),
        ("tfjs-converter", "tf-converter.es2017.min.js"),
    )
)

SHARED_DATA = Path(os.environ.get("SNAPMATH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
MNIST_DIR = Path(os.environ.get("SNAPMATH_MNIST_DIR", SHARED_DATA / "mnist"))
SAMPLES_DIR = SHARED_DATA / "samples"
REAL_DIR = SHARED_DATA / "real"
