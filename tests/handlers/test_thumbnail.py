"""thumbnail: S3 ObjectCreated events to real, smaller images under the output prefix (moto S3, Pillow)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from thumbnail import app

from .conftest import ALICE, aws_client, fail_calls, load_event, log_lines

BUCKET = "myblog-photos"
SOURCE = f"uploads/{ALICE}/summer holiday(1).jpg"  # the sample event's key, URL-decoded
TARGET = f"thumbnails/{ALICE}/summer holiday(1).jpg"


@pytest.fixture
def photos(bucket_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("INPUT_PREFIX", "OUTPUT_PREFIX", "THUMBNAIL_SIZE"):
        monkeypatch.delenv(name, raising=False)
    return bucket_factory(BUCKET)


def image_bytes(size: tuple[int, int], image_format: str = "JPEG", mode: str = "RGB", **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "orange" if mode != "1" else 1).save(buffer, image_format, **save)
    return buffer.getvalue()


def event_for(key: str, bucket: str = BUCKET) -> dict[str, Any]:
    event = load_event("thumbnail", "object_created.json")
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = key.replace(" ", "+")
    return event


def keys(bucket: Any) -> list[str]:
    return sorted(o.key for o in bucket.objects.all())


def open_thumbnail(bucket: Any, key: str) -> tuple[Image.Image, str]:
    stored = bucket.Object(key).get()
    return Image.open(io.BytesIO(stored["Body"].read())), stored["ContentType"]


def test_sample_event_writes_a_smaller_jpeg_under_the_output_prefix(photos: Any, context: Any) -> None:
    photos.put_object(Key=SOURCE, Body=image_bytes((1024, 768)))
    assert app.handler(load_event("thumbnail", "object_created.json"), context) == {"written": 1, "skipped": 0}
    assert keys(photos) == [TARGET, SOURCE]
    thumb, content_type = open_thumbnail(photos, TARGET)
    assert (thumb.format, content_type, thumb.size) == ("JPEG", "image/jpeg", (256, 192))


def test_png_keeps_its_format_and_honours_thumbnail_size(photos: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THUMBNAIL_SIZE", "64")
    key = "uploads/u/portrait.png"
    photos.put_object(Key=key, Body=image_bytes((300, 600), "PNG", "RGBA"))
    app.handler(event_for(key), context)
    thumb, content_type = open_thumbnail(photos, "thumbnails/u/portrait.png")
    assert (thumb.format, content_type, thumb.size, thumb.mode) == ("PNG", "image/png", (32, 64), "RGBA")


def test_exif_orientation_is_applied(photos: Any, context: Any) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    key = "uploads/u/rotated.jpg"
    photos.put_object(Key=key, Body=image_bytes((400, 200), exif=exif))
    app.handler(event_for(key), context)
    assert open_thumbnail(photos, "thumbnails/u/rotated.jpg")[0].size == (128, 256)


def test_microservices_prefixes(photos: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INPUT_PREFIX", "incoming/")
    monkeypatch.setenv("OUTPUT_PREFIX", "processed/")
    photos.put_object(Key="incoming/sku-42.jpg", Body=image_bytes((800, 800)))
    app.handler(event_for("incoming/sku-42.jpg"), context)
    assert keys(photos) == ["incoming/sku-42.jpg", "processed/sku-42.jpg"]


@pytest.mark.parametrize("key", ["thumbnails/u/already.jpg", "elsewhere/photo.jpg", "uploads/"])
def test_keys_outside_the_input_prefix_are_skipped_with_a_log_line(photos: Any, context: Any, capsys: Any, key: str) -> None:
    photos.put_object(Key=key, Body=image_bytes((512, 512)))
    assert app.handler(event_for(key), context) == {"written": 0, "skipped": 1}
    assert keys(photos) == [key]
    [line] = log_lines(capsys.readouterr().out)
    assert line["message"].endswith("skipped") and line["key"] == key


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.7 this is not an image", image_bytes((64, 64))[:200], image_bytes((64, 64), "BMP")],
    ids=["pdf", "truncated-jpeg", "bmp"],
)
def test_non_images_are_skipped(photos: Any, context: Any, capsys: Any, body: bytes) -> None:
    photos.put_object(Key="uploads/u/file.jpg", Body=body)
    assert app.handler(event_for("uploads/u/file.jpg"), context) == {"written": 0, "skipped": 1}
    assert keys(photos) == ["uploads/u/file.jpg"]
    assert any(line["message"] == "not a usable image: skipped" for line in log_lines(capsys.readouterr().out))


def test_decompression_bombs_are_skipped(photos: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "MAX_IMAGE_PIXELS", 10_000)
    photos.put_object(Key="uploads/u/bomb.png", Body=image_bytes((200, 200), "PNG", "1"))
    assert app.handler(event_for("uploads/u/bomb.png"), context) == {"written": 0, "skipped": 1}
    with pytest.raises(app.NotAnImage):
        app.make_thumbnail(image_bytes((200, 200), "PNG", "1"), 64)


def test_pillow_bomb_guard_is_set() -> None:
    assert Image.MAX_IMAGE_PIXELS == app.MAX_IMAGE_PIXELS


def test_missing_object_raises_for_a_platform_retry(photos: Any, context: Any) -> None:
    with pytest.raises(Exception, match="NoSuchKey"):
        app.handler(load_event("thumbnail", "object_created.json"), context)


def test_write_failure_raises_after_processing_the_other_records(photos: Any, context: Any) -> None:
    photos.put_object(Key=SOURCE, Body=image_bytes((640, 480)))
    event = load_event("thumbnail", "object_created.json")
    event["Records"].append(event_for("uploads/missing.jpg")["Records"][0])
    fail_calls(app._s3(), "PutObject", "SlowDown")
    with pytest.raises(Exception, match="SlowDown"):
        app.handler(event, context)
    assert keys(photos) == [SOURCE]


def test_thumbnails_go_to_the_events_bucket(bucket_factory: Any, context: Any) -> None:
    other = bucket_factory("product-images")
    other.put_object(Key="uploads/a.jpg", Body=image_bytes((300, 300)))
    app.handler(event_for("uploads/a.jpg", bucket="product-images"), context)
    assert keys(other) == ["thumbnails/a.jpg", "uploads/a.jpg"]


@pytest.mark.parametrize(
    ("env", "value"), [("OUTPUT_PREFIX", ""), ("OUTPUT_PREFIX", "uploads/"), ("THUMBNAIL_SIZE", "0"), ("THUMBNAIL_SIZE", "big")]
)
def test_unsafe_configuration_is_refused(photos: Any, context: Any, monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    photos.put_object(Key=SOURCE, Body=image_bytes((64, 64)))
    with pytest.raises(ValueError, match=env):
        app.handler(load_event("thumbnail", "object_created.json"), context)
    assert aws_client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1
