"""A resident's photo, checked: small enough, and really an image (opened and verified with Pillow,
not trusted by its name or the browser's content type).

The size limit is ``settings.KOMANDO_REPORT_PHOTO_MAX_BYTES`` (default 5 MiB)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# What phones send (iPhones convert HEIC to JPEG for a web form) and what every browser shows.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A small file may claim a huge picture (a "decompression bomb"): refused above this many pixels.
MAX_PIXELS = 60_000_000


def max_photo_bytes() -> int:
    return int(getattr(settings, "KOMANDO_REPORT_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


@dataclass(frozen=True)
class CheckedPhoto:
    format: str  # JPEG, PNG or WEBP
    content_type: str
    width: int
    height: int
    size: int


def check_photo(upload) -> CheckedPhoto:
    """``upload`` (a Django ``UploadedFile``) as a checked photo, or ``ValidationError`` with a clear
    message: too large, empty, not an image, or an image format we do not take."""
    limit = max_photo_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("The photo is too large (%(size)s MB). Send a photo of at most %(max)s MB."),
            code="photo_too_large", params={"size": megabytes(size), "max": megabytes(limit)})
    if size == 0:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    not_an_image = ValidationError(
        _("This file is not a photo. Send a picture in JPEG, PNG or WebP format."), code="photo_not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                image_format, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise not_an_image
                image.verify()  # reads the whole file: a truncated or forged one fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError):
        raise not_an_image from None
    finally:
        upload.seek(0)
    if image_format not in FORMATS:
        raise ValidationError(
            _("Photos in %(format)s format are not accepted. Send a picture in JPEG, PNG or WebP format."),
            code="photo_format", params={"format": image_format})
    return CheckedPhoto(format=image_format, content_type=FORMATS[image_format], width=width, height=height,
                        size=size)
