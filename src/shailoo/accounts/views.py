"""Login (password, then TOTP), authenticator enrolment, and the access-log review page."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from shailoo.accounts import mfa
from shailoo.accounts.forms import AccessLogFilterForm, LoginForm, TokenForm
from shailoo.accounts.models import PersonalDataAccess, TOTPDevice
from shailoo.accounts.permissions import has_permission, is_verified, permission_required
from shailoo.accounts.roles import Permission

ACCESS_LOG_PAGE = 50


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _landing(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    """Where a freshly verified user goes: the page they asked for, else their start page."""
    if next_url:
        return redirect(next_url)
    if has_permission(user, Permission.REGISTER_OVERVIEW):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return redirect("portal:home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password. Success opens the TOTP step, not the session."""
    next_url = _safe_next(
        request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    )
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        mfa.begin(request, user, next_url)
        if mfa.confirmed_device(user) is not None:
            return redirect("accounts:verify")
        if mfa.self_enrolment_allowed():
            return redirect("accounts:enrol")
        request.session.pop(mfa.PENDING_KEY, None)
        messages.error(
            request,
            gettext(
                "No authenticator is registered for this account. Ask the administrator "
                "to enrol one (shailoo accounts enrol-totp)."
            ),
        )
        return redirect("login")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_url}
    return render(request, "registration/login.html", context, status=status)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the authenticator app completes the login."""
    if request.user.is_authenticated and is_verified(request.user):
        return _landing(request, request.user, "")
    state = mfa.pending(request)
    if state is None:
        return redirect_to_login(request.get_full_path())
    user, next_url = state
    device = mfa.confirmed_device(user)
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if mfa.locked_out(request, user):
            return _locked(request, user)
        if form.is_valid() and mfa.check_token(request, user, device, form.cleaned_data["token"]):
            mfa.complete(request, user, device)
            return _landing(request, user, next_url)
        if mfa.locked_out(request, user):
            return _locked(request, user)
        if form.is_valid():
            form.add_error("token", gettext("This code is not valid now. Try the next one."))
        status = 400
    return render(request, "accounts/verify.html", {"form": form, "user_name": user}, status=status)


def _locked(request: HttpRequest, user: Any) -> HttpResponse:
    from axes.helpers import get_lockout_response

    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    request.session.pop(mfa.PENDING_KEY, None)
    return get_lockout_response(request, None, credentials)


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=5, light="#fff", title="QR"))


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: scan the QR code, confirm with one code.

    Open to a verified user (a new phone replaces the old one) and, when self-enrolment is
    on, to a user who has just passed the password step and has no authenticator yet.
    """
    verified = request.user.is_authenticated and is_verified(request.user)
    if verified:
        user, next_url = request.user, ""
    else:
        state = mfa.pending(request)
        if state is None:
            return redirect_to_login(request.get_full_path())
        user, next_url = state
        if mfa.confirmed_device(user) is not None:
            return redirect("accounts:verify")
        if not mfa.self_enrolment_allowed():
            return redirect("login")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by(
        "-id"
    ).first() or TOTPDevice.for_user(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and mfa.check_token(request, user, device, form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            messages.success(request, gettext("The authenticator is registered."))
            if verified:
                otp_login(request, device)
            else:
                mfa.complete(request, user, device)
            return _landing(request, user, next_url)
        if form.is_valid():
            form.add_error("token", gettext("This code is not valid now. Try the next one."))
        status = 400
    uri = device.config_url()
    context = {
        "form": form,
        "qr_svg": _qr_svg(uri),
        "secret": " ".join(
            device.secret_base32[i : i + 4] for i in range(0, len(device.secret_base32), 4)
        ),
        "user_name": user,
    }
    return render(request, "accounts/enrol.html", context, status=status)


@require_GET
@permission_required(Permission.ACCESS_LOG_VIEW)
def access_log_view(request: HttpRequest) -> HttpResponse:
    """Who viewed which person record, newest first, filterable by user and record."""
    form = AccessLogFilterForm(request.GET)
    entries = PersonalDataAccess.objects.all()
    if form.is_valid():
        if form.cleaned_data["username"]:
            entries = entries.filter(username__icontains=form.cleaned_data["username"])
        if form.cleaned_data["subject"]:
            entries = entries.filter(subject_id=form.cleaned_data["subject"])
    page = Paginator(entries, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "query_string": params.urlencode()}
    return render(request, "accounts/access_log.html", context)
