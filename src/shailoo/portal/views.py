"""Public portal pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shailoo.geo.models import PollingStation, Region
from shailoo.register.models import Person


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the register holds, and where a voter can check themself."""
    context = {
        "regions": Region.objects.count(),
        "stations": PollingStation.objects.count(),
        "voters": Person.objects.filter(eligible=True).count(),
    }
    return render(request, "portal/home.html", context)
