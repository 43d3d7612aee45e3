"""build.parts: every dist/ file belongs to one part of the page, the same for the build summary and the benchmark."""

from __future__ import annotations

import pytest

from build import parts


@pytest.mark.parametrize(
    ("path", "part"),
    [
        ("static/vendor/tfjs/tf-snapmath.min.js", "runtime"),
        ("static/vendor/tfjs/tf.min.js", "runtime"),
        ("static/vendor/tfjs/LICENSE-tf-snapmath.txt", "licences"),
        ("model/model.json", "model"),
        ("model/group1-shard1of1.bin", "model"),
        ("model/embedded.js", "embedded"),
        ("model-card.html", "model_card"),
        ("index.html", "app"),
        ("static/js/main.js", "app"),
        ("static/app.css", "app"),
        ("static/vendor/other.js", "app"),  # only the TF.js folder is the runtime
        ("modelling.txt", "app"),  # a name that only starts like the model folder
    ],
)
def test_each_dist_file_is_in_its_part(path: str, part: str) -> None:
    assert parts.part_of(path) == part
    assert part in parts.PARTS
