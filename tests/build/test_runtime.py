"""build.runtime: the shipped TF.js files, their licences, SRI, and the `npm ci` hints."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from build import runtime
from build.errors import BuildError

REPO_ROOT = Path(__file__).resolve().parents[2]


def fake_package(node_modules: Path, name: str, file_name: str, version: str = "4.22.0", license_file: bool = False) -> None:
    package = node_modules / name
    (package / "dist").mkdir(parents=True)
    (package / "dist" / file_name).write_text(f"/* {name} */\n")
    (package / "package.json").write_text(json.dumps({"name": name, "version": version, "license": "Apache-2.0"}))
    if license_file:
        (package / "LICENSE").write_text("the package's own licence\n")


def test_real_runtime_is_core_cpu_backend_converter_in_load_order() -> None:
    files = runtime.gather_runtime(REPO_ROOT / "node_modules")
    assert [file.url for file in files] == [
        "static/vendor/tfjs/tf-core.es2017.min.js",
        "static/vendor/tfjs/tf-backend-cpu.es2017.min.js",
        "static/vendor/tfjs/tf-converter.es2017.min.js",
    ]
    assert {file.version for file in files} == {"4.22.0"}
    for file in files:
        assert file.license_text.startswith(f"{file.package} 4.22.0, licensed under Apache-2.0\n".encode())
        assert b"Apache License\n                           Version 2.0, January 2004" in file.license_text


def test_sri_is_sha384_in_base64() -> None:
    expected = "sha384-" + base64.b64encode(hashlib.sha384(b"snapmath").digest()).decode()
    assert runtime.sri(b"snapmath") == expected


def test_missing_node_modules_says_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as raised:
        runtime.gather_runtime(tmp_path / "node_modules")
    assert str(raised.value) == (
        f"TF.js runtime missing: {tmp_path / 'node_modules'} does not exist; "
        "run `npm ci` in the repository root to install the pinned TF.js runtime"
    )


def test_missing_runtime_file_names_it(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    fake_package(node_modules, "@tensorflow/tfjs-core", "tf-core.es2017.min.js")
    with pytest.raises(BuildError) as raised:
        runtime.gather_runtime(node_modules)
    missing = node_modules / "@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.es2017.min.js"
    assert str(raised.value) == f"TF.js runtime missing: {missing} does not exist; run `npm ci` in the repository root to install the pinned TF.js runtime"


def test_version_other_than_the_lockfile_says_npm_ci(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for package, file_name in runtime.PACKAGES:
        fake_package(node_modules, package, file_name, version="4.0.0" if "core" in package else "4.22.0")
    lock = {"packages": {f"node_modules/{package}": {"version": "4.22.0"} for package, _ in runtime.PACKAGES}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    with pytest.raises(BuildError, match=r"is version 4\.0\.0 but package-lock\.json pins 4\.22\.0; run `npm ci`"):
        runtime.gather_runtime(node_modules)


def test_a_package_own_licence_file_is_shipped_as_is(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for package, file_name in runtime.PACKAGES:
        fake_package(node_modules, package, file_name, license_file=True)
    files = runtime.gather_runtime(node_modules)
    assert {file.license_text for file in files} == {b"the package's own licence\n"}
    assert [file.license_name for file in files] == [
        "LICENSE-tfjs-core.txt", "LICENSE-tfjs-backend-cpu.txt", "LICENSE-tfjs-converter.txt",
    ]
