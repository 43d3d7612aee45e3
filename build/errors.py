"""The one exception type for expected build failures."""

from __future__ import annotations


class BuildError(Exception):
    """An expected failure (missing model, broken input, unwritable output): its message is shown as is.

    The CLI prints it as one `error: ...` line and exits 1, without a traceback (like MkDocs' `Abort`).
    """
