"""training.data: arrays from tiny IDX files the tests write, and one clear error per broken file."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from training import data


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    """Return an IDX file's bytes: big-endian magic, dimensions, then the uint8 payload."""
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


def write_mnist_dir(directory: Path, train_count: int = 6, test_count: int = 4) -> dict[str, np.ndarray]:
    """Write the four gzipped IDX files of a tiny MNIST into directory; return the arrays written."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (train_count, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, train_count, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (test_count, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, test_count, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for key, stem in data.IDX_FILES.items():
        magic = data.IMAGES_MAGIC if key.endswith("images") else data.LABELS_MAGIC
        (directory / f"{stem}.gz").write_bytes(gzip.compress(idx_bytes(magic, arrays[key])))
    return arrays


def test_reads_the_arrays_written(tmp_path):
    written = write_mnist_dir(tmp_path)
    mnist = data.load_mnist(tmp_path)
    for key, array in written.items():
        np.testing.assert_array_equal(getattr(mnist, key), array)
    assert set(mnist.checksums) == {f"{stem}.gz" for stem in data.IDX_FILES.values()}


def test_reads_uncompressed_idx_and_npz(tmp_path):
    written = write_mnist_dir(tmp_path / "gz")
    raw = tmp_path / "raw"
    raw.mkdir()
    for stem in data.IDX_FILES.values():
        (raw / stem).write_bytes(gzip.decompress((tmp_path / "gz" / f"{stem}.gz").read_bytes()))
    np.testing.assert_array_equal(data.load_mnist(raw).test_images, written["test_images"])

    npz = tmp_path / "mnist.npz"
    np.savez(npz, x_train=written["train_images"], y_train=written["train_labels"],
             x_test=written["test_images"], y_test=written["test_labels"])
    np.testing.assert_array_equal(data.load_mnist(npz).train_labels, written["train_labels"])


def test_environment_variable_names_the_directory(tmp_path, monkeypatch):
    write_mnist_dir(tmp_path)
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    assert data.load_mnist().source == str(tmp_path)


def test_truncated_file_names_the_file(tmp_path):
    write_mnist_dir(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(data.MnistError, match=r"train-images-idx3-ubyte\.gz: .*expected 4704 \(truncated\)"):
        data.load_mnist(tmp_path)


def test_truncated_gzip_stream_names_the_file(tmp_path):
    write_mnist_dir(tmp_path)
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(data.MnistError, match=r"t10k-labels-idx1-ubyte\.gz: cannot read .*truncated or not gzip"):
        data.load_mnist(tmp_path)


def test_wrong_magic_says_so(tmp_path):
    write_mnist_dir(tmp_path)
    labels = np.zeros(6, np.uint8)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(data.IMAGES_MAGIC, labels)))
    with pytest.raises(data.MnistError, match=r"train-labels-idx1-ubyte\.gz: magic number 2051, expected 2049"):
        data.load_mnist(tmp_path)


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_mnist_dir(tmp_path)
    labels = np.zeros(5, np.uint8)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(data.LABELS_MAGIC, labels)))
    with pytest.raises(data.MnistError, match=r"\(train\): 6 images but 5 labels"):
        data.load_mnist(tmp_path)


def test_label_out_of_range(tmp_path):
    write_mnist_dir(tmp_path)
    labels = np.full(4, 12, np.uint8)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(data.LABELS_MAGIC, labels)))
    with pytest.raises(data.MnistError, match=r"\(test\): label 12 out of range 0\.\.9"):
        data.load_mnist(tmp_path)


def test_missing_file_and_missing_directory(tmp_path):
    write_mnist_dir(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(data.MnistError, match=r"missing t10k-images-idx3-ubyte\.gz"):
        data.load_mnist(tmp_path)
    with pytest.raises(data.MnistError, match=r"nowhere: no such MNIST directory"):
        data.load_mnist(tmp_path / "nowhere")


def test_cli_prints_one_error_line(tmp_path, capsys):
    assert data.main(["--data-dir", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().out.strip().startswith("error: ")
