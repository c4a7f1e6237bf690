"""The interface speaks the installation's language (Bahasa Indonesia) unless a person chose another.

Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and many officials'
browsers (and the command room's screens) are set to English. A choice made with the language
switch (the ``django_language`` cookie) still wins.
"""

from django.conf import settings


class InstallationLanguageMiddleware:
    """Placed before LocaleMiddleware: hides Accept-Language when no language was chosen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
