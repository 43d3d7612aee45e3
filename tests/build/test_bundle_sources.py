"""build.bundle_sources: node_modules files are checked against package-lock.json's tarballs before they ship."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from build import bundle_sources
from build.errors import BuildError
from tests.paths import NODE_MODULES, REPO_ROOT

NPM_CI = "run `npm ci` in the repository root to reinstall the pinned packages"


def pack(files: dict[str, bytes]) -> bytes:
    """Return a gzipped npm-style tarball holding `files` under package/."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def cache_tarball(cache: Path, tarball: bytes) -> str:
    """Store `tarball` in an npm cache layout (content-v2, by SHA-512); return its SRI integrity."""
    digest = hashlib.sha512(tarball).digest()
    hex_digest = digest.hex()
    path = cache / "_cacache" / "content-v2" / "sha512" / hex_digest[:2] / hex_digest[2:4] / hex_digest[4:]
    path.parent.mkdir(parents=True)
    path.write_bytes(tarball)
    return "sha512-" + base64.b64encode(digest).decode()


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Return (node_modules, lockfile, cache) with package `tiny` 1.0.0 installed as packed."""
    files = {"package.json": b'{"name": "tiny", "version": "1.0.0"}', "dist/tiny.js": b"export const x = 1;\n"}
    integrity = cache_tarball(tmp_path / "cache", pack(files))
    for name, content in files.items():
        (tmp_path / "node_modules" / "tiny" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "node_modules" / "tiny" / name).write_bytes(content)
    lock = {"packages": {"": {}, "node_modules/tiny": {"version": "1.0.0", "integrity": integrity}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    return tmp_path / "node_modules", tmp_path / "package-lock.json", tmp_path / "cache"


def test_files_as_packed_pass(installed: tuple[Path, Path, Path]) -> None:
    node_modules, lockfile, cache = installed
    bundle_sources.verify(node_modules, lockfile, ["tiny/dist/tiny.js", "tiny/package.json"], cache)


def test_an_edited_file_is_a_build_error_saying_npm_ci(installed: tuple[Path, Path, Path]) -> None:
    node_modules, lockfile, cache = installed
    with (node_modules / "tiny" / "dist" / "tiny.js").open("a") as handle:
        handle.write("console.log('appended');\n")
    with pytest.raises(BuildError) as raised:
        bundle_sources.verify(node_modules, lockfile, ["tiny/dist/tiny.js"], cache)
    assert str(raised.value) == (
        f"{node_modules / 'tiny' / 'dist' / 'tiny.js'} is not the file of tiny 1.0.0 "
        f"that package-lock.json pins; {NPM_CI}"
    )


def test_a_file_the_package_does_not_have_is_refused(installed: tuple[Path, Path, Path]) -> None:
    node_modules, lockfile, cache = installed
    (node_modules / "tiny" / "dist" / "extra.js").write_text("1;\n")
    with pytest.raises(BuildError, match=r"extra\.js is not the file of tiny 1\.0\.0"):
        bundle_sources.verify(node_modules, lockfile, ["tiny/dist/extra.js"], cache)


def test_a_tarball_missing_from_the_cache_says_npm_ci(installed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    node_modules, lockfile, _ = installed
    with pytest.raises(
        BuildError,
        match=r"cannot check tiny 1\.0\.0 against package-lock\.json: its tarball is not in the npm cache .*; run `npm ci`",  # noqa: E501
    ):
        bundle_sources.verify(node_modules, lockfile, ["tiny/dist/tiny.js"], tmp_path / "empty-cache")


def test_a_cached_tarball_that_does_not_match_the_integrity_is_refused(installed: tuple[Path, Path, Path]) -> None:
    node_modules, lockfile, cache = installed
    stored = next((cache / "_cacache").rglob("*"))
    while stored.is_dir():
        stored = next(stored.iterdir())
    stored.write_bytes(pack({"dist/tiny.js": b"export const x = 2;\n"}))
    with pytest.raises(BuildError, match=r"does not match package-lock\.json's integrity"):
        bundle_sources.verify(node_modules, lockfile, ["tiny/dist/tiny.js"], cache)


def test_a_package_the_lockfile_does_not_pin_is_refused(installed: tuple[Path, Path, Path]) -> None:
    node_modules, lockfile, cache = installed
    with pytest.raises(BuildError, match=r"package-lock\.json pins no package holding node_modules/other/x\.js"):
        bundle_sources.verify(node_modules, lockfile, ["other/x.js"], cache)


def test_missing_lockfile_is_refused(installed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    node_modules, _, cache = installed
    with pytest.raises(BuildError, match=r"elsewhere/package-lock\.json does not exist"):
        bundle_sources.verify(node_modules, tmp_path / "elsewhere" / "package-lock.json", ["tiny/dist/tiny.js"], cache)


@pytest.mark.slow  # hashes the real tfjs-core tarball
def test_the_real_tfjs_core_file_passes_and_an_appended_line_fails(tmp_path: Path) -> None:
    """Issue 15's reproduction on a copy: the real tarball in npm's cache judges the installed file."""
    relative = "@tensorflow/tfjs-core/dist/tf-core.es2017.min.js"
    copy = tmp_path / "node_modules" / relative
    copy.parent.mkdir(parents=True)
    shutil.copy(NODE_MODULES / relative, copy)
    lockfile = REPO_ROOT / "package-lock.json"
    bundle_sources.verify(tmp_path / "node_modules", lockfile, [relative])
    with copy.open("a") as handle:
        handle.write("window.stolen = document.cookie;\n")
    with pytest.raises(
        BuildError, match=r"tf-core\.es2017\.min\.js is not the file of @tensorflow/tfjs-core 4\.22\.0 .*`npm ci`"
    ):
        bundle_sources.verify(tmp_path / "node_modules", lockfile, [relative])
