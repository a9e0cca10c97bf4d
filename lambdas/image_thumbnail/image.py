"""Reading an image's size from its header and sizing its thumbnail: no AWS calls."""

from __future__ import annotations

import struct

#: Bytes read from the start of an image: enough for PNG and for common JPEG headers.
HEADER_BYTES = 64 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)


class UnreadableImageError(ValueError):
    """The bytes are not a PNG or JPEG whose size the header gives."""


def image_size(header: bytes) -> tuple[str, int, int]:
    """``(format, width, height)`` of a PNG or JPEG from its first bytes."""
    if header.startswith(_PNG) and header[12:16] == b"IHDR":
        width, height = struct.unpack(">II", header[16:24])
        return "png", width, height
    if header.startswith(b"\xff\xd8"):
        return _jpeg_size(header)
    raise UnreadableImageError("not a PNG or JPEG")


def _jpeg_size(data: bytes) -> tuple[str, int, int]:
    offset = 2
    while offset + 9 <= len(data):
        if data[offset] != 0xFF:
            raise UnreadableImageError(f"bad JPEG marker at byte {offset}")
        marker = data[offset + 1]
        if marker == 0xFF:
            offset += 1
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return "jpeg", width, height
        offset += 2 + length
    raise UnreadableImageError("JPEG size not found in the header")


def thumbnail_size(width: int, height: int, longest_side: int = 256) -> tuple[int, int]:
    """The thumbnail's size: the longest side scaled to ``longest_side``, never enlarged."""
    scale = min(1.0, longest_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))
