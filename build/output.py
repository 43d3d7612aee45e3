"""The writer stage: dist/'s files read, merged, written into a staging directory and swapped into place."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from build import parts, runtime
from build.config import BUILD_MARKER
from build.errors import BuildError

log = logging.getLogger(__name__)

MARKER_TEXT = "Written by `python -m build.site`: the next build may replace this folder whole.\n"


def read_tree(directory: Path, prefix: str) -> dict[str, bytes]:
    """Return {prefix/relative path: bytes} of the files under `directory`, sorted, skipping dotfiles."""
    if not directory.is_dir():
        raise BuildError(f"{directory} does not exist: the page's CSS and JavaScript live there")
    files = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            files[f"{prefix}/{relative.as_posix()}"] = path.read_bytes()
    return files


def vendor_files(runtime_files: list[runtime.RuntimeFile]) -> dict[str, bytes]:
    """Return {path in dist/: bytes} of the runtime scripts and their licences."""
    files = {}
    for file in runtime_files:
        files[file.url] = file.content
        files[f"{runtime.VENDOR_DIR}/{file.license_name}"] = file.license_text
    return files


def merge_files(*parts: dict[str, bytes]) -> dict[str, bytes]:
    """Return one {path: bytes} map, sorted by path; BuildError if two parts write the same path."""
    merged: dict[str, bytes] = {}
    for part in parts:
        for path, content in part.items():
            if path in merged:
                raise BuildError(f"two parts of the build write dist/{path}; rename the one in site_templates/")
            merged[path] = content
    return dict(sorted(merged.items()))


def write_files(directory: Path, files: dict[str, bytes]) -> None:
    """Write `files` ({relative path: bytes}) under `directory`; BuildError naming the file when the disk refuses."""
    for relative, content in files.items():
        path = directory / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as error:  # disk full, a file-size limit (ulimit -f), a name too long
            raise BuildError(f"cannot write {path}: {error.strerror or error}") from error


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging`: rename the old one away, rename the new one in, delete the old one."""
    old = staging.with_name(staging.name.replace(".tmp-", ".old-"))
    had_previous = out_dir.exists()
    try:
        if had_previous:
            out_dir.rename(old)
        try:
            staging.rename(out_dir)
        except OSError:
            if had_previous:
                old.rename(out_dir)  # put the previous build back
            raise
    except OSError as error:
        raise BuildError(f"cannot replace {out_dir}: {error.strerror}") from error
    if had_previous:
        try:
            shutil.rmtree(old)
        except OSError as error:
            # The new site is in place, so the build succeeded; what is left is the previous one.
            log.warning(
                "the new site is in place, but the previous build %s could not be deleted (%s); delete it by hand",
                old,
                error.strerror or error,
            )


def part_sizes(files: dict[str, bytes]) -> dict[str, int]:
    """Return bytes per part: runtime, model (over http), embedded (file:// only), app, model card, licences, page.

    `page` is what opening index.html over http downloads: runtime + model + app.
    """
    sizes = dict.fromkeys(parts.PARTS, 0)
    for path, content in files.items():
        sizes[parts.part_of(path)] += len(content)
    sizes["page"] = sizes["runtime"] + sizes["model"] + sizes["app"]
    return sizes


def make_staging_dir(out_dir: Path) -> Path:
    """Return a new empty directory beside `out_dir` (same filesystem, so the swap is a rename)."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.tmp-", dir=out_dir.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; dist/ is meant to be served
        # The marker goes in first: a build killed halfway leaves a directory the next build may remove.
        (staging / BUILD_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as error:
        raise BuildError(f"cannot write the build to {out_dir}: {error.strerror or error}") from error
    return staging


def remove_leftovers(out_dir: Path) -> None:
    """Delete `<out>.tmp-*` and `<out>.old-*` directories a killed or failed build left beside `out_dir`.

    Only directories holding the build marker are removed: a folder that merely matches the name stays."""
    for pattern in (f"{out_dir.name}.tmp-*", f"{out_dir.name}.old-*"):
        for leftover in sorted(out_dir.parent.glob(pattern)):
            if leftover.is_dir() and not leftover.is_symlink() and (leftover / BUILD_MARKER).is_file():
                log.info("removing %s, left by an interrupted build", leftover.name)
                shutil.rmtree(leftover, ignore_errors=True)
