from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "shailoo.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Accounts and access")


class ShailooAdminConfig(admin_apps.AdminConfig):
    """The Django admin with our site: one login with MFA, entry by role (see admin_site)."""

    default = False
    default_site = "shailoo.accounts.admin_site.ShailooAdminSite"
