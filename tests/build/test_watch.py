"""build.watch: --serve watches the sources and rebuilds (or restarts for new build code) on a change."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

from build import config as build_config
from build import watch

CHANGE_TIMEOUT_SECONDS = 20  # generous for a loaded machine; a passing run takes well under a second


def keep_touching(path: Path, done: Callable[[], bool]) -> bool:
    """Rewrite `path` every 0.1 s until `done()` (the watcher may start after the first write); return done()."""
    deadline = time.monotonic() + CHANGE_TIMEOUT_SECONDS
    count = 0
    while not done() and time.monotonic() < deadline:
        count += 1
        path.write_text(f"edit {count}\n")
        time.sleep(0.1)
    return done()


def test_a_change_under_build_restarts_and_a_template_change_rebuilds() -> None:
    assert watch.needs_restart({watch.BUILD_DIR / "context.py"})
    assert watch.needs_restart({watch.BUILD_DIR / "bundle.js"})  # read by the cached runtime step
    assert not watch.needs_restart({build_config.REPO_ROOT / "site_templates" / "index.html"})
    assert not watch.needs_restart(set())


def test_the_filter_takes_the_spec_but_not_its_neighbours_or_editor_files(tmp_path: Path) -> None:
    spec = tmp_path / "training" / "preprocess_spec.json"
    accepts = watch.SourceFilter(spec)
    assert accepts(watchfiles.Change.modified, str(spec))
    assert not accepts(watchfiles.Change.modified, str(spec.parent / "train.py"))
    assert accepts(watchfiles.Change.modified, str(tmp_path / "site_templates" / "index.html"))
    assert not accepts(watchfiles.Change.added, str(tmp_path / "build" / "__pycache__" / "site.cpython-311.pyc"))
    assert not accepts(watchfiles.Change.modified, str(tmp_path / "site_templates" / ".index.html.swp"))


def test_the_watch_loop_reports_a_changed_file(tmp_path: Path) -> None:
    seen: list[set[Path]] = []
    watched = tmp_path / "site_templates"
    watched.mkdir()
    template = watched / "index.html"

    def on_change(changed: set[Path]) -> bool:
        seen.append(changed)
        return False  # one burst is enough: ends the loop

    thread = threading.Thread(
        target=watch.watch_changes, args=([watched], watchfiles.DefaultFilter(), on_change), daemon=True
    )
    thread.start()
    assert keep_touching(template, lambda: not thread.is_alive()), "no change reported"
    assert template in seen[0]


def test_serve_rebuilds_on_a_template_change(
    model_dir: Path, fixture_settings: dict, templates_dir: Path, tmp_path: Path, capsys
) -> None:
    templates = tmp_path / "site_templates"
    shutil.copytree(templates_dir, templates)
    out = tmp_path / "dist"
    out.mkdir()
    config = build_config.load_config(model=model_dir, out=out, **{**fixture_settings, "templates_dir": templates})
    stop = threading.Event()
    rebuilds: list[float] = []

    def rebuild() -> object:
        rebuilds.append(time.monotonic())
        stop.set()
        return "built"

    status: list[int] = []
    thread = threading.Thread(
        target=lambda: status.append(watch.serve_and_rebuild(config, 0, rebuild, [], stop_event=stop)), daemon=True
    )
    thread.start()
    assert keep_touching(templates / "index.html", lambda: bool(rebuilds)), "no rebuild after the change"
    thread.join(CHANGE_TIMEOUT_SECONDS)
    assert status == [0]
    printed = capsys.readouterr().out
    assert f"serving {out} at http://127.0.0.1:" in printed
    assert "rebuilt in " in printed
    assert "after a change to index.html" in printed
