"""What a picture file is before any decoder sees it: its format, its real size, and the bytes to decode.

Twin of the checks at the top of site_templates/static/js/decode.js (sniffFormat, headerSize): both twins
read the same five formats, find the size wherever the format keeps it (after every JPEG segment, across
every GIF frame), and hand their decoder the same picture: the browser ignores PNG text chunks and JPEG TEM
markers, so they are dropped here before Pillow, which would refuse them.
"""

from __future__ import annotations

import struct

READABLE_FORMATS = ("png", "jpeg", "gif", "webp", "bmp")
SUPPORTED = "PNG, JPEG, GIF, WebP or BMP"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
JPEG_TEM = 0x01


def sniff_format(data: bytes) -> str | None:
    """Return 'png', 'jpeg', 'gif', 'webp' or 'bmp' from the file's first bytes, or None for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] == b"BM":
        return "bmp"
    return None


def picture_size(data: bytes, format_name: str) -> tuple[int, int] | None:
    """Return (width, height) of the picture in a whole file, or None when the file does not say."""
    size = None
    if format_name == "png" and len(data) >= 24:
        size = struct.unpack(">II", data[16:24])
    elif format_name == "gif":
        size = gif_size(data)
    elif format_name == "bmp" and len(data) >= 26:
        size = bmp_size(data)
    elif format_name == "webp" and len(data) >= 30:
        size = webp_size(data)
    elif format_name == "jpeg":
        size = jpeg_size(data)
    return size if size and size[0] > 0 and size[1] > 0 else None


def bmp_size(data: bytes) -> tuple[int, int]:
    """Return a BMP's size: 16-bit fields in the 12-byte OS/2 1.x header, 32-bit signed ones otherwise."""
    if struct.unpack("<I", data[14:18])[0] == 12:
        return struct.unpack("<HH", data[18:22])
    width, height = struct.unpack("<ii", data[18:26])
    return abs(width), abs(height)


def webp_size(data: bytes) -> tuple[int, int] | None:
    """Return a WebP's canvas size from its first chunk (VP8X, VP8L or VP8)."""
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":
        bits = struct.unpack("<I", data[21:25])[0]
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _skip_sub_blocks(data: bytes, offset: int) -> int:
    """Return the offset after a GIF chain of data sub-blocks, or -1 when the file ends first."""
    while offset < len(data):
        length = data[offset]
        offset += 1 + length
        if length == 0:
            return offset
    return -1


def gif_size(data: bytes) -> tuple[int, int] | None:
    """Return the GIF's logical screen grown to hold every frame (decoders make room for a larger frame)."""
    if len(data) < 13:
        return None

    def colour_table(packed: int) -> int:
        return 3 * (2 << (packed & 7)) if packed & 0x80 else 0

    width, height = struct.unpack("<HH", data[6:10])
    offset = 13 + colour_table(data[10])
    frames = 0
    while 0 <= offset < len(data) and data[offset] != 0x3B:
        if data[offset] == 0x21:
            offset = _skip_sub_blocks(data, offset + 2)  # extension: introducer, label, sub-blocks
        elif data[offset] == 0x2C and offset + 10 <= len(data):
            left, top, frame_width, frame_height = struct.unpack("<HHHH", data[offset + 1 : offset + 9])
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            frames += 1
            offset = _skip_sub_blocks(data, offset + 10 + colour_table(data[offset + 9]) + 1)  # + LZW code size
        else:
            break  # not a GIF block: decoders stop reading here too
    return (width, height) if frames else None


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], bool]:
    """Return ([(marker, start, end)] of the segments before the first scan, whether the walk reached one)."""
    segments: list[tuple[int, int, int]] = []
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return segments, False
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1  # fill byte
            continue
        if marker == JPEG_TEM or 0xD0 <= marker <= 0xD8:  # TEM, RSTn and SOI stand alone: no length follows
            segments.append((marker, offset, offset + 2))
            offset += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the first scan
            return segments, marker == 0xDA
        end = offset + 2 + struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        segments.append((marker, offset, end))
        offset = end
    return segments, False


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Return the size in the JPEG's frame header, found by walking every marker segment before it."""
    for marker, start, end in _jpeg_segments(data)[0]:
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if end - start < 9 or start + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[start + 5 : start + 9])
            return width, height
    return None


def decodable_bytes(data: bytes, format_name: str) -> bytes:
    """Return the file's bytes as the browser decodes them: without PNG text chunks or JPEG TEM markers."""
    if format_name == "png":
        return _without_png_text(data)
    if format_name == "jpeg":
        segments, _ = _jpeg_segments(data)
        tems = [(start, end) for marker, start, end in segments if marker == JPEG_TEM]
        for start, end in reversed(tems):
            data = data[:start] + data[end:]
    return data


def _without_png_text(data: bytes) -> bytes:
    """Return a PNG without its tEXt, zTXt and iTXt chunks (comments: a 50 MB one would only cost memory)."""
    kept = [PNG_SIGNATURE]
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(data):
        length = struct.unpack(">I", data[offset : offset + 4])[0]
        end = offset + 12 + length
        if data[offset + 4 : offset + 8] not in PNG_TEXT_CHUNKS:
            kept.append(data[offset:end])
        offset = end
    kept.append(data[offset:])  # whatever does not parse as a chunk is left for Pillow to judge
    return b"".join(kept)
