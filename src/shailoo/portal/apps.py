from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shailoo.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
