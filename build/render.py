"""The Jinja2 environment for site_templates/ and rendering of the pages."""

from __future__ import annotations

from pathlib import Path

import jinja2

from build import context
from build.errors import BuildError


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """Return an environment that escapes HTML and fails on any undefined variable.

    Formatting lives in Python (build/context.py, build/model_card.py), so there are no filters of our own;
    `tojson` is Jinja's: keys sorted, and <, >, &, ' escaped, safe inside a <script> data block."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_pages(environment: jinja2.Environment, page_context: dict) -> dict[str, bytes]:
    """Return {file in dist/: UTF-8 HTML} for every page in `context.PAGES`, each from its namesake template."""
    pages = {}
    for name in sorted(context.PAGES.values()):
        try:
            # `current_page` lets the navigation mark the page it is on (aria-current).
            html = environment.get_template(name).render({**page_context, "current_page": name})
        except jinja2.TemplateNotFound as error:
            raise BuildError(f"template {error.name} not found in {environment.loader.searchpath[0]}") from error  # type: ignore[union-attr]
        except jinja2.TemplateSyntaxError as error:
            raise BuildError(f"{error.filename}:{error.lineno}: template syntax error: {error.message}") from error
        except jinja2.UndefinedError as error:
            raise BuildError(f"{_template_location(error, name)}: {error.message}") from error
        pages[name] = html.encode("utf-8")
    return pages


def _template_location(error: BaseException, template_name: str) -> str:
    """Return `file:line` of the template frame where `error` was raised (Jinja maps frames to templates)."""
    location = template_name
    traceback = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith(".html"):
            location = f"{filename}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return location
