"""WSGI entry point for ``shailoo serve`` and any production WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
application = get_wsgi_application()
