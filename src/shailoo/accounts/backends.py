"""Authentication backend whose Django model permissions come from roles, not groups.

Passwords are checked as usual (``ModelBackend``); the admin's model permissions
(``register.view_person`` and the like) are answered from :data:`roles.ADMIN_MODELS` and the
user's country-wide role assignments only, because admin lists are not cut down to a
territory. Django's per-user and per-group permission tables are ignored: roles are the one
source of rights.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from shailoo.accounts.permissions import grants_of
from shailoo.accounts.roles import ADMIN_MODELS, Permission, Scope, allowed

_ACTIONS = ("view", "add", "change", "delete")


def admin_permission(perm: str) -> Permission | None:
    """The role permission behind a Django permission name, e.g. ``geo.change_region``."""
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    rights = ADMIN_MODELS.get(f"{app_label}.{model_name}")
    if rights is None or action not in _ACTIONS:
        return None
    granted: Permission | None = getattr(rights, action)
    if action == "view" and granted is None:
        return rights.view
    return granted


class RoleBackend(ModelBackend):
    def _country_grants(self, user_obj: Any) -> tuple[Any, ...]:
        return tuple(g for g in grants_of(user_obj) if g.scope is Scope.COUNTRY)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not user_obj.is_active:
            return set()
        grants = self._country_grants(user_obj)
        names = set()
        for model, rights in ADMIN_MODELS.items():
            app_label, model_name = model.split(".")
            for action in _ACTIONS:
                needed = getattr(rights, action)
                if needed is not None and allowed(grants, needed):
                    names.add(f"{app_label}.{action}_{model_name}")
        return names

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        needed = admin_permission(perm)
        return needed is not None and allowed(self._country_grants(user_obj), needed)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(name.startswith(f"{app_label}.") for name in self.get_all_permissions(user_obj))
