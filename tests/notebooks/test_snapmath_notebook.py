"""notebooks/snapmath.ipynb: committed without outputs, and it runs from top to bottom on small data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "snapmath.ipynb"
CELL_TIMEOUT = 600  # seconds; the whole run takes about two minutes here
SMALL = {  # read by the notebook's first code cell
    "SNAPMATH_NOTEBOOK_LIMIT": "3000",
    "SNAPMATH_NOTEBOOK_EPOCHS": "2",
    "SNAPMATH_NOTEBOOK_EXTRAS": "150",
    "SNAPMATH_NOTEBOOK_UPLOADS": "12",
}


def test_notebook_is_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"outputs left in: {cell.source[:60]!r}"
        assert cell.execution_count is None, f"execution count left in: {cell.source[:60]!r}"
    assert notebook.metadata.kernelspec.name == "python3"


def test_notebook_imports_the_project_instead_of_copying_it() -> None:
    source = "\n".join(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells if cell.cell_type == "code")
    for call in ("from training import", "train.main(", "site.build(", "gate.compare("):
        assert call in source
    for definition in ("def preprocess", "def build_model", "def score", "keras.Sequential", "layers.Conv2D"):
        assert definition not in source


@pytest.mark.slow
def test_notebook_runs_on_small_data(mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    for name, value in SMALL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SNAPMATH_MNIST_DIR", str(mnist_dir))
    monkeypatch.setenv("SNAPMATH_NOTEBOOK_WORK", str(tmp_path))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Raises CellExecutionError, naming the cell, if any cell fails.
    NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()

    (model_dir,) = (tmp_path / "models").iterdir()
    assert (model_dir / "saved_model.pb").is_file()
    assert model_dir.name.isdigit()
    assert any((tmp_path / "logs").rglob("events.out.tfevents.*"))
    assert (tmp_path / "dist" / "index.html").is_file()
    text = "\n".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert "test accuracy:" in text
    assert "confusion" in text
    assert "BELOW THE BUILD'S FLOORS" in text or "this model meets the floors" in text
    assert "NEW " + model_dir.name in text
    assert "PASS" in text or "FAIL" in text
    images = sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    )
    assert images >= 5  # digits, curves, confusion matrix, worst mistakes, preprocessing
