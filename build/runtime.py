"""The TF.js runtime the page ships: files from node_modules, their licences and SRI hashes."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from pathlib import Path

from build.errors import BuildError

# Package name, file in its dist/, name in dist/static/vendor/tfjs/; the page loads them in this order.
# The CPU backend is enough for a 28x28 CNN and, unlike WASM, needs no .wasm fetch (impossible
# from file://) and no 'wasm-unsafe-eval' in the CSP.
PACKAGES = (
    ("@tensorflow/tfjs-core", "tf-core.es2017.min.js"),
    ("@tensorflow/tfjs-backend-cpu", "tf-backend-cpu.es2017.min.js"),
    ("@tensorflow/tfjs-converter", "tf-converter.es2017.min.js"),
)
VENDOR_DIR = "static/vendor/tfjs"
LICENSES_DIR = Path(__file__).resolve().parent / "licenses"
INSTALL_HINT = "run `npm ci` in the repository root to install the pinned TF.js runtime"


@dataclasses.dataclass(frozen=True)
class RuntimeFile:
    """One shipped runtime script and the licence text that goes with it."""

    package: str
    version: str
    name: str  # file name in dist/static/vendor/tfjs/
    content: bytes
    license_name: str  # LICENSE-<package>.txt beside it
    license_text: bytes

    @property
    def url(self) -> str:
        return f"{VENDOR_DIR}/{self.name}"


def gather_runtime(node_modules: Path, lockfile: Path | None = None) -> list[RuntimeFile]:
    """Return the runtime files in load order, read from `node_modules` and checked against the lockfile."""
    node_modules = Path(node_modules)
    if not node_modules.is_dir():
        raise BuildError(f"TF.js runtime missing: {node_modules} does not exist; {INSTALL_HINT}")
    pinned = _locked_versions(lockfile or node_modules.parent / "package-lock.json")
    files = []
    for package, file_name in PACKAGES:
        package_dir = node_modules / package
        path = package_dir / "dist" / file_name
        if not path.is_file():
            raise BuildError(f"TF.js runtime missing: {path} does not exist; {INSTALL_HINT}")
        manifest = json.loads((package_dir / "package.json").read_text())
        version = manifest["version"]
        if package in pinned and pinned[package] != version:
            raise BuildError(
                f"{package_dir} is version {version} but package-lock.json pins {pinned[package]}; {INSTALL_HINT}"
            )
        short_name = package.split("/")[-1]
        files.append(
            RuntimeFile(
                package=package,
                version=version,
                name=file_name,
                content=path.read_bytes(),
                license_name=f"LICENSE-{short_name}.txt",
                license_text=_license_text(package_dir, manifest),
            )
        )
    return files


def sri(content: bytes) -> str:
    """Return the Subresource Integrity value (`sha384-<base64>`) of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def _locked_versions(lockfile: Path) -> dict[str, str]:
    """Return {package: version} pinned by package-lock.json ({} if there is none)."""
    if not lockfile.is_file():
        return {}
    packages = json.loads(lockfile.read_text()).get("packages", {})
    return {
        key.removeprefix("node_modules/"): entry["version"]
        for key, entry in packages.items()
        if key.startswith("node_modules/@tensorflow/") and "version" in entry
    }


def _license_text(package_dir: Path, manifest: dict) -> bytes:
    """Return the licence to ship beside a package's file: its own LICENSE, else the text its SPDX id names."""
    for candidate in sorted(package_dir.glob("LICEN[CS]E*")):
        if candidate.is_file():
            return candidate.read_bytes()
    # The @tensorflow packages publish no LICENSE file, only `"license": "Apache-2.0"` and a
    # banner in each script, so the build supplies the licence's standard text.
    spdx = manifest.get("license", "")
    standard_text = LICENSES_DIR / f"{spdx}.txt"
    if not spdx or not standard_text.is_file():
        raise BuildError(
            f"no licence text for {manifest.get('name', package_dir)} (license {spdx or 'unset'}): "
            f"add it as {standard_text}"
        )
    header = f"{manifest['name']} {manifest['version']}, licensed under {spdx}"
    repository = manifest.get("repository", {})
    if isinstance(repository, dict) and repository.get("url"):
        header += f"\nSource: {repository['url']}"
    return (header + "\n\n").encode() + standard_text.read_bytes()
