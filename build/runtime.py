"""The TF.js runtime the page ships: one script bundled for the model, checked against the lockfile, licences, SRI.

The bundle (build/bundle.py) holds tfjs-core, the CPU backend and the graph-model converter cut to
what model.json and the page's scripts use. The CPU backend is enough for a 28x28 CNN and, unlike
WASM, needs no .wasm fetch (impossible from file://) and no 'wasm-unsafe-eval' in the CSP; the
README's design notes give the measurements. Every node_modules file the bundle is made of is
checked against package-lock.json (build/bundle_sources.py) before it ships.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from build import bundle, bundle_sources
from build.errors import BuildError

VENDOR_DIR = "static/vendor/tfjs"
BUNDLE_NAME = "tf-snapmath.min.js"  # the one runtime script, in dist/static/vendor/tfjs/
LICENSE_NAME = "LICENSE-tf-snapmath.txt"  # the licences of every package in it, beside it
LICENSES_DIR = Path(__file__).resolve().parent / "licenses"
INSTALL_HINT = "run `npm ci` in the repository root to install the pinned TF.js runtime"
TFJS_PACKAGES = ("@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-converter")


@dataclasses.dataclass(frozen=True)
class RuntimeFile:
    """One shipped runtime script and the licence text that goes with it."""

    package: str  # what it is, for people: the packages it is made of
    version: str
    name: str  # file name in dist/static/vendor/tfjs/
    content: bytes
    license_name: str  # beside it in dist/static/vendor/tfjs/
    license_text: bytes
    kernels: tuple[str, ...] = ()  # CPU kernels it registers

    @property
    def url(self) -> str:
        return f"{VENDOR_DIR}/{self.name}"


def check_installed(node_modules: Path) -> None:
    """BuildError (saying to run `npm ci`) unless `node_modules` exists: checked first, before any slow step."""
    if not Path(node_modules).is_dir():
        raise BuildError(f"TF.js runtime missing: {node_modules} does not exist; {INSTALL_HINT}")


def gather_runtime(
    node_modules: Path,
    model_json: dict,
    page_scripts: dict[str, bytes],
    lockfile: Path | None = None,
    cache_dir: Path | None = None,
) -> list[RuntimeFile]:
    """Return the runtime scripts in load order: the TF.js bundle for `model_json` and `page_scripts` ({name: source}).

    BuildError if node_modules is missing, differs from package-lock.json, or cannot run the model.
    """
    node_modules = Path(node_modules)
    check_installed(node_modules)
    lockfile = Path(lockfile or node_modules.parent / "package-lock.json")
    pinned = _locked_versions(lockfile)
    _check_versions(node_modules, TFJS_PACKAGES, pinned)  # before bundling: the clearest message first
    built = bundle.build_bundle(model_json, page_scripts, node_modules)
    _check_versions(node_modules, built.packages, pinned)
    bundle_sources.verify(node_modules, lockfile, built.inputs, cache_dir)
    names = ", ".join(f"{package} {version}" for package, version in built.packages.items())
    return [
        RuntimeFile(
            package=names,
            version=built.packages.get("@tensorflow/tfjs-core", "?"),
            name=BUNDLE_NAME,
            content=built.code,
            license_name=LICENSE_NAME,
            license_text=_licences(node_modules, built.packages),
            kernels=built.kernels,
        )
    ]


def sri(content: bytes) -> str:
    """Return the Subresource Integrity value (`sha384-<base64>`) of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def _check_versions(node_modules: Path, packages: Iterable[str], pinned: dict[str, str]) -> None:
    """BuildError if an installed package (`packages`: names) is missing or not the version package-lock.json pins."""
    for package in packages:
        manifest = node_modules / package / "package.json"
        if not manifest.is_file():
            raise BuildError(f"TF.js runtime missing: {manifest} does not exist; {INSTALL_HINT}")
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        if package in pinned and pinned[package] != version:
            raise BuildError(
                f"{node_modules / package} is version {version} "
                f"but package-lock.json pins {pinned[package]}; {INSTALL_HINT}"
            )


def _locked_versions(lockfile: Path) -> dict[str, str]:
    """Return {package: version} pinned by package-lock.json ({} if there is none)."""
    if not lockfile.is_file():
        return {}
    packages = json.loads(lockfile.read_text()).get("packages", {})
    return {
        key.removeprefix("node_modules/"): entry["version"]
        for key, entry in packages.items()
        if key.startswith("node_modules/")
        and "node_modules/" not in key.removeprefix("node_modules/")
        and "version" in entry
    }


def _licences(node_modules: Path, packages: dict[str, str]) -> bytes:
    """Return one text with the licence of every package in the bundle, each under a header naming it."""
    sections = [f"{BUNDLE_NAME} is made of these packages; each one's licence follows.\n".encode()]
    for package in sorted(packages):
        package_dir = node_modules / package
        manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
        sections.append(b"\n" + b"=" * 78 + b"\n" + _license_text(package_dir, manifest))
    return b"".join(sections)


def _license_text(package_dir: Path, manifest: dict) -> bytes:
    """Return the licence to ship for one package: its own LICENSE, else the text its SPDX id names."""
    spdx = manifest.get("license", "")
    header = f"{manifest['name']} {manifest['version']}, licensed under {spdx or 'its LICENSE file'}"
    repository = manifest.get("repository", {})
    if isinstance(repository, dict) and repository.get("url"):
        header += f"\nSource: {repository['url']}"
    for candidate in sorted(package_dir.glob("LICEN[CS]E*")):
        if candidate.is_file():
            return (header + "\n\n").encode() + candidate.read_bytes()
    # The @tensorflow packages publish no LICENSE file, only `"license": "Apache-2.0"` and a
    # banner in each script, so the build supplies the licence's standard text.
    standard_text = LICENSES_DIR / f"{spdx}.txt"
    if not spdx or not standard_text.is_file():
        raise BuildError(
            f"no licence text for {manifest.get('name', package_dir)} (license {spdx or 'unset'}): "
            f"add it as {standard_text}"
        )
    return (header + "\n\n").encode() + standard_text.read_bytes()
