"""MNIST from a local directory (IDX .gz files or Keras' mnist.npz), validated, or the Keras download."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import cli

DATA_DIR_ENV = "SNAPMATH_MNIST_DIR"
IMAGES_MAGIC = 2051  # IDX: unsigned bytes, 3 dimensions (count, rows, cols)
LABELS_MAGIC = 2049  # IDX: unsigned bytes, 1 dimension (count)
# Defined here once, at the data step (as keras-io's mnist_convnet does), and imported everywhere else:
IMAGE_SIDE = 28  # MNIST's images are 28x28, and so is every model input the page's preprocessing makes
NUM_CLASSES = 10  # the digits 0..9
MODEL_INPUT_SHAPE = (IMAGE_SIDE, IMAGE_SIDE, 1)  # one model input: float32, white ink on black, 0..1
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
NPZ_FILE = "mnist.npz"
SUMS_FILE = "SHA256SUMS"  # `sha256sum` output beside the files: checked whenever it is there
MAX_COUNT = 1_000_000  # far above MNIST's 60,000: a header claiming more is not MNIST (and would not fit in memory)


class MnistError(ValueError):
    """MNIST is missing, truncated or corrupt; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays: images uint8 [N,28,28] white ink on black, labels uint8 [N] in 0..9."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    checksums: dict[str, str]


def as_model_input(images: np.ndarray) -> np.ndarray:
    """Return uint8 images [N,28,28] as the model reads them: float32 [N,28,28,1] in 0..1.

    The one place the scaling happens, so training, evaluation and the gate feed the model alike."""
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]  # [N,28,28] uint8 -> [N,28,28,1] float32


