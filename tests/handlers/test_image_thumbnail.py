"""The thumbnail step: real JPEG and PNG images resized with Pillow, stored in moto's S3."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from image_thumbnail.image import UnreadableImageError, make_thumbnail
from PIL import Image

BUCKET = "images"


class FakeContext:
    function_name = "image-thumbnail"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:image-thumbnail"
    aws_request_id = "req-1"


def encode(image: Image.Image, kind: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    if orientation is None:
        return encode(image, "JPEG")
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(image, "JPEG", exif=exif.tobytes())


def png(width: int, height: int, mode: str = "RGBA") -> bytes:
    return encode(Image.new(mode, (width, height)), "PNG")


@pytest.fixture
def s3(aws: str) -> Any:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def stored(s3: Any, key: str) -> tuple[Image.Image, str]:
    """The image at ``key`` in the bucket (decoded) and its content type."""
    response = s3.get_object(Bucket=BUCKET, Key=key)
    image = Image.open(io.BytesIO(response["Body"].read()))
    image.load()
    return image, response["ContentType"]


def run_handler(key: str) -> dict[str, Any]:
    from image_thumbnail import app

    app._store.cache_clear()  # a client for this test's moto endpoint
    result: dict[str, Any] = app.handler({"bucket": BUCKET, "key": key}, FakeContext())
    return result


def test_a_jpeg_gets_a_jpeg_thumbnail_under_the_prefix(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="products/shoe.jpg", Body=jpeg(1024, 512))

    result = run_handler("products/shoe.jpg")

    image, content_type = stored(s3, "thumbnails/products/shoe.jpg")
    assert (image.format, image.size, content_type) == ("JPEG", (256, 128), "image/jpeg")
    size = s3.head_object(Bucket=BUCKET, Key="thumbnails/products/shoe.jpg")["ContentLength"]
    assert result == {
        "format": "jpeg",
        "width": 1024,
        "height": 512,
        "thumbnail": {
            "bucket": BUCKET,
            "key": "thumbnails/products/shoe.jpg",
            "content_type": "image/jpeg",
            "width": 256,
            "height": 128,
            "bytes": size,
        },
    }
    # The original is left as it was.
    original, _ = stored(s3, "products/shoe.jpg")
    assert original.size == (1024, 512)


def test_a_png_keeps_its_format_transparency_and_aspect_ratio(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="hats/tall.PNG", Body=png(300, 1200))

    result = run_handler("hats/tall.PNG")

    image, content_type = stored(s3, "thumbnails/hats/tall.PNG")
    assert (image.format, image.mode, image.size, content_type) == (
        "PNG",
        "RGBA",
        (64, 256),
        "image/png",
    )
    assert result["thumbnail"]["key"] == "thumbnails/hats/tall.PNG"
    assert (result["width"], result["height"]) == (300, 1200)


def test_running_twice_overwrites_the_same_thumbnail(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="shoe.png", Body=png(512, 512, "RGB"))

    first, second = run_handler("shoe.png"), run_handler("shoe.png")

    assert first == second
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert sorted(keys) == ["shoe.png", "thumbnails/shoe.png"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (encode(Image.new("RGB", (64, 64)), "GIF"), "not a JPEG or PNG image"),
        (b"%PDF-1.7 not an image", "not a JPEG or PNG image"),
        (jpeg(800, 600)[:400], "corrupt image"),
        (png(800, 600, "RGB")[:60], "corrupt image"),
    ],
    ids=["gif", "pdf", "truncated-jpeg", "truncated-png"],
)
def test_an_unsupported_or_corrupt_image_fails_clearly_and_writes_nothing(
    s3: Any, data: bytes, message: str
) -> None:
    s3.put_object(Bucket=BUCKET, Key="products/bad.jpg", Body=data)

    with pytest.raises(UnreadableImageError, match=message):
        run_handler("products/bad.jpg")

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["products/bad.jpg"]


def test_an_object_over_the_size_limit_is_not_read(s3: Any) -> None:
    from image_thumbnail.app import ImageStore, ImageTooLargeError

    s3.put_object(Bucket=BUCKET, Key="huge.png", Body=png(64, 64))

    with pytest.raises(ImageTooLargeError, match="over 10"):
        ImageStore().read(BUCKET, "huge.png", max_bytes=10)


def test_a_thumbnail_is_never_thumbnailed_again(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="thumbnails/shoe.png", Body=png(64, 64))

    with pytest.raises(ValueError, match="thumbnail already"):
        run_handler("thumbnails/shoe.png")


def test_small_images_are_not_enlarged() -> None:
    thumbnail = make_thumbnail(png(100, 50, "RGB"))
    assert (thumbnail.width, thumbnail.height) == (100, 50)


def test_the_box_need_not_be_square() -> None:
    thumbnail = make_thumbnail(jpeg(1000, 400), (200, 100))
    assert (thumbnail.width, thumbnail.height) == (200, 80)


def test_the_exif_orientation_is_applied_before_fitting_the_box() -> None:
    # Stored 400x200 and turned a quarter by its EXIF tag: the picture is 200x400.
    thumbnail = make_thumbnail(jpeg(400, 200, orientation=6), (200, 100))

    assert (thumbnail.original_width, thumbnail.original_height) == (200, 400)
    assert (thumbnail.width, thumbnail.height) == (50, 100)
    image = Image.open(io.BytesIO(thumbnail.data))
    assert image.size == (50, 100)
    assert image.getexif().get(0x0112, 1) == 1


@pytest.mark.parametrize("size", [(10_000, 10_000), (20_000, 10_000)], ids=["ours", "pillows"])
def test_an_image_over_the_pixel_limit_is_rejected_before_decoding(size: tuple[int, int]) -> None:
    # Over our limit, then over twice Pillow's (which Pillow refuses to open at all).
    with pytest.raises(UnreadableImageError, match="pixel limit"):
        make_thumbnail(png(*size, mode="1"))


def test_a_box_under_one_pixel_is_rejected() -> None:
    with pytest.raises(ValueError, match="box must be at least 1x1"):
        make_thumbnail(png(10, 10), (0, 10))
