"""Everyday variations of pictures other people made, and how the reading holds up under each.

The real pictures and samples in ../shared are for finding failures, and the product is judged on other
pictures of the same kinds. So each one is varied the ways a person's own picture of the same digit varies
(light from one side, a colour cast, defocus, sensor noise, heavy JPEG, a tiny or a big file, the picture small
inside a larger one, a slight turn, a tight crop, stored turned with an EXIF orientation, light on dark) and read
with the Python twin (the page reads alike: tests/browser/test_preprocess_twins.py). A variation that costs many
pictures is a family of failures no single picture shows.

    python -m build.variations                       # per variation: read right / pictures
    python -m build.variations --misses              # and the files read wrong
    python -m build.variations --out DIR             # write the varied pictures to look at
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from build import scenes
from training import decode, preprocess

SHARED_DATA_ENV = "SNAPMATH_SHARED_DATA"
DEFAULT_SHARED_DATA = scenes.REPO_ROOT.parent / "shared" / "data"
FOLDERS = ("real", "samples")  # under the shared data; label = the file name's first character
PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
EXIF_ORIENTATION = 0x0112
SEED = 7

# The light's far side at this share of the near side's: a lamp or a window beside the desk.
FAR_SIDE_LIGHT = 0.55
COLOUR_CAST = (1.0, 0.9, 0.7)  # warm indoor light on white paper
NOISE_SIGMA = 12.0
JPEG_QUALITY = 40
TINY_SIDE = 64
BIG_SIDE = 1600
LARGER_PICTURE = 3  # the picture in one the size of 3x3 of it, filled with its border's colour
TURN_DEGREES = 10
CROP_FRACTION = 0.08


@dataclass(frozen=True)
class Varied:
    """One varied picture as a file: its bytes, extension, true digit and name (variation and source)."""

    data: bytes
    extension: str
    label: int
    name: str


def flattened(rgba: np.ndarray) -> Image.Image:
    """Return a decoded picture (training.decode's upright RGBA) in RGB, transparent pixels over white."""
    alpha = rgba[..., 3:].astype(np.float64) / 255
    rgb = rgba[..., :3] * alpha + 255 * (1 - alpha)
    return Image.fromarray(np.rint(rgb).astype(np.uint8))


def border_colour(image: Image.Image) -> tuple[int, int, int]:
    """Return the per-channel median of the picture's outermost pixels."""
    pixels = np.asarray(image)
    ring = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    red, green, blue = (int(value) for value in np.median(ring, axis=0))
    return red, green, blue


def scaled(image: Image.Image, long_side: int) -> Image.Image:
    """Return the picture resized so its long side is `long_side`."""
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)


def times(image: Image.Image, factor: np.ndarray) -> Image.Image:
    """Return the picture's pixels times a factor (broadcast over [H,W,3]), rounded and clipped."""
    product = np.asarray(image, dtype=np.float64) * factor
    return Image.fromarray(np.clip(np.rint(product), 0, 255).astype(np.uint8))


