"""Lambda entry point: the image workflow's thumbnail step.

Input ``{"bucket": ..., "key": ...}`` (an uploaded JPEG or PNG). Writes its thumbnail to
``thumbnails/<key>`` in the same bucket and returns the thumbnail's key and size.
Pillow comes from the function's layer (``tools/build_layers.py``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from image_thumbnail.image import DEFAULT_BOX, UnreadableImageError, make_thumbnail
from shop_common.observability import logger, metrics, tracer
from shop_common.retry import NO_SDK_RETRIES, with_backoff

#: Key prefix of the thumbnails in the images bucket (the function may write only there).
THUMBNAIL_PREFIX = "thumbnails/"
#: Largest object read, in bytes.
MAX_BYTES = 25 * 1024 * 1024


class ImageTooLargeError(UnreadableImageError):
    """The object is larger than the function reads."""


class ImageStore:
    """Reads originals from and writes thumbnails to S3."""

    def __init__(self, client: Any = None) -> None:
        self._s3 = client or boto3.client("s3", config=NO_SDK_RETRIES)

    def read(self, bucket: str, key: str, max_bytes: int = MAX_BYTES) -> bytes:
        response = with_backoff(lambda: self._s3.get_object(Bucket=bucket, Key=key))
        body = response["Body"]
        if response["ContentLength"] > max_bytes:
            body.close()
            raise ImageTooLargeError(
                f"s3://{bucket}/{key} is {response['ContentLength']} bytes, over {max_bytes}"
            )
        data: bytes = body.read()
        return data

    def write(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        # Same key for the same original: a retried step overwrites, it never duplicates.
        with_backoff(
            lambda: self._s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        )


@cache
def _store() -> ImageStore:
    return ImageStore()


def thumbnail_key(key: str) -> str:
    """Where the thumbnail of ``key`` goes; ``ValueError`` for a thumbnail's own key."""
    if key.startswith(THUMBNAIL_PREFIX):
        raise ValueError(f"{key!r} is a thumbnail already; thumbnails are not thumbnailed")
    return THUMBNAIL_PREFIX + key


def thumbnail_image(
    bucket: str, key: str, store: ImageStore, box: tuple[int, int] = DEFAULT_BOX
) -> dict[str, Any]:
    """Make the thumbnail of ``s3://bucket/key``, store it, and describe both images."""
    target = thumbnail_key(key)
    thumbnail = make_thumbnail(store.read(bucket, key), box)
    store.write(bucket, target, thumbnail.data, thumbnail.content_type)
    return {
        "format": thumbnail.format,
        "width": thumbnail.original_width,
        "height": thumbnail.original_height,
        "thumbnail": {
            "bucket": bucket,
            "key": target,
            "content_type": thumbnail.content_type,
            "width": thumbnail.width,
            "height": thumbnail.height,
            "bytes": len(thumbnail.data),
        },
    }


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = thumbnail_image(event["bucket"], event["key"], _store())
    metrics.add_metric(name="ThumbnailsCreated", unit=MetricUnit.Count, value=1)
    logger.info("thumbnail stored", extra={"image": event["key"], **result["thumbnail"]})
    return result
