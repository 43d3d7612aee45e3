"""Fixtures for the build tests: a tiny exported model, tiny templates, and one shared build."""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from build import config as build_config
from build import context, site
from tests import example_metrics, slow
from tests.paths import NODE_MODULES, REPO_ROOT, TEMPLATES_DIR

VERSION = "1700000000"  # 2023-11-14 22:13 UTC

BASE_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{{ csp }}">
  <title>{% block title %}{{ site.title }}{% endblock %}</title>
  {%- for stylesheet in stylesheets %}
  <link rel="stylesheet" href="{{ stylesheet.url }}">
  {%- endfor %}
</head>
<body>
  <nav><a href="{{ pages.index }}">Calculator</a>
    <a href="{{ pages.model_card }}#confusion-heading">Model card</a></nav>
  <main>{% block content %}{% endblock %}</main>
  {%- block scripts %}{% endblock %}
</body>
</html>
"""
INDEX_HTML = """{% extends "base.html" %}
{% block content %}<h1>{{ site.title }}</h1><img src="static/logo.svg" alt="">{% endblock %}
{% block scripts %}
  <script type="application/json" id="snapmath-config">{{ config|tojson }}</script>
  {%- for script in runtime_scripts + app_scripts %}
  <script src="{{ script.url }}"></script>
  {%- endfor %}
{% endblock %}
"""


def export_tiny_model(directory: Path, seed: int = 0) -> Path:
    """Export a tiny untrained CNN with MNIST's input and output shapes as a SavedModel in `directory`."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    # Spread the last layer's weights so the probabilities vary between inputs.
    kernel = model.layers[-1].get_weights()[0]
    model.layers[-1].set_weights([kernel * 20, np.linspace(-1, 1, 10).astype(np.float32)])
    model.export(str(directory), verbose=False)
    return directory


@slow.fixture
def unsupported_op_model(tmp_path: Path) -> Path:
    """A SavedModel with MNIST's signature that uses an op TF.js lacks (BesselI0e)."""
    import tensorflow as tf

    class Unsupported(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
        def serve(self, images: tf.Tensor) -> dict:
            first_ten = tf.reshape(images, [-1, 784])[:, :10]
            return {"output_0": tf.nn.softmax(tf.math.special.bessel_i0e(first_ten))}

    module = Unsupported()
    directory = tmp_path / "1700000002"
    tf.saved_model.save(module, str(directory), signatures={"serving_default": module.serve})
    return example_metrics.write(directory)


@slow.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory holding one tiny exported model and its metrics.json."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    models = tmp_path_factory.mktemp("models")
    example_metrics.write(export_tiny_model(models / VERSION))
    return models


@pytest.fixture(scope="session")
def model_dir(models_dir: Path) -> Path:
    return models_dir / VERSION


@pytest.fixture(scope="session")
def templates_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny site templates with the real model card and every static file the page loads."""
    templates = tmp_path_factory.mktemp("site_templates")
    (templates / "base.html").write_text(BASE_HTML)
    (templates / "index.html").write_text(INDEX_HTML)
    shutil.copy(TEMPLATES_DIR / "model-card.html", templates / "model-card.html")
    static = templates / "static"
    (static / "js").mkdir(parents=True)
    (static / "app.css").write_text("body { margin: 0; }\n")
    (static / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    (static / ".DS_Store").write_text("not shipped\n")
    for url in context.APP_SCRIPTS:
        name = url.rsplit("/", 1)[1]
        (static / "js" / name).write_text(f'"use strict"; // {name}\n')
    return templates


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "preprocess_spec.json"
    # The repository's spec (every field must pass training.spec_check) with small input limits of its own.
    spec = json.loads((REPO_ROOT / "training" / "preprocess_spec.json").read_text())
    spec["decode"] = {"max_file_bytes": 1000, "max_pixels": 2000, "max_decoded_side": 64}
    path.write_text(json.dumps(spec))
    return path


@pytest.fixture(scope="session")
def fixture_settings(templates_dir: Path, spec_path: Path) -> dict:
    """`load_config` overrides that point a build at the fixtures (and the repo's node_modules)."""
    # No quality floors: tests/build/test_floors.py covers them.
    return {
        "templates_dir": templates_dir,
        "preprocess_spec": spec_path,
        "node_modules": NODE_MODULES,
        "metric_floors": {},
    }


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, model_dir: Path, fixture_settings: dict) -> site.BuildReport:
    """One build of the tiny model into a temporary dist/, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("built") / "dist"
    return site.build(build_config.load_config(model=model_dir, out=out, **fixture_settings))


@slow.fixture
def fixture_main(monkeypatch: pytest.MonkeyPatch, fixture_settings: dict):
    """`site.main` whose defaults point at the fixtures instead of the repository's templates (the whole build
    command: a test of it may reach TensorFlow, so it is slow)."""
    monkeypatch.setattr(site, "load_config", functools.partial(build_config.load_config, **fixture_settings))
    return site.main
