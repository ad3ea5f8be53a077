"""Pages of campaign finance: the public disclosure under ``/finance/`` (every fund of an
election, one fund, the open data) and the auditors' workspace under ``/staff/finance/``
(flags, the donor review queue, statement upload), mounted at the root by ``shailoo.urls``.

``open-data.csv`` and ``index.json`` (the funds page as JSON) come before ``<account>/``; an
account is letters and digits only, so they never meet anyway. A fund's page as JSON is
``<account>/index.json``, beside its ``transactions.csv``."""

from django.urls import path

from shailoo.finance import views_public, views_staff

app_name = "finance"
urlpatterns = [
    path("finance/", views_public.funds, name="funds"),
    path("finance/open-data.csv", views_public.open_data, name="open_data"),
    path("finance/index.json", views_public.funds_json, name="funds_json"),
    path("finance/<str:account>/", views_public.fund, name="fund"),
    path("finance/<str:account>/index.json", views_public.fund_json, name="fund_json"),
    path(
        "finance/<str:account>/transactions.csv",
        views_public.transactions_csv,
        name="fund_transactions",
    ),
    path("staff/finance/", views_staff.flags, name="flags"),
    path("staff/finance/flags/<int:pk>/", views_staff.flag_detail, name="flag"),
    path("staff/finance/flags/<int:pk>/review/", views_staff.review, name="review"),
    path("staff/finance/flags/<int:pk>/decide/", views_staff.decide, name="decide"),
    path("staff/finance/flags/<int:pk>/disclose/", views_staff.disclose, name="disclose"),
    path("staff/finance/review/", views_staff.queue, name="queue"),
    path("staff/finance/review/<int:pk>/", views_staff.resolve, name="resolve"),
    path("staff/finance/import/", views_staff.import_statement, name="import"),
]
