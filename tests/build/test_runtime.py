"""build.runtime: the shipped TF.js bundle, its licences, SRI, and the `npm ci` hints."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from build import runtime
from build.errors import BuildError
from tests.paths import JS_DIR, NODE_MODULES, REPO_ROOT

PAGE_SCRIPTS = {path.name: path.read_bytes() for path in sorted(JS_DIR.glob("*.js"))}
MODEL = {
    "modelTopology": {
        "node": [
            {"name": "x", "op": "Placeholder"},
            {"name": "y", "op": "Relu"},
            {"name": "Identity", "op": "Identity"},
        ]
    }
}


@pytest.mark.slow  # bundles TF.js with esbuild
def test_real_runtime_is_one_bundle_with_every_packages_licence() -> None:
    files = runtime.gather_runtime(NODE_MODULES, MODEL, PAGE_SCRIPTS)
    assert [file.url for file in files] == ["static/vendor/tfjs/tf-snapmath.min.js"]
    [bundle] = files
    assert bundle.version == "4.22.0"
    assert "Relu" in bundle.kernels
    assert bundle.license_name == "LICENSE-tf-snapmath.txt"
    for package in ("@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-converter"):
        assert package in bundle.package
        assert f"{package} 4.22.0, licensed under Apache-2.0\n".encode() in bundle.license_text
    assert b"Apache License\n                           Version 2.0, January 2004" in bundle.license_text


def test_sri_is_sha384_in_base64() -> None:
    expected = "sha384-" + base64.b64encode(hashlib.sha384(b"snapmath").digest()).decode()
    assert runtime.sri(b"snapmath") == expected


def test_missing_node_modules_says_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as raised:
        runtime.gather_runtime(tmp_path / "node_modules", MODEL, PAGE_SCRIPTS)
    assert str(raised.value) == (
        f"TF.js runtime missing: {tmp_path / 'node_modules'} does not exist; "
        "run `npm ci` in the repository root to install the pinned TF.js runtime"
    )


def test_missing_package_names_it(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "@tensorflow").mkdir(parents=True)
    with pytest.raises(
        BuildError, match=r"TF\.js runtime missing: .*@tensorflow/tfjs-core/package\.json does not exist; run `npm ci`"
    ):
        runtime.gather_runtime(tmp_path / "node_modules", MODEL, PAGE_SCRIPTS)


def test_version_other_than_the_lockfile_says_npm_ci(tmp_path: Path) -> None:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    lock["packages"]["node_modules/@tensorflow/tfjs-core"]["version"] = "4.0.0"
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    with pytest.raises(BuildError, match=r"is version 4\.22\.0 but package-lock\.json pins 4\.0\.0; run `npm ci`"):
        runtime.gather_runtime(NODE_MODULES, MODEL, PAGE_SCRIPTS, lockfile=tmp_path / "package-lock.json")


def test_a_model_op_the_runtime_cannot_run_fails_the_build_naming_it() -> None:
    doctored = {"modelTopology": {"node": [*MODEL["modelTopology"]["node"], {"name": "odd", "op": "FancyNewOp"}]}}
    with pytest.raises(
        BuildError, match=r"model\.json uses the op FancyNewOp \(node odd\), which TF\.js 4\.22\.0 cannot run"
    ):
        runtime.gather_runtime(NODE_MODULES, doctored, PAGE_SCRIPTS)


def test_a_package_own_licence_file_is_shipped_under_its_header(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("the package's own licence\n")
    manifest = {"name": "long", "version": "4.0.0", "license": "Apache-2.0"}
    assert (
        runtime._license_text(tmp_path, manifest)
        == b"long 4.0.0, licensed under Apache-2.0\n\nthe package's own licence\n"
    )


def test_a_package_without_any_licence_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"no licence text for odd \(license WTFPL-9\)"):
        runtime._license_text(tmp_path, {"name": "odd", "version": "1.0.0", "license": "WTFPL-9"})
