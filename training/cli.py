"""How the training commands end: one exit-status convention and one `error:` line, as `python -m build.site`.

    0  done (the gate: NEW passed)
    1  an expected failure stopped the command (missing or broken data, model or spec): one `error: ...` line
       on stderr, nothing on stdout, no traceback (build.site turns its BuildError into the same)
    2  a bad command line (argparse's own usage error)
    3  the command ran to the end and its answer, on stdout, is a failure: the gate's NEW is worse than OLD,
       or predict could not read some of the pictures (the others are answered)

Scripts can thus tell "could not run" (1, 2) from "ran, and says no" (3).
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2  # what argparse's parser.error() exits with; named here so the table above is complete
EXIT_RESULT_FAILED = 3


def fail(error: Exception | str) -> int:
    """Print `error: <message>` as one line on stderr and return EXIT_ERROR, for main() to return."""
    print(f"error: {printable(str(error))}", file=sys.stderr)
    return EXIT_ERROR


def printable(text: str) -> str:
    """Return text with control characters escaped, so a file name cannot move the cursor or recolour the terminal.

    A newline is escaped too, which keeps an error message on its one line."""
    return "".join(character if character.isprintable() else ascii(character)[1:-1] for character in text)
