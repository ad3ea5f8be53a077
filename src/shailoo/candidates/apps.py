from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "shailoo.candidates"
    label = "candidates"
    verbose_name = _("Candidates, parties and participants")
    default_auto_field = "django.db.models.BigAutoField"
