"""Staff pages for the voter register."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shailoo.register.models import ImportRun, Person


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Register overview for commission staff: totals and the latest imports."""
    context = {
        "persons": Person.objects.count(),
        "eligible": Person.objects.filter(eligible=True).count(),
        "runs": ImportRun.objects.all()[:10],
    }
    return render(request, "register/dashboard.html", context)
