"""build.serve: the one static server, in the background for the benchmark and tests, quiet when asked."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from build import serve


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a folder with one file in a sub-folder, as a site under a sub-path."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_bytes(b"<p>hello</p>\n")
    return tmp_path


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_serving_gives_a_local_url_of_the_folder_and_stops_on_exit(folder: Path) -> None:
    with serve.serving(folder) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/")
        assert fetch(f"{base_url}site/index.html") == b"<p>hello</p>\n"
    with pytest.raises(urllib.error.URLError):
        fetch(f"{base_url}site/index.html")


def test_serving_reports_a_missing_file_as_404(folder: Path) -> None:
    with serve.serving(folder, quiet=True) as base_url, pytest.raises(urllib.error.HTTPError) as raised:
        fetch(f"{base_url}site/missing.html")
    assert raised.value.code == 404


def test_a_server_logs_each_request_unless_quiet(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve.serving(folder) as base_url:
        fetch(f"{base_url}site/index.html")
    assert '"GET /site/index.html HTTP/1.1" 200' in capsys.readouterr().err
    with serve.serving(folder, quiet=True) as base_url:
        fetch(f"{base_url}site/index.html")
    assert capsys.readouterr().err == ""
