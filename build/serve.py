"""Preview a built site on 127.0.0.1 with the standard library's HTTP server."""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

HOST = "127.0.0.1"  # a preview: never reachable from other machines


def make_server(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Return a server for the files in `directory` on 127.0.0.1:`port` (0 picks a free port)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((HOST, port), handler)


def serve(directory: Path, port: int) -> int:
    """Serve `directory` until Ctrl+C; return the exit status (1 if the port cannot be used)."""
    try:
        server = make_server(directory, port)
    except OSError as error:
        print(f"error: cannot serve on {HOST}:{port}: {error.strerror}; pick another --port", file=sys.stderr)
        return 1
    with server:
        print(f"serving {directory} at http://{HOST}:{server.server_port}/ (Ctrl+C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
