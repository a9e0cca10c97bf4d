"""Lambda entry point: size an uploaded image and its thumbnail for the image workflow."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from image_thumbnail.image import HEADER_BYTES, image_size, thumbnail_size
from shop_common.observability import logger, tracer
from shop_common.retry import NO_SDK_RETRIES, with_backoff


class ImageReader:
    """Reads the first bytes of an S3 object."""

    def __init__(self, client: Any = None) -> None:
        self._s3 = client or boto3.client("s3", config=NO_SDK_RETRIES)

    def header(self, bucket: str, key: str) -> bytes:
        response = with_backoff(
            lambda: self._s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEADER_BYTES - 1}")
        )
        data: bytes = response["Body"].read()
        return data


@cache
def _reader() -> ImageReader:
    return ImageReader()


def describe_image(bucket: str, key: str, reader: ImageReader) -> dict[str, Any]:
    """Format, size and thumbnail size of ``s3://bucket/key``."""
    kind, width, height = image_size(reader.header(bucket, key))
    thumb_width, thumb_height = thumbnail_size(width, height)
    return {
        "format": kind,
        "width": width,
        "height": height,
        "thumbnail": {"width": thumb_width, "height": thumb_height},
    }


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return describe_image(event["bucket"], event["key"], _reader())
