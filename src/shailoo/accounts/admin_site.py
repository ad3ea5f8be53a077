"""The admin site: entered only through the MFA login, and only with the admin permission."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.permissions import has_permission, is_verified
from shailoo.accounts.roles import Permission


class ShailooAdminSite(admin.AdminSite):
    site_header = "Shailoo"
    site_title = _("Shailoo administration")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and is_verified(user)
            and has_permission(user, Permission.ADMIN_SITE)
        )

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """No password-only door: the admin's login page hands over to the MFA login."""
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, settings.LOGIN_URL)
