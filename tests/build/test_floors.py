"""build.floors and the build's refusal of a model below them (overridable, loudly)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from build import config as build_config
from build import floors, site
from build.errors import BuildError

FLOORS = {"test_accuracy": 0.99}


def test_shortfalls_name_each_missed_floor() -> None:
    assert floors.shortfalls({"test_accuracy": 0.995}, FLOORS) == []
    assert floors.shortfalls({"test_accuracy": 0.99}, FLOORS) == []
    assert floors.shortfalls({"test_accuracy": 0.9712}, FLOORS) == ["test_accuracy 0.9712 < floor 0.99"]
    assert floors.shortfalls({}, FLOORS) == ["test_accuracy not measured (floor 0.99)"]
    assert floors.shortfalls({"test_accuracy": True}, FLOORS) == ["test_accuracy not measured (floor 0.99)"]


def test_the_shipped_floor_is_below_what_a_good_model_reaches() -> None:
    assert 0.98 <= floors.METRIC_FLOORS["test_accuracy"] <= 0.995


@pytest.fixture
def weak_model(model_dir: Path, tmp_path: Path) -> Path:
    """The tiny fixture model with a metrics.json below the floor (97.12 %)."""
    weak = tmp_path / "1700000005"
    shutil.copytree(model_dir, weak)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    (weak / "metrics.json").write_text(json.dumps({**metrics, "test_accuracy": 0.9712}))
    return weak


def test_model_below_the_floor_is_refused_with_the_way_out(
    weak_model: Path, fixture_settings: dict, tmp_path: Path
) -> None:
    settings = {**fixture_settings, "metric_floors": FLOORS}
    with pytest.raises(BuildError) as raised:
        build_config.load_config(model=weak_model, out=tmp_path / "dist", **settings)
    assert str(raised.value) == (
        "model 1700000005 is below the build's floors (test_accuracy 0.9712 < floor 0.99); "
        "ship a better model, or pass --allow-below-floors to build it anyway"
    )


def test_model_without_metrics_is_refused(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    unmeasured = tmp_path / "1700000006"
    shutil.copytree(model_dir, unmeasured)
    (unmeasured / "metrics.json").unlink()
    with pytest.raises(BuildError) as raised:
        build_config.load_config(
            model=unmeasured, out=tmp_path / "dist", **{**fixture_settings, "metric_floors": FLOORS}
        )
    assert str(raised.value) == (
        f"no model metrics {unmeasured / 'metrics.json'}: "
        "`python -m training.train` writes it beside the SavedModel it exports"
    )


def test_default_floors_accept_a_model_above_them(model_dir: Path, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist")
    assert settings.metric_floors == dict(floors.METRIC_FLOORS)
    assert settings.below_floors == ()


def test_override_records_the_shortfall_for_the_model_card(
    weak_model: Path, fixture_settings: dict, tmp_path: Path
) -> None:
    settings = build_config.load_config(
        model=weak_model,
        out=tmp_path / "dist",
        allow_below_floors=True,
        **{**fixture_settings, "metric_floors": FLOORS},
    )
    assert settings.below_floors == ("test_accuracy 0.9712 < floor 0.99",)


def test_cli_refuses_then_builds_with_the_flag_and_says_so(
    weak_model: Path, fixture_settings: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import functools

    settings = {**fixture_settings, "metric_floors": FLOORS}
    monkeypatch.setattr(site, "load_config", functools.partial(build_config.load_config, **settings))
    out = tmp_path / "dist"
    assert site.main(["--model", str(weak_model), "--out", str(out)]) == 1
    assert "--allow-below-floors" in capsys.readouterr().err
    assert not out.exists()

    assert site.main(["--model", str(weak_model), "--out", str(out), "--allow-below-floors"]) == 0
    printed = capsys.readouterr().out
    warning = (
        "WARNING: model 1700000005 is BELOW THE BUILD'S FLOORS and was built only because of "
        "--allow-below-floors: test_accuracy 0.9712 < floor 0.99"
    )
    assert (
        printed.splitlines()[0]
        == "warning: BELOW THE FLOOR, built anyway (--allow-below-floors): test_accuracy 0.9712 < floor 0.99"
    )
    assert printed.count(warning) == 2  # above and below the summary
    assert (out / "index.html").is_file()
    card = (out / "model-card.html").read_text()
    assert "below the build&#39;s quality floors" in card or "below the build's quality floors" in card
    assert "test_accuracy 0.9712 &lt; floor 0.99" in card
