"""The thumbnail step: image size from the header of an S3 object in moto."""

from __future__ import annotations

import struct
import zlib

import boto3
import pytest
from image_thumbnail.image import UnreadableImageError, image_size, thumbnail_size


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + bytes(9)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + bytes(3)
    return b"\xff\xd8" + app0 + sof


def test_describe_image_reads_the_object_header(aws: str) -> None:
    from image_thumbnail.app import ImageReader, describe_image

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="images")
    s3.put_object(Bucket="images", Key="shoe.png", Body=png(1024, 512) + bytes(100_000))
    assert describe_image("images", "shoe.png", ImageReader()) == {
        "format": "png",
        "width": 1024,
        "height": 512,
        "thumbnail": {"width": 256, "height": 128},
    }


def test_jpeg_size_and_small_images_are_not_enlarged() -> None:
    assert image_size(jpeg(640, 480)) == ("jpeg", 640, 480)
    assert thumbnail_size(100, 50) == (100, 50)
    assert thumbnail_size(300, 1200) == (64, 256)


@pytest.mark.parametrize("data", [b"GIF89a", b"\xff\xd8\x00\x00", b"\xff\xd8"])
def test_other_bytes_are_rejected(data: bytes) -> None:
    with pytest.raises(UnreadableImageError):
        image_size(data)
