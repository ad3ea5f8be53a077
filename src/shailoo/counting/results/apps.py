from django.apps import AppConfig


class CountingResultsConfig(AppConfig):
    name = "shailoo.counting.results"
    label = "counting_results"
    verbose_name = "Protocols and results"
    default_auto_field = "django.db.models.BigAutoField"
