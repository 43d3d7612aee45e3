"""training.data: arrays from tiny IDX files the tests write, and one clear error per broken file."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from training import cli, data


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
    np.savez(
        npz,
        x_train=written["train_images"],
        y_train=written["train_labels"],
        x_test=written["test_images"],
        y_test=written["test_labels"],
    )
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


def write_labels(directory: Path, split: str, labels: np.ndarray, magic: int = data.LABELS_MAGIC) -> None:
    """Replace the split's labels file in a tiny MNIST with `labels`: each broken case states only what it breaks."""
    path = directory / f"{data.IDX_FILES[f'{split}_labels']}.gz"
    path.write_bytes(gzip.compress(idx_bytes(magic, labels)))


def test_labels_file_with_the_images_magic_names_the_file(tmp_path):
    write_mnist_dir(tmp_path)
    write_labels(tmp_path, "train", np.zeros(6, np.uint8), magic=data.IMAGES_MAGIC)
    with pytest.raises(data.MnistError, match=r"train-labels-idx1-ubyte\.gz: magic number 2051, expected 2049"):
        data.load_mnist(tmp_path)


@pytest.mark.parametrize(
    ("split", "labels", "error"),
    [
        pytest.param("train", np.zeros(5, np.uint8), r"\(train\): 6 images but 5 labels", id="count mismatch"),
        pytest.param("test", np.full(4, 12, np.uint8), r"\(test\): label 12 out of range 0\.\.9", id="label above 9"),
    ],
)
def test_wrong_labels_in_a_readable_file_name_the_split(tmp_path, split: str, labels: np.ndarray, error: str):
    write_mnist_dir(tmp_path)
    write_labels(tmp_path, split, labels)
    with pytest.raises(data.MnistError, match=error):
        data.load_mnist(tmp_path)


def test_model_input_is_float32_with_a_channel_and_scaled_to_0_1():
    images = np.array([[[0, 255], [51, 102]]], np.uint8)
    model_input = data.as_model_input(images)
    assert model_input.dtype == np.float32
    assert model_input.shape == (1, 2, 2, 1)
    np.testing.assert_array_equal(model_input[0, :, :, 0], np.array([[0.0, 1.0], [0.2, 0.4]], np.float32))


def test_missing_file_and_missing_directory(tmp_path):
    write_mnist_dir(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(data.MnistError, match=r"missing t10k-images-idx3-ubyte\.gz"):
        data.load_mnist(tmp_path)
    with pytest.raises(data.MnistError, match=r"nowhere: no such MNIST directory"):
        data.load_mnist(tmp_path / "nowhere")


def test_cli_prints_one_error_line(tmp_path, capsys):
    assert data.main(["--data-dir", str(tmp_path / "nowhere")]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err == f"error: {tmp_path / 'nowhere'}: no such MNIST directory\n"
    assert captured.out == ""


# ---- data that is trusted too easily (issue 15 item 5) ---------------------------------------------


def write_sums(directory: Path) -> None:
    """Write a SHA256SUMS file for the IDX files in directory, as `sha256sum` prints it."""
    lines = [f"{data.sha256(path)}  {path.name}" for path in sorted(directory.glob("*.gz"))]
    (directory / data.SUMS_FILE).write_text("\n".join(lines) + "\n")


def test_a_matching_sha256sums_file_is_accepted(tmp_path):
    write_mnist_dir(tmp_path)
    write_sums(tmp_path)
    assert len(data.load_mnist(tmp_path).train_images) == 6


def test_a_file_that_differs_from_sha256sums_is_named(tmp_path):
    written = write_mnist_dir(tmp_path)
    write_sums(tmp_path)
    labels = (written["test_labels"] + 1) % 10  # still a valid IDX file: only the checksum can tell
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(data.LABELS_MAGIC, labels)))
    with pytest.raises(data.MnistError) as error:
        data.load_mnist(tmp_path)
    assert str(error.value) == (
        f"{path}: its sha256 does not match {tmp_path / 'SHA256SUMS'} (the file is corrupt or not the original); "
        "download it again"
    )


def write_npz(path: Path, written: dict, **replace: np.ndarray) -> Path:
    arrays = {
        "x_train": written["train_images"],
        "y_train": written["train_labels"],
        "x_test": written["test_images"],
        "y_test": written["test_labels"],
        **replace,
    }
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([3, -1, 2, 5], np.int64), r"\(test\): label -1 out of range 0\.\.9"),
        (np.array([[3], [1], [2], [5]], np.uint8), r"\(test\): labels have shape \(4, 1\) uint8, expected \[N\] whole"),
        (np.array([3.0, 1.0, 2.0, 5.0]), r"\(test\): labels have shape \(4,\) float64, expected \[N\] whole numbers"),
    ],
)
def test_npz_labels_are_checked_for_shape_type_and_range(tmp_path, labels, message):
    written = write_mnist_dir(tmp_path / "idx")
    npz = write_npz(tmp_path / "mnist.npz", written, y_test=labels)
    with pytest.raises(data.MnistError, match=message):
        data.load_mnist(npz)


def test_train_and_test_swapped_are_refused(tmp_path):
    write_mnist_dir(tmp_path, train_count=4, test_count=6)
    swapped = r"4 training images but 6 test images; .*are the train and test files swapped\?"
    with pytest.raises(data.MnistError, match=swapped):
        data.load_mnist(tmp_path)


def test_an_empty_test_set_is_refused(tmp_path):
    write_mnist_dir(tmp_path, test_count=0)
    empty = r"\(test\): no images; an empty set can neither train nor measure a model"
    with pytest.raises(data.MnistError, match=empty):
        data.load_mnist(tmp_path)


def test_a_gzip_bomb_stops_at_the_announced_size(tmp_path):
    import tracemalloc

    write_mnist_dir(tmp_path)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    header = struct.pack(">II", data.LABELS_MAGIC, 6)
    path.write_bytes(gzip.compress(header + bytes(200 * 2**20), compresslevel=1))  # 6 labels announced, 200 MB inside
    tracemalloc.start()
    try:
        with pytest.raises(data.MnistError, match=r"train-labels-idx1-ubyte\.gz: .*\(trailing bytes\)"):
            data.load_mnist(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB held while reading a file that announces 6 bytes of labels"


def test_a_header_announcing_billions_of_items_is_refused_before_reading(tmp_path):
    write_mnist_dir(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(struct.pack(">IIII", data.IMAGES_MAGIC, 4_000_000_000, 28, 28)))
    with pytest.raises(data.MnistError, match=r"announces 4000000000 items, more than MNIST's 1000000 at most"):
        data.load_mnist(tmp_path)
