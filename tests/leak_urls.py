"""The site's URLs plus a page and an API view that fail, naming the PIN they were sent: the
5xx paths of the leak scan (``test_nothing_leaked``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.urls import urlpatterns as site


@csrf_exempt  # also called as a bare WSGI request (tests/test_serve.py)
def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"could not load the person with PIN {request.POST.get('pin')}")


class FailingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    def post(self, request: Request) -> Response:
        raise LookupError(f"no station for {request.data.get('pin')}")


urlpatterns = [
    path("boom/", failing_page),
    path("api/boom/", FailingApi.as_view()),
    *site,
]
