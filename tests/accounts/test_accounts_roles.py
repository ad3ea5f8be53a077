"""The pure role engine: declarations hang together, scope decisions, bad assignments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shailoo.accounts.roles import (
    ADMIN_MODELS,
    ASSIGNABLE,
    ROLES,
    URLS,
    AdminPage,
    Agency,
    Grant,
    Open,
    Permission,
    Place,
    Role,
    Scope,
    allowed,
    check_role_scope,
    url_allowed,
)


def test_every_role_is_declared_and_public_is_not_assignable() -> None:
    assert set(ROLES) == set(Role)
    assert Role.PUBLIC not in ASSIGNABLE and not ROLES[Role.PUBLIC].permissions
    assert ROLES[Role.CEC_ADMIN].permissions == frozenset(Permission)


def test_staff_roles_need_the_second_factor() -> None:
    assert all(spec.mfa for spec in ROLES.values() if spec.staff)


def test_only_country_roles_enter_the_admin() -> None:
    for spec in ROLES.values():
        if Permission.ADMIN_SITE in spec.permissions:
            assert spec.scopes == {Scope.COUNTRY}, spec.role


def test_admin_rights_that_change_also_view() -> None:
    """Django shows a change page to whoever may change; the matrix must agree."""
    for model, rights in ADMIN_MODELS.items():
        for granted in (rights.add, rights.change, rights.delete):
            if granted is None:
                continue
            for spec in ROLES.values():
                if granted in spec.permissions:
                    assert rights.view in spec.permissions, (model, spec.role)


def test_matrix_uses_only_declared_values() -> None:
    for name, access in URLS.items():
        assert isinstance(access, Permission | Open | AdminPage), name


ids = st.integers(min_value=1, max_value=5)
places = st.builds(Place, ids, ids, ids)
grants = st.builds(
    Grant,
    st.sampled_from(ASSIGNABLE),
    st.sampled_from(list(Scope)),
    ids,
    ids,
    ids,
)


@given(st.lists(grants, max_size=4), st.sampled_from(list(Permission)), st.lists(places))
def test_allowed_needs_a_grant_with_the_permission_that_covers_a_place(gs, permission, ps):
    expected = any(
        permission in ROLES[g.role].permissions
        and (g.scope is Scope.COUNTRY or any(g.covers(p) for p in ps))
        for g in gs
    )
    assert allowed(gs, permission, ps) is expected


@given(st.lists(grants, max_size=4), st.sampled_from(list(Permission)))
def test_adding_places_never_takes_access_away(gs, permission) -> None:
    place = Place(1, 1, 1)
    if allowed(gs, permission, [place]):
        assert allowed(gs, permission, [place, Place(2, 2, 2)])
        assert allowed(gs, permission)  # the page itself opens too


def test_scope_levels_cover_their_own_territory_only() -> None:
    here, there = Place(1, 10, 100), Place(2, 20, 200)
    for grant in (
        Grant(Role.TEC_OPERATOR, Scope.REGION, region_id=1),
        Grant(Role.TEC_OPERATOR, Scope.TEC, tec_id=10),
        Grant(Role.TEC_OPERATOR, Scope.STATION, station_id=100),
    ):
        assert grant.covers(here) and not grant.covers(there), grant
    assert Grant(Role.CEC_ADMIN, Scope.COUNTRY).covers(there)
    assert not Grant(Role.PEC_OPERATOR, Scope.STATION, station_id=100).covers(Place(1, 10))


def test_an_object_without_territory_is_for_country_roles_only() -> None:
    tec = Grant(Role.TEC_OPERATOR, Scope.TEC, tec_id=10)
    cec = Grant(Role.CEC_ADMIN, Scope.COUNTRY)
    assert not allowed([tec], Permission.CORRECTION_ANSWER, [])
    assert allowed([cec], Permission.CORRECTION_ANSWER, [])


def test_url_access_for_the_open_kinds() -> None:
    admin = [Grant(Role.CEC_ADMIN, Scope.COUNTRY)]
    assert url_allowed(Open.PUBLIC, [], signed_in=False)
    assert not url_allowed(Open.NOBODY, admin, signed_in=True)
    assert url_allowed(Open.LOGIN_STEP, [], signed_in=True)
    assert not url_allowed(Permission.PERSON_VIEW, admin, signed_in=False)


def test_bad_assignments_are_explained() -> None:
    assert check_role_scope(Role.TEC_OPERATOR, Scope.TEC, "") is None
    assert "takes scope tec" in str(check_role_scope(Role.TEC_OPERATOR, Scope.COUNTRY, ""))
    assert "needs an agency" in str(check_role_scope(Role.RESPONSE_GROUP, Scope.COUNTRY, ""))
    assert "needs an agency" in str(check_role_scope(Role.RESPONSE_GROUP, Scope.REGION, "army"))
    assert check_role_scope(Role.RESPONSE_GROUP, Scope.REGION, Agency.POLICE.value) is None
    assert "takes no agency" in str(check_role_scope(Role.OBSERVER, Scope.COUNTRY, "police"))
    assert "cannot be assigned" in str(check_role_scope(Role.PUBLIC, Scope.COUNTRY, ""))
