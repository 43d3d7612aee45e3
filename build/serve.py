"""Serve a folder on 127.0.0.1 with the standard library's HTTP server: the site preview, the benchmark, the tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # a preview: never reachable from other machines


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like its parent but logs no line per request (they would bury progress output)."""

    def log_message(self, format: str, *args: Any) -> None:
        """Drop the request line the parent would write to stderr."""


def make_server(directory: Path, port: int, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """Return a server for the files in `directory` on 127.0.0.1:`port` (0 picks a free port).

    `quiet` drops the line per request: a person previewing the site wants them, a program reading pages does not.
    """
    handler_class = QuietHandler if quiet else http.server.SimpleHTTPRequestHandler
    handler = functools.partial(handler_class, directory=str(directory))
    return http.server.ThreadingHTTPServer((HOST, port), handler)


def serve(directory: Path, port: int, quiet: bool = False) -> int:
    """Serve `directory` until Ctrl+C; return the exit status (1 if the port cannot be used)."""
    try:
        server = make_server(directory, port, quiet)
    except OSError as error:
        print(f"error: cannot serve on {HOST}:{port}: {error.strerror}; pick another --port", file=sys.stderr)
        return 1
    with server:
        print(f"serving {directory} at http://{HOST}:{server.server_port}/ (Ctrl+C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how a person stops the preview
            server.serve_forever()
    return 0


@contextlib.contextmanager
def serving(directory: Path, quiet: bool = False) -> Iterator[str]:
    """Yield the base URL (ending in /) of `directory` served on a free port from a background thread, stopped on exit.

    For programs that open pages of a folder over http while they run: the benchmark and the browser tests.
    """
    with make_server(directory, 0, quiet) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://{HOST}:{server.server_port}/"
        finally:
            server.shutdown()
            thread.join()
