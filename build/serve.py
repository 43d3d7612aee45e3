"""Preview a built site on 127.0.0.1 with the standard library's HTTP server."""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path


def serve(directory: Path, port: int) -> int:
    """Serve `directory` until Ctrl+C; return the exit status (1 if the port cannot be used)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        print(f"error: cannot serve on 127.0.0.1:{port}: {error.strerror}; pick another --port", file=sys.stderr)
        return 1
    with server:
        print(f"serving {directory} at http://127.0.0.1:{server.server_port}/ (Ctrl+C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
