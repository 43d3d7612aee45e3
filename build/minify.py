"""The page's own scripts and stylesheet, made smaller for dist/.

Scripts go through terser (pinned in package.json), then each group of them (build/context.py) is joined into
one file; the stylesheet loses its comments and indentation. The sources in site_templates/static/ stay
commented and readable; visitors download about 40% of their bytes. Both are deterministic, so builds stay
byte-identical."""

from __future__ import annotations

import json
import re
from pathlib import Path

from build import node
from build.errors import BuildError
from build.runtime import INSTALL_HINT

MINIFY_SCRIPT = Path(__file__).with_name("minify.js")
TIMEOUT_SECONDS = 120


def minify_scripts(static_files: dict[str, bytes], node_modules: Path) -> dict[str, bytes]:
    """Return static_files with every .js file replaced by its minified form."""
    if not (Path(node_modules) / "terser" / "package.json").is_file():
        raise BuildError(f"terser missing from {node_modules}: {INSTALL_HINT}")
    sources = {name: content.decode("utf-8") for name, content in static_files.items() if name.endswith(".js")}
    output = node.run_script(
        MINIFY_SCRIPT,
        [str(Path(node_modules).resolve())],
        json.dumps(sources),
        TIMEOUT_SECONDS,
        "the page's JavaScript could not be minified",
    )
    minified = json.loads(output)
    return {
        name: minified[name].encode("utf-8") if name in minified else content for name, content in static_files.items()
    }


def join_scripts(static_files: dict[str, bytes], groups: dict[str, tuple[str, ...]]) -> dict[str, bytes]:
    """Return static_files with each group's scripts ({shipped name: sources in order}) joined into one file.

    The sources are classic scripts, each one function run at once, so joined they run as they did one after the
    other; each ends with `;` so the next cannot continue its statement. Every .js file must be in a group.
    """
    grouped = [name for sources in groups.values() for name in sources]
    for name in static_files:
        if name.endswith(".js") and name not in grouped:
            raise BuildError(
                f"site_templates/{name} is in no script group of build/context.py: the page would not load it"
            )
    joined = {}
    for shipped, sources in groups.items():
        if shipped in static_files:
            raise BuildError(f"site_templates/{shipped} has the name of a file the build joins the page's scripts into")
        parts = []
        for name in sources:
            if name not in static_files:
                raise BuildError(f"site_templates/{name} is missing: the page loads it")
            code = static_files[name].strip()
            parts.append(code if code.endswith(b";") else code + b";")
        joined[shipped] = b"\n".join(parts) + b"\n"
    kept = {name: content for name, content in static_files.items() if name not in grouped}
    return {**kept, **joined}


# A comment, or the white space at the start of a line. Our stylesheet has no "/*" inside strings.
CSS_NOISE = re.compile(r"/\*.*?\*/|^[ \t]+", re.DOTALL | re.MULTILINE)


def minify_stylesheets(static_files: dict[str, bytes]) -> dict[str, bytes]:
    """Return static_files with every .css file stripped of comments, indentation and blank lines."""

    def strip(css: str) -> str:
        lines = CSS_NOISE.sub("", css).splitlines()
        return "\n".join(line for line in lines if line.strip()) + "\n"

    return {
        name: strip(content.decode("utf-8")).encode("utf-8") if name.endswith(".css") else content
        for name, content in static_files.items()
    }
