from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shailoo.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Subscribers hear of accepted protocols and published turnout through the signals
        the rooms below send after their commits (they cannot call the portal)."""
        from shailoo.counting.results.decisions import protocol_accepted
        from shailoo.polling.turnout import turnout_published
        from shailoo.portal import subscription_sending

        protocol_accepted.connect(
            subscription_sending.on_protocol_accepted, dispatch_uid="portal.subscriptions.results"
        )
        turnout_published.connect(
            subscription_sending.on_turnout_published, dispatch_uid="portal.subscriptions.turnout"
        )
