"""URL map: public portal, staff pages, admin, API and its OpenAPI description.

Every pattern here (and below the includes) must appear in the permission matrix
(``accounts.roles.URLS``): a test walks them all for every role.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shailoo.accounts import views as account_views
from shailoo.accounts.security import relaxed_styles
from shailoo.common import metrics
from shailoo.integrity import health

urlpatterns = [
    path("", include("shailoo.portal.urls")),
    path("subscribe/", include("shailoo.portal.subscription_urls")),
    path("staff/", include("shailoo.register.urls")),
    path("staff/counting/", include("shailoo.counting.urls")),
    path("staff/results/", include("shailoo.counting.results.urls")),
    path("staff/dedup/", include("shailoo.biometrics.dedup.urls")),
    path("results/", include("shailoo.counting.results.public_urls")),
    path("", include("shailoo.candidates.urls")),
    path("", include("shailoo.incidents.urls")),
    path("", include("shailoo.finance.urls")),
    path("", include("shailoo.polling.urls")),
    path("open311/v2/", include("shailoo.incidents.open311_urls")),
    path("api/", include("shailoo.portal.api_urls")),
    path("api/integrity/", include("shailoo.integrity.urls")),
    path("api/incidents/", include("shailoo.incidents.api_urls")),
    path("api/polling/", include("shailoo.polling.api_urls")),
    path("api/results/", include("shailoo.counting.results.api_urls")),
    path("api/candidates/", include("shailoo.candidates.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        relaxed_styles(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("shailoo.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]

# Under /api/ an unknown URL or a refused request (a body over the upload limit) answers the
# API's refusal body as JSON; elsewhere Django's 404 and 400 pages.
handler400 = "shailoo.common.web.bad_request"
handler404 = "shailoo.common.web.page_not_found"
