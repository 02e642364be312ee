"""Request-wide context for the audit trail."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dangjian.core.audit import audit_source
from dangjian.core.models import AuditSource


class AuditSourceMiddleware:
    """Marks changes made during a request as coming from the API or the web interface."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.UI
        with audit_source(source):
            return self.get_response(request)
