"""Photos uploaded in the admin: checked, stripped of their metadata and resized.

Pillow must open the file as a JPEG, PNG or WebP within the size limits; the stored original is
re-encoded from its pixels, so EXIF (camera, GPS position, time) and any other metadata are
gone, and it is turned upright first. The pages show resized copies (``VARIANT_WIDTHS``). Every
file is named by a hash of its contents: a name never changes meaning, so browsers and nginx
may keep it for a year."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
# Pillow's decompression-bomb guard at our own limit: a small file claiming huge dimensions
# is refused before it is decoded.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
VARIANT_WIDTHS = (320, 640)
UPLOAD_DIRECTORY = "clinic"
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}


@dataclass(frozen=True)
class ProcessedImage:
    original: ContentFile[bytes]
    variants: dict[int, ContentFile[bytes]]


def image_upload_to(instance: object, filename: str) -> str:
    """Files arrive already named by their hash (``process``); they go in one folder."""
    return f"{UPLOAD_DIRECTORY}/{filename.rsplit('/', 1)[-1]}"


def _open(upload: IO[bytes], size: int | None) -> Image.Image:
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The image is too large: at most 5 MB."), code="too_large"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            image.verify()
            upload.seek(0)
            image = Image.open(upload)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image is too large: at most 6000 pixels on a side."), code="too_many_pixels"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP picture."),
            code="not_an_image",
        ) from error
    if image.format not in FORMATS:
        raise ValidationError(
            _("Only JPEG, PNG and WebP pictures are accepted."), code="format"
        )
    if max(image.size) > MAX_SIDE:
        raise ValidationError(
            _("The image is too large: at most 6000 pixels on a side."), code="too_many_pixels"
        )
    return image


def _encode(image: Image.Image, image_format: str) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    # No exif=, no pnginfo=: the new file carries the pixels and nothing else.
    image.save(buffer, format=image_format, **_SAVE_OPTIONS[image_format])
    return buffer.getvalue()


def _named(content: bytes, extension: str, suffix: str = "") -> ContentFile[bytes]:
    digest = hashlib.sha256(content).hexdigest()[:20]
    return ContentFile(content, name=f"{digest}{suffix}.{extension}")


def process(upload: IO[bytes], *, size: int | None = None) -> ProcessedImage:
    """Check ``upload`` and return its clean original and its resized copies; a
    ``ValidationError`` with a message for the admin when it is not acceptable."""
    image = _open(upload, size)
    image_format = str(image.format)
    extension = FORMATS[image_format]
    upright = ImageOps.exif_transpose(image)
    upright.info.clear()
    original = _encode(upright, image_format)
    variants = {}
    for width in VARIANT_WIDTHS:
        copy = upright.copy()
        if copy.width > width:
            copy = copy.resize((width, max(1, round(copy.height * width / copy.width))),
                               Image.Resampling.LANCZOS)
        variants[width] = _named(_encode(copy, image_format), extension, f"-{width}")
    return ProcessedImage(original=_named(original, extension), variants=variants)
