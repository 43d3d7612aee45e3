"""Which part of the page a dist/ file is: the build's summary and the benchmark's page weight both count by it."""

from __future__ import annotations

from build import context, convert, runtime

PARTS = ("runtime", "licences", "model", "embedded", "model_card", "app")
EMBEDDED = f"{convert.MODEL_DIR}/{convert.EMBEDDED_NAME}"


def part_of(path: str) -> str:
    """Return the part (one of PARTS) of the dist/ file at `path`, relative to dist/ with `/` separators.

    runtime: the TF.js scripts; licences: their licence texts (the page never loads them); model: what the page
    loads over http; embedded: the model it loads from file:// instead; model_card; app: everything else.
    """
    if path.startswith(runtime.VENDOR_DIR + "/"):
        return "runtime" if path.endswith(".js") else "licences"
    if path == context.PAGES["model_card"]:
        return "model_card"
    if path == EMBEDDED:
        return "embedded"
    if path.startswith(convert.MODEL_DIR + "/"):
        return "model"
    return "app"
