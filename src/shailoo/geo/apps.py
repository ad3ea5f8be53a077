from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "shailoo.geo"
    label = "geo"
    verbose_name = _("Electoral geography")
    default_auto_field = "django.db.models.BigAutoField"
