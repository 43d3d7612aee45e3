"""The fonts Pillow can open on this machine: printed digits and non-digits are drawn with them."""

from __future__ import annotations

from collections.abc import Iterable

from PIL import ImageFont


def installed_fonts(names: Iterable[str]) -> list[str]:
    """Return the font files among `names` that Pillow can open here, in the order given."""
    found = []
    for name in names:
        try:
            ImageFont.truetype(name, 12)
        except OSError:
            continue
        found.append(name)
    return found