def _read_capped(path: Path, magic: int) -> bytes:
    """Return an IDX file's bytes (gunzipped), reading no more than its header announces plus one byte.

    A gzip bomb (a small file inflating to gigabytes) is thus stopped at the announced size, as trailing bytes."""
    dims = 3 if magic == IMAGES_MAGIC else 1
    header_size = 4 + 4 * dims
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            header = stream.read(header_size)
            if len(header) < header_size or struct.unpack(">I", header[:4])[0] != magic:
                return header  # read_idx names what is wrong with this header
            count = struct.unpack(">I", header[4:8])[0]
            if count > MAX_COUNT:
                raise MnistError(f"{path}: the header announces {count} items, more than MNIST's {MAX_COUNT} at most")
            announced = count * (IMAGE_SIDE * IMAGE_SIDE if magic == IMAGES_MAGIC else 1)
            return header + stream.read(announced + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise MnistError(f"{path}: cannot read ({error}); the file is truncated or not gzip") from None


def read_idx(path: Path, magic: int) -> np.ndarray:
    """Return the uint8 array stored in one IDX file (gzipped or not), after checking its header."""
    raw = _read_capped(path, magic)
    if len(raw) < 8:
        raise MnistError(f"{path}: only {len(raw)} bytes, too short for an IDX header")
    found_magic, count = struct.unpack(">II", raw[:8])
    if found_magic != magic:
        raise MnistError(f"{path}: magic number {found_magic}, expected {magic}; not an MNIST IDX file of this kind")
    dims = (count, IMAGE_SIDE, IMAGE_SIDE) if magic == IMAGES_MAGIC else (count,)
    header_size = 4 + 4 * len(dims)
    if len(raw) < header_size:
        raise MnistError(f"{path}: header truncated ({len(raw)} bytes)")
    stored_dims = struct.unpack(f">{len(dims)}I", raw[4:header_size])
    if stored_dims != dims:
        raise MnistError(f"{path}: dimensions {stored_dims}, expected {dims}")
    expected_size = header_size + int(np.prod(dims))
    if len(raw) != expected_size:
        raise MnistError(
            f"{path}: {len(raw) - header_size} data bytes for {count} items, expected {expected_size - header_size}"
            + (" (truncated)" if len(raw) < expected_size else " (trailing bytes)")
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)


def check_pair(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    """Raise MnistError unless images and labels match in count, shape, type and label range, and are not empty."""
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE) or images.dtype != np.uint8:
        raise MnistError(f"{where}: images have shape {images.shape} {images.dtype}, expected [N,28,28] uint8")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise MnistError(f"{where}: labels have shape {labels.shape} {labels.dtype}, expected [N] whole numbers")
    if len(images) != len(labels):
        raise MnistError(f"{where}: {len(images)} images but {len(labels)} labels")
    if len(labels) == 0:
        raise MnistError(f"{where}: no images; an empty set can neither train nor measure a model")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        bad = int(labels.min()) if labels.min() < 0 else int(labels.max())
        raise MnistError(f"{where}: label {bad} out of range 0..9")


def check_split(train_count: int, test_count: int, where: str) -> None:
    """Raise MnistError when the training set is not the larger one: MNIST's files swapped (10,000 vs 60,000)."""
    if train_count <= test_count:
        raise MnistError(
            f"{where}: {train_count} training images but {test_count} test images; MNIST trains on 60,000 and "
            "tests on 10,000: are the train and test files swapped?"
        )


def check_sums(directory: Path, paths: list[Path]) -> None:
    """Raise MnistError naming the first file whose sha256 differs from the directory's SHA256SUMS (if it has one)."""
    sums_path = directory / SUMS_FILE
    if not sums_path.is_file():
        return
    expected = {}
    for line in sums_path.read_text(encoding="utf-8", errors="replace").splitlines():
        digest, _, name = line.strip().partition(" ")
        if digest and name:
            expected[name.strip().lstrip("*")] = digest.lower()
    for path in paths:
        if path.name in expected and sha256(path) != expected[path.name]:
            raise MnistError(
                f"{path}: its sha256 does not match {sums_path} (the file is corrupt or not the original); "
                "download it again"
            )


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def idx_path(data_dir: Path, stem: str) -> Path:
    """Return the IDX file for `stem` in data_dir, gzipped or not."""
    for candidate in (data_dir / f"{stem}.gz", data_dir / stem):
        if candidate.is_file():
            return candidate
    raise MnistError(f"{data_dir}: missing {stem}.gz (MNIST IDX file)")


def load_idx_dir(data_dir: Path) -> Mnist:
    """Return MNIST read from the four original IDX files in data_dir."""
    paths = {key: idx_path(data_dir, stem) for key, stem in IDX_FILES.items()}
    check_sums(data_dir, list(paths.values()))
    arrays = {
        key: read_idx(path, IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC) for key, path in paths.items()
    }
    check_pair(arrays["train_images"], arrays["train_labels"], f"{data_dir} (train)")
    check_pair(arrays["test_images"], arrays["test_labels"], f"{data_dir} (test)")
    check_split(len(arrays["train_images"]), len(arrays["test_images"]), str(data_dir))
    checksums = {path.name: sha256(path) for path in paths.values()}
    return Mnist(**arrays, source=str(data_dir), checksums=checksums)


def load_npz(path: Path) -> Mnist:
    """Return MNIST read from a Keras-style mnist.npz (x_train, y_train, x_test, y_test)."""
    check_sums(path.parent, [path])
    try:
        with np.load(path) as npz:
            arrays = {key: npz[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except (OSError, ValueError, KeyError, EOFError, zlib.error) as error:
        raise MnistError(f"{path}: not a readable mnist.npz ({error})") from None
    check_pair(arrays["x_train"], arrays["y_train"], f"{path} (train)")
    check_pair(arrays["x_test"], arrays["y_test"], f"{path} (test)")
    check_split(len(arrays["x_train"]), len(arrays["x_test"]), str(path))
    return Mnist(
        train_images=arrays["x_train"],
        train_labels=arrays["y_train"].astype(np.uint8),
        test_images=arrays["x_test"],
        test_labels=arrays["y_test"].astype(np.uint8),
        source=str(path),
        checksums={path.name: sha256(path)},
    )


def load_downloaded() -> Mnist:
    """Return MNIST from Keras' ordinary download (needs internet the first time)."""
    from keras.datasets import mnist

    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except Exception as error:  # Keras raises plain Exceptions for network failures.
        raise MnistError(
            f"no MNIST directory given and the download failed ({error}); "
            f"pass --data-dir or set {DATA_DIR_ENV} to a directory with the IDX .gz files"
        ) from None
    return Mnist(x_train, y_train.astype(np.uint8), x_test, y_test.astype(np.uint8), "keras download", {})


def resolve_data_dir(data_dir: Path | str | None) -> Path | None:
    """Return the directory to read: the argument, else $SNAPMATH_MNIST_DIR, else None (download)."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else None


def load_mnist(data_dir: Path | str | None = None) -> Mnist:
    """Return validated MNIST from data_dir (IDX files or mnist.npz), $SNAPMATH_MNIST_DIR, or the download."""
    directory = resolve_data_dir(data_dir)
    if directory is None:
        return load_downloaded()
    if directory.is_file() and directory.suffix == ".npz":
        return load_npz(directory)
    if not directory.is_dir():
        raise MnistError(f"{directory}: no such MNIST directory")
    if (directory / NPZ_FILE).is_file() and not any((directory / f"{stem}.gz").exists() for stem in IDX_FILES.values()):
        return load_npz(directory / NPZ_FILE)
    return load_idx_dir(directory)


def main(argv: list[str] | None = None) -> int:
    """Check a MNIST directory and print its shapes and checksums."""
    parser = argparse.ArgumentParser(prog="python -m training.data", description=main.__doc__)
    parser.add_argument("--data-dir", help=f"IDX .gz directory or mnist.npz (default: ${DATA_DIR_ENV}, else download)")
    args = parser.parse_args(argv)
    try:
        mnist = load_mnist(args.data_dir)
    except MnistError as error:
        return cli.fail(error)
    print(f"MNIST from {mnist.source}: train {mnist.train_images.shape}, test {mnist.test_images.shape}")
    for name, digest in sorted(mnist.checksums.items()):
        print(f"  {digest}  {name}")
    return cli.EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
