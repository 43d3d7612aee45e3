"""`python -m build.site --serve`: preview dist/ on 127.0.0.1 and rebuild it when a source changes (MkDocs' serve).

Templates, static files and the preprocessing spec are rebuilt in place, reusing every slow result whose inputs
did not change (build/steps.py). A change under build/ is new build code, which only a new process runs: the
server restarts itself, and the converted model comes back from the cache on disk.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from build import serve
from build.config import Config

BUILD_DIR = Path(__file__).resolve().parent
STEP_MILLISECONDS = 50  # quiet time that ends a burst of changes (an editor's save is several events)


class SourceFilter(watchfiles.DefaultFilter):
    """Accepts changes to the build's sources (no caches, editor swap files, bytecode), and of the spec file alone
    in its folder."""

    def __init__(self, spec: Path) -> None:
        super().__init__()
        self.spec = spec

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        changed = Path(path)
        if changed.parent == self.spec.parent and changed != self.spec:
            return False
        return super().__call__(change, path)


def watched_paths(config: Config) -> list[Path]:
    """Return the folders to watch: the templates, build/ and the folder of the preprocessing spec."""
    return [config.templates_dir, BUILD_DIR, config.preprocess_spec.parent]


def needs_restart(changed: Iterable[Path]) -> bool:
    """Return whether build code changed (anything under build/): only a new process runs it."""
    return any(BUILD_DIR in path.parents for path in changed)


def watch_changes(
    paths: list[Path],
    watch_filter: watchfiles.BaseFilter,
    on_change: Callable[[set[Path]], bool],
    stop_event: threading.Event | None = None,
) -> None:
    """Call `on_change` with each burst of changed paths until it returns False or `stop_event` is set."""
    for changes in watchfiles.watch(*paths, watch_filter=watch_filter, step=STEP_MILLISECONDS, stop_event=stop_event):
        if not on_change({Path(path) for _, path in changes}):
            return


def serve_and_rebuild(
    config: Config,
    port: int,
    rebuild: Callable[[], object],
    restart_argv: list[str],
    stop_event: threading.Event | None = None,
) -> int:
    """Serve `config.out_dir` and call `rebuild` on each change until Ctrl+C (or `stop_event`); return the exit status.

    `rebuild` returns None when the build failed (it printed why). `restart_argv` is the command line
    `python -m build.site` restarts with when build/ changes."""
    try:
        server = serve.make_server(config.out_dir, port)
    except OSError as error:
        print(f"error: cannot serve on {serve.HOST}:{port}: {error.strerror}; pick another --port", file=sys.stderr)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {config.out_dir} at http://{serve.HOST}:{server.server_port}/ (Ctrl+C stops)", flush=True)
    print(f"watching {', '.join(str(path) for path in watched_paths(config))}", flush=True)

    def on_change(changed: set[Path]) -> bool:
        names = ", ".join(sorted(path.name for path in changed))
        if needs_restart(changed):
            print(f"build code changed ({names}): restarting", flush=True)
            server.server_close()
            os.execv(sys.executable, [sys.executable, "-m", "build.site", *restart_argv])
        start = time.perf_counter()
        if rebuild() is not None:
            print(f"rebuilt in {time.perf_counter() - start:.2f} s after a change to {names}", flush=True)
        return True

    try:
        watch_changes(watched_paths(config), SourceFilter(config.preprocess_spec), on_change, stop_event)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
