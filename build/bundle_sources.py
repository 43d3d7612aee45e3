"""The node_modules files the page's TF.js is made from, checked against package-lock.json before they ship.

Why: a file edited in node_modules would otherwise be bundled and shipped, with a fresh SRI hash on
the model card vouching for it. package-lock.json pins each package by `integrity`, the SHA-512 of
its registry tarball; `npm ci` keeps that tarball in npm's cache, stored under that same hash. The
build reads it from there, checks the hash, and compares every installed file the bundle read with
the tarball's copy. Any difference is a BuildError that says to run `npm ci`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterable
from pathlib import Path

from build.errors import BuildError

NPM_CI = "run `npm ci` in the repository root to reinstall the pinned packages"


def npm_cache_dir() -> Path:
    """Return npm's cache directory: $NPM_CONFIG_CACHE, else what `npm config get cache` says, else ~/.npm."""
    configured = os.environ.get("NPM_CONFIG_CACHE") or os.environ.get("npm_config_cache")  # noqa: SIM112 - npm reads both
    if configured:
        return Path(configured)
    npm = shutil.which("npm")
    if npm is not None:
        completed = subprocess.run(
            [npm, "config", "get", "cache"], capture_output=True, text=True, timeout=60, check=False
        )
        if completed.returncode == 0 and completed.stdout.strip():
            return Path(completed.stdout.strip())
    return Path.home() / ".npm"


def verify(node_modules: Path, lockfile: Path, files: Iterable[str], cache_dir: Path | None = None) -> None:
    """Check each of `files` (paths relative to node_modules) against its package's tarball pinned by `lockfile`.

    BuildError on the first file that differs, a package the lockfile does not pin, or a tarball
    missing from the npm cache or not matching its integrity.
    """
    node_modules = Path(node_modules)
    if not Path(lockfile).is_file():
        raise BuildError(
            f"{lockfile} does not exist: the TF.js files cannot be checked against it; restore it and {NPM_CI}"
        )
    locked = json.loads(Path(lockfile).read_text(encoding="utf-8")).get("packages", {})
    by_package: dict[str, list[str]] = {}
    for relative in sorted(set(files)):
        by_package.setdefault(_package_key(relative, locked), []).append(relative)
    cache = Path(cache_dir) if cache_dir is not None else npm_cache_dir()
    for key, relatives in sorted(by_package.items()):
        entry = locked[key]
        name = key.rsplit("node_modules/", 1)[-1]
        inside = {
            relative: (node_modules / relative).relative_to(node_modules.parent / key).as_posix()
            for relative in relatives
        }
        packed = _tarball_files(
            cache, entry.get("integrity", ""), f"{name} {entry.get('version', '?')}", set(inside.values())
        )
        for relative in relatives:
            installed = node_modules / relative
            if not installed.is_file() or installed.read_bytes() != packed.get(inside[relative]):
                raise BuildError(
                    f"{installed} is not the file of {name} {entry.get('version', '?')} "
                    f"that package-lock.json pins; {NPM_CI}"
                )


def _package_key(relative: str, locked: dict) -> str:
    """Return the lockfile key ("node_modules/<name>", nested ones too) of the package holding `relative`."""
    path = f"node_modules/{relative}"
    candidates = [key for key in locked if key.startswith("node_modules/") and path.startswith(key + "/")]
    if not candidates:
        raise BuildError(f"package-lock.json pins no package holding node_modules/{relative}; {NPM_CI}")
    return max(candidates, key=len)


def _tarball_files(cache: Path, integrity: str, package: str, wanted: set[str]) -> dict[str, bytes]:
    """Return {path inside the package: bytes} of the `wanted` files of the tarball with `integrity` (npm's cache)."""
    algorithm, _, digest_base64 = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256", "sha1") or not digest_base64:
        raise BuildError(f"package-lock.json gives {package} no usable integrity ({integrity or 'none'}); {NPM_CI}")
    digest = base64.b64decode(digest_base64)
    hex_digest = digest.hex()
    tarball = cache / "_cacache" / "content-v2" / algorithm / hex_digest[:2] / hex_digest[2:4] / hex_digest[4:]
    if not tarball.is_file():
        raise BuildError(
            f"cannot check {package} against package-lock.json: its tarball is not in the npm cache {cache}; {NPM_CI}"
        )
    content = tarball.read_bytes()
    if hashlib.new(algorithm, content).digest() != digest:
        raise BuildError(f"the npm cache's tarball of {package} does not match package-lock.json's integrity; {NPM_CI}")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as archive:
        for member in archive:
            # npm tarballs hold the package under one top folder (usually package/).
            inside = member.name.split("/", 1)[-1]
            if member.isfile() and inside in wanted:
                extracted = archive.extractfile(member)
                if extracted is not None:
                    files[inside] = extracted.read()
    return files
