"""Odd picture files both decoders must treat alike (issue 15): sizes hidden where a quick look misses them,
rare encodings of an ordinary digit, and formats only one twin used to read. Written byte by byte where
Pillow cannot write them."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests import pictures

HUGE_SIDE = 20_000  # 400 megapixels: eight times the 50-megapixel limit
DIGIT = 7  # every readable odd file shows this digit


def seven(size: int = 200, ink: int = 0, paper: int = 255) -> Image.Image:
    """Return a 7 in grey `ink` on grey `paper`, size x size, greyscale."""
    margin = size * 0.2
    box = (margin, margin, size - margin, size - margin)
    return pictures.draw_digit((size, size), "7", box, (ink,), size // 14, (paper,), "L")


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def jpeg_with_hidden_size(side: int = HUGE_SIDE) -> bytes:
    """Return a JPEG whose frame header (saying side x side) follows five 64 KB comment segments (~328 KB)."""
    data = jpeg_bytes(seven(64))
    comments = b"".join(b"\xff\xfe" + struct.pack(">H", 65_535) + bytes(65_533) for _ in range(5))
    data = data[:2] + comments + data[2:]
    offset = 2
    while data[offset + 1] not in (0xC0, 0xC1, 0xC2):  # walk the segments to the frame header
        offset += 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
    return data[: offset + 5] + struct.pack(">HH", side, side) + data[offset + 9 :]


def gif_with_hidden_frame(side: int = HUGE_SIDE) -> bytes:
    """Return a GIF whose 1x1 logical screen holds one side x side frame (two-colour palette, all one colour)."""
    header = b"GIF89a" + struct.pack("<HH", 1, 1) + bytes([0x80, 0, 0]) + b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"\x2c" + struct.pack("<HHHH", 0, 0, side, side) + b"\x00"
    # LZW with 2-bit codes: clear (4) then end (5), packed in 3-bit codes: 0b101_100 = 0x2C.
    return header + descriptor + b"\x02\x01\x2c\x00" + b"\x3b"


def os2_bmp(image: Image.Image) -> bytes:
    """Return a 24-bit BMP with the 12-byte OS/2 1.x header (16-bit width and height), which Pillow cannot write."""
    rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    row_bytes = (width * 3 + 3) // 4 * 4
    rows = b"".join(rgb[row, :, ::-1].tobytes().ljust(row_bytes, b"\x00") for row in range(height - 1, -1, -1))
    core = struct.pack("<IHHHH", 12, width, height, 1, 24)
    return b"BM" + struct.pack("<IHHI", 14 + 12 + len(rows), 0, 0, 14 + 12) + core + rows


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_16_bit_grey(image: Image.Image) -> bytes:
    """Return a 16-bit greyscale PNG of an 8-bit greyscale picture (each value v stored as v * 257)."""
    values = np.asarray(image.convert("L")).astype(">u2") * 257
    height, width = values.shape
    raw = b"".join(b"\x00" + values[row].tobytes() for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def png_with_big_text(image: Image.Image, text_bytes: int = 50 * 2**20) -> bytes:
    """Return a PNG with a zTXt chunk that inflates to text_bytes (50 MB) before its pixels."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"x" * text_bytes, 9))
    return data[:33] + text + data[33:]  # after the signature (8) and IHDR (25)


def jpeg_with_tem_marker(image: Image.Image) -> bytes:
    """Return a JPEG with a TEM marker (FF 01, no length) between its segments, before the frame header."""
    data = jpeg_bytes(image)
    return data[:2] + b"\xff\x01" + data[2:]


def tiff(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="TIFF")
    return buffer.getvalue()


def write_odd_files(directory: Path) -> dict[str, Path]:
    """Write every odd file into directory; return {name: path}."""
    digit = seven()
    contents = {
        "hidden-size.jpg": jpeg_with_hidden_size(),
        "hidden-frame.gif": gif_with_hidden_frame(),
        "os2.bmp": os2_bmp(digit),
        # Mid greys: every 16-bit value above 255 (all but black) is what Pillow's conversion clipped to white.
        "grey-16-bit.png": png_16_bit_grey(seven(ink=60, paper=200)),
        "big-text.png": png_with_big_text(digit),
        "tem-marker.jpg": jpeg_with_tem_marker(digit),
        "digit.tiff": tiff(digit),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, content in contents.items():
        paths[name] = directory / name
        paths[name].write_bytes(content)
    return paths
