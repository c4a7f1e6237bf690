import threading

_context = threading.local()


def current_request():
    return getattr(_context, "request", None)


class AuditContextMiddleware:
    """Remembers the request so audit records know the address a change came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _context.request = request
        try:
            return self.get_response(request)
        finally:
            _context.request = None
