"""Console output of `python -m build.site`: the build summary, progress lines, native stderr held back."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from build import model_card
from build.errors import BuildError
from build.floors import OVERRIDE_FLAG

if TYPE_CHECKING:
    from build.site import BuildReport


def format_report(report: BuildReport) -> str:
    """Return the build summary printed by the CLI."""
    total_seconds = sum(report.timings.values())
    steps = " · ".join(f"{name} {seconds:.1f} s" for name, seconds in report.timings.items())
    format_bytes = model_card.format_bytes
    sizes = report.sizes
    check = report.parity
    loud = (
        [
            f"WARNING: model {report.version} is BELOW THE BUILD'S FLOORS and was built only because of "
            f"{OVERRIDE_FLAG}: {'; '.join(report.below_floors)}"
        ]
        if report.below_floors
        else []
    )
    return "\n".join(
        [
            *loud,
            f"built {report.out_dir} from model {report.version} (--quantize {report.quantize}) "
            f"in {total_seconds:.1f} s",
            f"  steps: {steps}",
            f"  runtime   {format_bytes(sizes['runtime']):>10}  TF.js core, CPU backend, converter",
            f"  model     {format_bytes(sizes['model']):>10}  model.json and weight shards (loaded over http)",
            f"  app       {format_bytes(sizes['app']):>10}  index.html, CSS and JavaScript",
            f"  page      {format_bytes(sizes['page']):>10}  runtime + model + app: "
            "what opening the page over http loads",
            f"  embedded  {format_bytes(sizes['embedded']):>10}  model/embedded.js (loaded instead from file://)",
            f"  other     {format_bytes(sizes['model_card'] + sizes['licences']):>10}  model-card.html, licences",
            f"  parity: TF.js agrees with the SavedModel on {check.inputs} built-in inputs "
            f"(same digit on {check.same_digit}; largest probability difference {check.max_difference:.2g}, "
            f"allowed {check.tolerance:g})",
            *loud,
        ]
    )


@contextlib.contextmanager
def native_stderr_held_back() -> Iterator[None]:
    """Hold back what native code writes to file descriptor 2; replay it only if the block crashes.

    TensorFlow's C++ start-up messages (CUDA probing, absl, grappler) ignore TF_CPP_MIN_LOG_LEVEL and
    would bury the one `error:` line; on an unexpected exception they may explain it, so they are shown.
    """
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    crashed = False
    with tempfile.TemporaryFile() as held_back:
        os.dup2(held_back.fileno(), 2)
        try:
            yield
        except (BuildError, OSError):
            raise
        except BaseException:
            crashed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
            if crashed:
                held_back.seek(0)
                sys.stderr.write(held_back.read().decode("utf-8", errors="replace"))


class ProgressHandler(logging.Handler):
    """Prints this package's log records on stdout as progress lines (errors alone go to stderr)."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = "warning: " if record.levelno >= logging.WARNING else ""
        print(prefix + record.getMessage(), flush=True)  # sys.stdout at call time, as the CLI's other output
