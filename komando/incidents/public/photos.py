"""Incident photos (a resident's, a field officer's before and after photos), checked: small enough,
and really an image (opened and verified with Pillow, not trusted by its name or the browser's
content type); then made safe to keep (``clean_photo``): turned upright by their EXIF orientation,
scaled down to at most ``MAX_SIDE`` pixels on the long side, and re-encoded by Pillow with **no
metadata at all**. A phone's EXIF carries the GPS position of where the picture was taken (a
resident's home is personal data), the camera and the time: what is stored is only pixels.

The size limit is ``settings.KOMANDO_REPORT_PHOTO_MAX_BYTES`` (default 5 MiB). Pure functions, no
database: ``komando.incidents.actions.photos`` stores the result."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from komando.incidents.errors import IncidentError

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
            code="photo_too_large",
            params={"size": megabytes(size), "max": megabytes(limit)},
        )
    if size == 0:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    not_an_image = ValidationError(
        _("This file is not a photo. Send a picture in JPEG, PNG or WebP format."), code="photo_not_image"
    )
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
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_an_image from None
    finally:
        upload.seek(0)
    if image_format not in FORMATS:
        raise ValidationError(
            _("Photos in %(format)s format are not accepted. Send a picture in JPEG, PNG or WebP format."),
            code="photo_format",
            params={"format": image_format},
        )
    return CheckedPhoto(format=image_format, content_type=FORMATS[image_format], width=width, height=height, size=size)


# Phone cameras take 12–50 megapixels; 2560 px on the long side shows every detail an officer needs.
MAX_SIDE = 2560
JPEG_QUALITY = 85
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class PhotoError(IncidentError):
    code = "invalid_photo"


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: re-encoded bytes without metadata."""

    data: bytes
    format: str
    content_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def size(self) -> int:
        return len(self.data)


def refuse(error: ValidationError) -> PhotoError:
    """``check_photo``'s refusal as a ``PhotoError`` that keeps its code (``photo_too_large``, …)."""
    refusal = PhotoError(error.message, **(error.params or {}))
    if error.code:
        refusal.code = error.code
    return refusal


def not_a_photo() -> PhotoError:
    refusal = PhotoError(_("This file is not a photo. Send a picture in JPEG, PNG or WebP format."))
    refusal.code = "photo_not_image"
    return refusal


def clean_photo(upload) -> CleanPhoto:
    """``upload`` (a Django ``UploadedFile`` or any file object with ``size``) checked and re-encoded,
    or ``PhotoError`` with a clear message (too large, empty, not an image, a format we do not take)."""
    if upload is None:
        refusal = PhotoError(_("Choose a photo to send."))
        refusal.code = "photo_missing"
        raise refusal
    try:
        checked = check_photo(upload)
    except ValidationError as error:
        raise refuse(error) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as original:
                if original.width * original.height > MAX_PIXELS:
                    raise not_a_photo()
                original.load()
                upright = ImageOps.exif_transpose(original)  # a copy, turned as the camera was held
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        raise not_a_photo() from None
    finally:
        upload.seek(0)
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image_format = checked.format
    pixels = _pixels_only(upright, image_format)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        pixels.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        pixels.save(buffer, format="WEBP", quality=JPEG_QUALITY)
    else:
        pixels.save(buffer, format="PNG", optimize=True)
    return CleanPhoto(
        data=buffer.getvalue(), format=image_format, content_type=FORMATS[image_format], width=pixels.width, height=pixels.height
    )


def _pixels_only(image: Image.Image, image_format: str) -> Image.Image:
    """A new image holding only the pixels: no EXIF, XMP, ICC profile, comments or text chunks
    (Pillow writes what ``info`` holds for some formats, so nothing of the original is carried)."""
    if image_format == "JPEG":
        mode = "L" if image.mode in ("L", "LA", "I;16", "I") else "RGB"
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        mode = "RGBA"
    else:
        mode = "L" if image.mode in ("L", "I;16", "I", "1") else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean
