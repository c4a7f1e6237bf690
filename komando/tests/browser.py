"""Debian's Chromium through Playwright, for the browser tests (``browser`` fixture in
``komando/conftest.py``), and the pages they open: each collects its uncaught exceptions (and,
unless told otherwise, its console errors) in ``page.errors``."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
# The README's screenshots are refreshed with KOMANDO_UPDATE_SCREENSHOTS=1; ordinary runs write
# theirs to var/ so that running the tests leaves the work tree clean. Every test writes files of its
# own names, so parallel workers never write the same file.
SCREENSHOTS = (
    Path(settings.PROJECT_DIR) / "docs" / "screenshots"
    if os.environ.get("KOMANDO_UPDATE_SCREENSHOTS")
    else Path(settings.VAR_DIR) / "screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def watch(page, console_errors: bool = True):
    """``page`` with its uncaught exceptions (and console errors) collected in ``page.errors``."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    if console_errors:
        page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    return page


def open_context(browser, viewport: dict | None = None, *, console_errors: bool = True, phone: bool = False, **options):
    """A new browser context (Indonesian, WIB) and its first page, watched. ``phone``: touch, mobile,
    390×844 unless another viewport is given."""
    if phone:
        options = {"is_mobile": True, "has_touch": True, **options}
    options.setdefault("locale", "id-ID")
    options.setdefault("timezone_id", "Asia/Jakarta")
    context = browser.new_context(viewport=viewport or (PHONE if phone else VIEWPORT), **options)
    return context, watch(context.new_page(), console_errors)