def light_from_one_side(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    return times(image, np.linspace(1.0, FAR_SIDE_LIGHT, image.width)[np.newaxis, :, np.newaxis])


def colour_cast(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    return times(image, np.array(COLOUR_CAST))


def defocus(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(max(1.0, max(image.size) / 200)))


def sensor_noise(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    noise = rng.normal(0.0, NOISE_SIGMA, (image.height, image.width, 3))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8))


def small_in_a_larger_picture(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    width, height = image.size
    larger = Image.new("RGB", (width * LARGER_PICTURE, height * LARGER_PICTURE), border_colour(image))
    larger.paste(image, (int(width * rng.uniform(0.3, 1.7)), int(height * rng.uniform(0.3, 1.7))))
    return larger


def turned(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    return image.rotate(TURN_DEGREES, Image.Resampling.BICUBIC, expand=True, fillcolor=border_colour(image))


def cropped_tight(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    width, height = image.size
    return image.crop(
        (
            round(width * CROP_FRACTION),
            round(height * CROP_FRACTION),
            round(width * (1 - CROP_FRACTION)),
            round(height * (1 - CROP_FRACTION)),
        )
    )


def encoded(image: Image.Image, extension: str, quality: int = 92, orientation: int = 1) -> bytes:
    """Return the picture encoded as PNG or JPEG (at `quality`, with an EXIF orientation unless 1)."""
    buffer = io.BytesIO()
    if extension == "png":
        image.save(buffer, "PNG")
    else:
        exif = Image.Exif()
        if orientation != 1:
            exif[EXIF_ORIENTATION] = orientation
        image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


# {name: picture -> (bytes, extension)}, in the order the report lists them.
VARIATIONS: dict[str, Callable[[Image.Image, np.random.Generator], tuple[bytes, str]]] = {
    "as_is": lambda image, rng: (encoded(image, "png"), "png"),
    "light_from_one_side": lambda image, rng: (encoded(light_from_one_side(image, rng), "png"), "png"),
    "colour_cast": lambda image, rng: (encoded(colour_cast(image, rng), "png"), "png"),
    "defocus": lambda image, rng: (encoded(defocus(image, rng), "png"), "png"),
    "sensor_noise": lambda image, rng: (encoded(sensor_noise(image, rng), "png"), "png"),
    "jpeg_q40": lambda image, rng: (encoded(image, "jpg", quality=JPEG_QUALITY), "jpg"),
    "tiny": lambda image, rng: (encoded(scaled(image, TINY_SIDE), "png"), "png"),
    "big": lambda image, rng: (encoded(scaled(image, BIG_SIDE), "png"), "png"),
    "small_in_a_larger_picture": lambda image, rng: (encoded(small_in_a_larger_picture(image, rng), "png"), "png"),
    "turned_10_degrees": lambda image, rng: (encoded(turned(image, rng), "png"), "png"),
    "cropped_tight": lambda image, rng: (encoded(cropped_tight(image, rng), "png"), "png"),
    # Stored a quarter turn anticlockwise, tagged to be turned back clockwise: a phone held sideways.
    "stored_turned_exif_6": lambda image, rng: (
        encoded(image.transpose(Image.Transpose.ROTATE_90), "jpg", orientation=6),
        "jpg",
    ),
    "light_on_dark": lambda image, rng: (encoded(ImageOps.invert(image), "png"), "png"),
}


def vary(image: Image.Image, label: int, stem: str, variations: Sequence[str], seed: int = SEED) -> list[Varied]:
    """Return an upright RGB picture under each named variation (the same picture and seed give the same bytes)."""
    varied = []
    for name in variations:
        rng = np.random.default_rng([seed, sum(stem.encode())])
        data, extension = VARIATIONS[name](image, rng)
        varied.append(Varied(data, extension, label, f"{name}-{stem}"))
    return varied


def source_pictures(shared_data: Path) -> list[Path]:
    """Return the real pictures and samples under the shared data, in name order."""
    paths = []
    for folder in FOLDERS:
        if not (shared_data / folder).is_dir():
            raise FileNotFoundError(f"no folder {shared_data / folder}: give --shared-data or ${SHARED_DATA_ENV}")
        paths += sorted(path for path in (shared_data / folder).iterdir() if path.suffix.lower() in PICTURE_SUFFIXES)
    return paths


def score(pictures: Sequence[Varied], answers: Sequence[dict], variations: Sequence[str]) -> dict[str, list[int]]:
    """Return {variation: [read right, pictures]}."""
    tally = {name: [0, 0] for name in variations}
    for picture, answer in zip(pictures, answers, strict=True):
        counts = tally[picture.name.split("-", 1)[0]]
        counts[0] += scenes.reading_of(answer) == picture.label
        counts[1] += 1
    return tally


def format_score(tally: dict[str, list[int]]) -> str:
    """Return the score as lines a person reads, each variation beside the pictures as they are."""
    as_is = tally.get("as_is", [None])[0]
    lines = [f"{'variation':<27} {'read right':>11}" + ("  against as_is" if as_is is not None else "")]
    for name, (right, count) in tally.items():
        change = f"  {right - as_is:+d}" if as_is is not None and name != "as_is" else ""
        lines.append(f"{name:<27} {right:>5}/{count:<5}{change}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Vary the shared real pictures and samples, and read each variation with the Python twin."""
    parser = argparse.ArgumentParser(prog="python -m build.variations", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared-data",
        type=Path,
        default=Path(os.environ.get(SHARED_DATA_ENV) or DEFAULT_SHARED_DATA),
        help=f"folder holding real/ and samples/ (default: ${SHARED_DATA_ENV}, else ../shared/data)",
    )
    parser.add_argument("--only", action="append", choices=list(VARIATIONS), help="only these variations")
    parser.add_argument("--model", type=Path, help="SavedModel to read with (default: the shipped one)")
    parser.add_argument("--misses", action="store_true", help="list the files read wrong")
    parser.add_argument("--out", type=Path, help="write the varied pictures into this folder (and do not read them)")
    args = parser.parse_args(argv)
    variations = args.only or list(VARIATIONS)
    try:
        sources = source_pictures(args.shared_data)
    except FileNotFoundError as error:
        parser.error(str(error))
    pictures = []
    full_size = {**preprocess.load_spec()["decode"], "max_decoded_side": 0}  # as given, not as the reader shrinks it
    for path in sources:
        upright = flattened(decode.decode_file(path, full_size))
        pictures += vary(upright, int(path.name[0]), f"{path.parent.name}-{path.stem}", variations)
    if args.out:
        scenes.write_pictures(pictures, args.out)
        print(f"wrote {len(pictures)} pictures ({len(sources)} x {len(variations)} variations) to {args.out}")
        return 0
    print(f"reading {len(pictures)} pictures ({len(sources)} x {len(variations)} variations) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="snapmath-variations-") as folder:
        paths = scenes.write_pictures(pictures, Path(folder))
        answers = scenes.read_with_predict(paths, args.model)
    print(format_score(score(pictures, answers, variations)))
    if args.misses:
        for path, picture, answer in zip(paths, pictures, answers, strict=True):
            if scenes.reading_of(answer) != picture.label:
                print(f"  {path.name}: read {scenes.reading_of(answer)} ({answer.get('reason') or ''})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
