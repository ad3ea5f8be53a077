from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "shailoo.candidates"
    label = "candidates"
    verbose_name = "Candidates, parties and participants"
    default_auto_field = "django.db.models.BigAutoField"
