"""Making a thumbnail of a JPEG or PNG image with Pillow: no AWS calls."""

from __future__ import annotations

import dataclasses
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

#: The box a thumbnail fits in by default, (width, height) in pixels.
DEFAULT_BOX = (256, 256)
#: Largest image decoded, in pixels: far above product photos, far below a memory bomb.
MAX_PIXELS = 40_000_000
#: Pillow format -> (content type, save options).
_FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "JPEG": ("image/jpeg", {"quality": 85, "optimize": True}),
    "PNG": ("image/png", {"optimize": True}),
}
# EXIF orientations that turn the picture a quarter: the box is turned with it.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_ORIENTATION_TAG = 0x0112


class UnreadableImageError(ValueError):
    """The bytes are not a JPEG or PNG image that can be decoded."""


@dataclasses.dataclass(frozen=True)
class Thumbnail:
    """A thumbnail's encoded bytes and what they are."""

    data: bytes
    format: str
    content_type: str
    width: int
    height: int
    original_width: int
    original_height: int


def make_thumbnail(data: bytes, box: tuple[int, int] = DEFAULT_BOX) -> Thumbnail:
    """``data`` (a JPEG or PNG) scaled to fit in ``box``, keeping its aspect ratio.

    An image already inside the box is not enlarged. The EXIF orientation of a JPEG is
    applied, so the thumbnail shows the picture the right way up. The thumbnail has the
    original's format. ``UnreadableImageError`` for anything else, or a corrupt image.
    """
    if min(box) < 1:
        raise ValueError(f"box must be at least 1x1 pixels, got {box!r}")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the pixel limit below is lower, and an error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
        with image:
            kind = str(image.format)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnreadableImageError(
                    f"{width}x{height} {kind} image is over the {MAX_PIXELS} pixel limit"
                )
            orientation = image.getexif().get(_ORIENTATION_TAG, 1)
            if orientation in _QUARTER_TURNS:
                box = (box[1], box[0])
                width, height = height, width
            image.thumbnail(box, Image.Resampling.LANCZOS)
            small = ImageOps.exif_transpose(image)
            content_type, options = _FORMATS[kind]
            if kind == "JPEG" and small.mode not in ("L", "RGB", "CMYK"):
                small = small.convert("RGB")
            out = io.BytesIO()
            small.save(out, format=kind, **options)
    except Image.DecompressionBombError as error:
        raise UnreadableImageError(f"image is over the {MAX_PIXELS} pixel limit") from error
    except UnidentifiedImageError as error:
        raise UnreadableImageError("not a JPEG or PNG image") from error
    except (OSError, SyntaxError) as error:
        raise UnreadableImageError(f"corrupt image: {error}") from error
    return Thumbnail(
        data=out.getvalue(),
        format=kind.lower(),
        content_type=content_type,
        width=small.width,
        height=small.height,
        original_width=width,
        original_height=height,
    )
