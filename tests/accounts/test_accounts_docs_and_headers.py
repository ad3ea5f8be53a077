"""docs/permissions.md is the matrix in force; pages carry CSP and security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from shailoo.accounts.permissions_doc import render
from shailoo.accounts.roles import URLS, Permission, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_permissions_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run tools/render_permissions.py"


def test_doc_names_every_role_permission_and_url() -> None:
    text = render()
    for name in [*(r.value for r in Role), *(p.value for p in Permission), *URLS]:
        assert f"`{name}`" in text, name


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/check/", "/stations/", "/accounts/login/"])
def test_pages_send_a_strict_content_security_policy(client: Client, url: str) -> None:
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script"
    assert "<style" not in body and not re.search(r"\sstyle=", body), "inline style"


@pytest.mark.django_db
def test_api_docs_allow_inline_styles_but_never_inline_scripts(client: Client) -> None:
    page = client.get("/api/docs/")
    assert "style-src 'self' 'unsafe-inline'" in page["Content-Security-Policy"]
    assert "script-src 'self';" in page["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.content.decode())
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
