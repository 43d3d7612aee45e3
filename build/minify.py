"""The page's own scripts, minified for dist/ with terser (pinned in package.json).

The sources in site_templates/static/js/ stay commented and readable; visitors download
about 40% of their bytes. Minifying is deterministic, so builds stay byte-identical.
"""

from __future__ import annotations

import json
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
    output = node.run_script(MINIFY_SCRIPT, [str(Path(node_modules).resolve())], json.dumps(sources),
                             TIMEOUT_SECONDS, "the page's JavaScript could not be minified")
    minified = json.loads(output)
    return {name: minified[name].encode("utf-8") if name in minified else content
            for name, content in static_files.items()}
