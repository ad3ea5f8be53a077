"""Render the permission matrix of ``accounts.roles`` as Markdown (pure: no Django).

``tools/render_permissions.py`` writes the result to ``docs/permissions.md``; a test fails
when the file and the matrix differ, so the published page is always the matrix in force.
"""

from __future__ import annotations

from shailoo.accounts.roles import (
    PERMISSION_TEXT,
    ROLES,
    URLS,
    Access,
    AdminPage,
    Grant,
    Open,
    Permission,
    Role,
    Scope,
    url_allowed,
)

_ROLE_ORDER = tuple(Role)


def _cell(ok: bool) -> str:
    return "✔" if ok else "·"


def _short(role: Role) -> str:
    return role.value


def _access_text(access: Access) -> str:
    if isinstance(access, Open):
        return {
            Open.PUBLIC: "public",
            Open.LOGIN_STEP: "login step",
            Open.NOBODY: "nobody",
            Open.SIGNED: "signed request",
        }[access]
    if isinstance(access, AdminPage):
        return f"admin + `{access.permission.value}`"
    return f"`{access.value}`"


def _grants(role: Role) -> list[Grant]:
    """One assignment of ``role`` (the scope does not matter for URL access)."""
    spec = ROLES[role]
    return [Grant(role, scope) for scope in Scope if scope in spec.scopes][:1]


def render() -> str:
    """The whole page."""
    out: list[str] = [
        "# Permissions",
        "",
        "Generated from `src/shailoo/accounts/roles.py` by `tools/render_permissions.py`; do",
        "not edit by hand (a test compares this file with the matrix).",
        "",
        "Deny by default: a role has exactly the permissions ticked below, each only inside",
        "the territory of the assignment (country, region, TEC or polling station). A user",
        "may hold several assignments. Every page behind a login needs the password *and* a",
        "TOTP code; staff views of a person's record are logged.",
        "",
        "## Roles",
        "",
        "| role | title | staff | second factor | scopes | agency | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for role in _ROLE_ORDER:
        spec = ROLES[role]
        scopes = ", ".join(s.value for s in Scope if s in spec.scopes) or "—"
        out.append(
            f"| `{role.value}` | {spec.title} | {'yes' if spec.staff else 'no'} | "
            f"{'TOTP' if spec.mfa else '—'} | {scopes} | {'yes' if spec.agency else '—'} | "
            f"{spec.note} |"
        )
    out += [
        "",
        "## Permissions by role",
        "",
        "| permission | meaning | " + " | ".join(_short(r) for r in _ROLE_ORDER) + " |",
        "| --- | --- | " + " | ".join("---" for _ in _ROLE_ORDER) + " |",
    ]
    for permission in Permission:
        cells = " | ".join(_cell(permission in ROLES[r].permissions) for r in _ROLE_ORDER)
        out.append(f"| `{permission.value}` | {PERMISSION_TEXT[permission]} | {cells} |")
    out += [
        "",
        "## Every URL pattern",
        "",
        "Admin pages count only country-wide assignments (admin lists are not cut to a",
        'territory). "login step": the MFA pages, open to whoever passed the password.',
        '"signed request": device and commission submissions, authenticated by a registered',
        "key's signature (integrity keys), never by a browser session.",
        "",
        "| URL name or route | needs | " + " | ".join(_short(r) for r in _ROLE_ORDER) + " |",
        "| --- | --- | " + " | ".join("---" for _ in _ROLE_ORDER) + " |",
    ]
    for name in sorted(URLS):
        access = URLS[name]
        cells = " | ".join(
            _cell(url_allowed(access, _grants(r), signed_in=r is not Role.PUBLIC))
            for r in _ROLE_ORDER
        )
        out.append(f"| `{name}` | {_access_text(access)} | {cells} |")
    out.append("")
    return "\n".join(out)
