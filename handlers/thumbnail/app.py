"""Thumbnail generator (MyBlog.com `thumbnailer`, Microservices `image-processor`): S3 ObjectCreated to S3.

For every new object under INPUT_PREFIX the function writes a thumbnail (longest edge THUMBNAIL_SIZE
pixels, same format) to the SAME bucket under OUTPUT_PREFIX + the rest of the key. Keys outside
INPUT_PREFIX, or already under OUTPUT_PREFIX, are skipped, so the function never triggers itself.
Objects that are not images (or are too large, or decompression bombs) are skipped with a log line.
Failures to read or write S3 raise: S3 invokes asynchronously, Lambda retries, then sends the event to
the on-failure destination.

Environment: INPUT_PREFIX (default `uploads/`), OUTPUT_PREFIX (default `thumbnails/`),
THUMBNAIL_SIZE (default 256).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import urllib.parse
import warnings
from dataclasses import dataclass
from typing import Any

from handler_kit import aws
from handler_kit.log import JsonLog
from PIL import Image, ImageOps, UnidentifiedImageError

log = JsonLog("thumbnail")
LOGGER = log.logger
MAX_OBJECT_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # beyond this, decoding could exhaust the function's memory
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_THUMBNAIL_SIZE = 4096


# --- configuration and clients -----------------------------------------------------------------


@functools.cache
def _s3() -> Any:
    return aws.client("s3")


@dataclass(frozen=True)
class Settings:
    input_prefix: str
    output_prefix: str
    size: int


def settings() -> Settings:
    """The configuration, validated: an empty OUTPUT_PREFIX or one equal to INPUT_PREFIX could loop."""
    input_prefix = os.environ.get("INPUT_PREFIX", "uploads/")
    output_prefix = os.environ.get("OUTPUT_PREFIX", "thumbnails/")
    if not output_prefix or output_prefix == input_prefix:
        raise ValueError("OUTPUT_PREFIX must be non-empty and differ from INPUT_PREFIX")
    raw_size = os.environ.get("THUMBNAIL_SIZE", "256")
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= MAX_THUMBNAIL_SIZE:
        raise ValueError(f"THUMBNAIL_SIZE must be an integer from 1 to {MAX_THUMBNAIL_SIZE}")
    return Settings(input_prefix, output_prefix, int(raw_size))


# --- pure logic --------------------------------------------------------------------------------


class NotAnImage(ValueError):
    """The object cannot (or must not) be decoded as an image; retrying will not help."""


def output_key(key: str, config: Settings) -> str | None:
    """Where the thumbnail of `key` goes, or None when the key is not ours to process."""
    if key.startswith(config.output_prefix) or not key.startswith(config.input_prefix):
        return None
    rest = key[len(config.input_prefix) :]
    return config.output_prefix + rest if rest and not rest.endswith("/") else None


def make_thumbnail(data: bytes, size: int) -> tuple[bytes, str]:
    """A thumbnail of the image in `data` (longest edge `size`), in the same format, and its content type."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            image_format = image.format or ""
            if image_format not in FORMATS:
                raise NotAnImage(f"unsupported image format {image_format or 'unknown'}")
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise NotAnImage(f"image of {width}x{height} pixels exceeds {MAX_IMAGE_PIXELS}")
            if image_format == "JPEG":
                image.draft("RGB", (size, size))  # decode at a reduced scale: faster and leaner
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size))
    except NotAnImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise NotAnImage(f"corrupt image: {exc}") from exc
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 85, "optimize": True} if image_format in ("JPEG", "WEBP") else {}
    image.save(out, format=image_format, **options)
    return out.getvalue(), FORMATS[image_format]


def objects_of(event: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """(bucket, decoded key, size) of every object an S3 notification event names."""
    found = []
    for record in event.get("Records", []):
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        obj = s3.get("object") or {}
        if not bucket or "key" not in obj:
            log(logging.WARNING, "record without bucket or key skipped", event_name=record.get("eventName"))
            continue
        found.append((bucket, urllib.parse.unquote_plus(obj["key"]), obj.get("size")))
    return found


def process(s3: Any, bucket: str, key: str, size: int | None, config: Settings) -> str:
    target = output_key(key, config)
    if target is None:
        log(logging.INFO, "key outside the input prefix, or a thumbnail already: skipped", bucket=bucket, key=key)
        return "skipped"
    if size is not None and size > MAX_OBJECT_BYTES:
        log(logging.WARNING, "object too large for a thumbnail: skipped", bucket=bucket, key=key, bytes=size)
        return "skipped"
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        thumbnail, content_type = make_thumbnail(data, config.size)
    except NotAnImage as exc:
        log(logging.WARNING, "not a usable image: skipped", bucket=bucket, key=key, reason=str(exc))
        return "skipped"
    s3.put_object(Bucket=bucket, Key=target, Body=thumbnail, ContentType=content_type, Metadata={"source-key": urllib.parse.quote(key)})
    log(logging.INFO, "thumbnail written", bucket=bucket, key=key, thumbnail_key=target, bytes=len(thumbnail))
    return "written"


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    log.start(context)
    config = settings()
    outcomes = {"written": 0, "skipped": 0}
    errors: list[Exception] = []
    for bucket, key, size in objects_of(event):
        try:
            outcomes[process(_s3(), bucket, key, size, config)] += 1
        except Exception as exc:  # keep going, then fail the invocation so the platform retries
            log(logging.ERROR, "thumbnail failed", exc_info=True, bucket=bucket, key=key)
            errors.append(exc)
    if errors:
        raise errors[0]
    return outcomes
