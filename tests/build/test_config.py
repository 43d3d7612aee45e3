"""build.config: defaults and validation that lists every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from build import config as build_config
from build.errors import BuildError


def test_defaults_point_into_the_repository(model_dir: Path) -> None:
    settings = build_config.load_config(model=model_dir)
    root = build_config.REPO_ROOT
    assert settings.out_dir == root / "dist"
    assert settings.quantize == build_config.DEFAULT_QUANTIZE == "float16"
    assert settings.templates_dir == root / "site_templates"
    assert settings.node_modules == root / "node_modules"
    assert settings.preprocess_spec == root / "training" / "preprocess_spec.json"


def test_a_model_trained_onto_the_uint8_grid_ships_uint8(
    model_dir: Path, fixture_settings: dict, tmp_path: Path
) -> None:
    import json
    import shutil

    snapped = shutil.copytree(model_dir, tmp_path / "1700000001")
    metrics = json.loads((snapped / "metrics.json").read_text())
    (snapped / "metrics.json").write_text(json.dumps({**metrics, "weight_grid": "uint8"}))
    out = tmp_path / "dist"
    assert build_config.load_config(model=snapped, out=out, **fixture_settings).quantize == "uint8"
    assert build_config.load_config(model=snapped, out=out, quantize="none", **fixture_settings).quantize == "none"
    assert build_config.load_config(model=model_dir, out=out, **fixture_settings).quantize == "float16"
    (snapped / "metrics.json").write_text(json.dumps({**metrics, "weight_grid": "int4"}))
    with pytest.raises(BuildError, match='weight_grid must be "uint8"'):
        build_config.load_config(model=snapped, out=out, **fixture_settings)


def test_newest_model_is_the_default(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch, fixture_settings: dict, tmp_path: Path
) -> None:
    from training import exports

    older = models_dir.parent / "older-models"
    monkeypatch.setattr(exports, "MODELS_DIR", models_dir)
    settings = build_config.load_config(out=tmp_path / "dist", **fixture_settings)
    assert settings.model_dir == models_dir / "1700000000"
    assert not older.exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as raised:
        build_config.load_config(
            model=tmp_path / "nope", out=tmp_path / "dist", quantize="int4", templates_dir=tmp_path / "templates"
        )
    assert str(raised.value) == "; ".join(
        [
            f"model directory {tmp_path / 'nope'} does not exist",
            "unknown quantization 'int4'; choose one of none, float16, uint8",
            f"templates directory {tmp_path / 'templates'} does not exist",
        ]
    )


def test_directory_without_saved_model_is_refused(tmp_path: Path, fixture_settings: dict) -> None:
    (tmp_path / "model").mkdir()
    with pytest.raises(
        BuildError, match=rf"^{tmp_path / 'model'} is not a SavedModel directory \(no saved_model\.pb\)$"
    ):
        build_config.load_config(model=tmp_path / "model", out=tmp_path / "dist", **fixture_settings)


@pytest.mark.parametrize("out", [".", "..", "site_templates", "training/models", "site_templates/static/out", "build"])
def test_output_holding_sources_is_refused(model_dir: Path, fixture_settings: dict, out: str) -> None:
    target = (build_config.REPO_ROOT / out).resolve()
    with pytest.raises(
        BuildError, match=r"refusing to write the build to .*: it holds source files; pick another --out"
    ):
        build_config.load_config(
            model=model_dir,
            out=target,
            templates_dir=build_config.REPO_ROOT / "site_templates",
            preprocess_spec=fixture_settings["preprocess_spec"],
        )


def test_output_that_is_a_file_is_refused(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    target = tmp_path / "dist"
    target.write_text("")
    with pytest.raises(BuildError, match=rf"^cannot write the build to {target}: it is a file$"):
        build_config.load_config(model=model_dir, out=target, **fixture_settings)


def test_empty_or_earlier_build_output_is_accepted(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / build_config.BUILD_MARKER).write_text("")
    for name in ("empty", "earlier", "new/nested"):
        assert (
            build_config.load_config(model=model_dir, out=tmp_path / name, **fixture_settings).out_dir
            == tmp_path / name
        )
