"""Roles, territorial scopes and the one permission matrix of the platform (pure: no Django).

Everything that decides who may do what is declared here as data: the roles with the scopes
they may hold, the permissions each role grants, the access every URL pattern needs and the
admin rights per model. The service checks (``accounts.permissions``), the admin, the
generated ``docs/permissions.md`` and the test that walks every URL all read these tables,
so the documentation and the behaviour cannot drift apart.

Deny by default: a permission not granted here is refused, an object outside every scope the
user holds is refused, and a URL missing from :data:`URLS` fails the matrix test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Who a user is for the election administration."""

    CEC_ADMIN = "cec_admin"
    CEC_MEMBER = "cec_member"
    TEC_OPERATOR = "tec_operator"
    PEC_OPERATOR = "pec_operator"
    STATION_DEVICE = "station_device"
    FINANCE_AUDITOR = "finance_auditor"
    RESPONSE_GROUP = "response_group"
    AGENT = "agent"
    OBSERVER = "observer"
    PUBLIC = "public"


class Scope(StrEnum):
    """The territory an assignment covers, from the whole country down to one station."""

    COUNTRY = "country"
    REGION = "region"
    TEC = "tec"
    STATION = "station"


class Agency(StrEnum):
    """Agencies that delegate members to the rapid-response coordination groups."""

    COMMISSION = "commission"
    PROSECUTOR = "prosecutor"
    POLICE = "police"
    NATIONAL_SECURITY = "national_security"


class Permission(StrEnum):
    """What a role may do; each permission is checked with the object's territory."""

    REGISTER_OVERVIEW = "register.overview"
    PERSON_SEARCH = "register.person_search"
    PERSON_VIEW = "register.person_view"
    PERSON_EDIT = "register.person_edit"
    REGISTER_RECORDS = "register.records_view"
    VOTING_PLACE_CHANGE = "register.voting_place_change"
    CORRECTION_VIEW = "register.correction_view"
    CORRECTION_REQUEST = "register.correction_request"
    CORRECTION_ANSWER = "register.correction_answer"
    GEO_EDIT = "geo.edit"
    ELECTION_EDIT = "elections.edit"
    INTEGRITY_VIEW = "integrity.view"
    ACCESS_LOG_VIEW = "accounts.access_log_view"
    ACCOUNTS_MANAGE = "accounts.manage"
    ADMIN_SITE = "admin.site"
    BIOMETRIC_ENROL = "biometrics.enrol"
    BIOMETRIC_VIEW = "biometrics.view"
    DEDUP_ADJUDICATE = "biometrics.dedup_adjudicate"
    RESULTS_VIEW = "counting.results_view"
    BALLOT_ADJUDICATE = "counting.ballot_adjudicate"
    PROTOCOL_ENTER = "counting.protocol_enter"
    PROTOCOL_ACCEPT = "counting.protocol_accept"
    ELECTION_DEFINE = "counting.election_define"
    AUDIT_CONDUCT = "counting.audit_conduct"
    CANDIDATES_VIEW = "candidates.view"
    CANDIDATES_NOMINATE = "candidates.nominate"
    CANDIDATES_DECIDE = "candidates.decide"
    PARTICIPANTS_ADMIT = "candidates.participants"
    INCIDENTS_VIEW = "incidents.view"
    INCIDENTS_HANDLE = "incidents.handle"
    INCIDENTS_ROUTE = "incidents.route"
    INCIDENTS_REPORT = "incidents.report"
    FINANCE_VIEW = "finance.view"
    FINANCE_IMPORT = "finance.import"
    FINANCE_REVIEW = "finance.review"
    POLLING_VIEW = "polling.view"
    POLLING_DEVICES = "polling.devices"
    HOME_VOTING = "polling.home_voting"


class Open(StrEnum):
    """URL access that is not a permission."""

    PUBLIC = "public"  # anyone, signed in or not
    LOGIN_STEP = "login-step"  # anyone who has passed the password step (MFA pages)
    NOBODY = "nobody"  # exists for the framework but is refused to every role
    SIGNED = "signed"  # device or commission submissions: a signed request, never a session


@dataclass(frozen=True, slots=True)
class AdminPage:
    """An admin page: needs the admin site *and* ``permission``, both country-wide."""

    permission: Permission


Access = Permission | Open | AdminPage

PERMISSION_TEXT: Mapping[Permission, str] = {
    Permission.REGISTER_OVERVIEW: "Register overview: totals, imports, alerts in scope",
    Permission.PERSON_SEARCH: "Search persons (results limited to the scope)",
    Permission.PERSON_VIEW: "Read a person's record and verdict (every view is logged)",
    Permission.PERSON_EDIT: "Correct a person's data in the admin (history kept)",
    Permission.REGISTER_RECORDS: "Read import runs, rejects, histories, requests in the admin",
    Permission.VOTING_PLACE_CHANGE: "Apply a request to vote elsewhere",
    Permission.CORRECTION_VIEW: "Read the list-corrections queue",
    Permission.CORRECTION_REQUEST: "Register a voter's correction request",
    Permission.CORRECTION_ANSWER: "Accept or reject a correction request",
    Permission.GEO_EDIT: "Edit regions, districts, TECs and polling stations",
    Permission.ELECTION_EDIT: "Create and edit elections",
    Permission.INTEGRITY_VIEW: "Read ledger entries, signed tree heads and keys in the admin",
    Permission.ACCESS_LOG_VIEW: "Review who viewed which person record",
    Permission.ACCOUNTS_MANAGE: "Manage users, role assignments, TOTP devices, lockouts",
    Permission.ADMIN_SITE: "Enter the Django admin",
    Permission.BIOMETRIC_ENROL: "Enrol a person's biometric templates (stored encrypted)",
    Permission.BIOMETRIC_VIEW: "See enrolment status and identification decisions (no templates)",
    Permission.DEDUP_ADJUDICATE: "Decide likely biometric duplicates side by side",
    Permission.RESULTS_VIEW: "Read station protocols and aggregated results in scope",
    Permission.BALLOT_ADJUDICATE: "Decide ballots the scanner could not read with certainty",
    Permission.PROTOCOL_ENTER: "Enter a station's manual count and protocol lines",
    Permission.PROTOCOL_ACCEPT: "Accept or dispute protocols of stations in scope",
    Permission.ELECTION_DEFINE: "Import the election definition: contests, options, ballot styles",
    Permission.AUDIT_CONDUCT: "Run a risk-limiting audit: draw the sample, record ballots",
    Permission.CANDIDATES_VIEW: "Read nominations, checks with their evidence, lists, signatures",
    Permission.CANDIDATES_NOMINATE: "File nominations and documents, change, withdraw, replace",
    Permission.CANDIDATES_DECIDE: "Check candidates, decide registration, signatures, appeals",
    Permission.PARTICIPANTS_ADMIT: "Register representatives, proxies and observers; revoke them",
    Permission.INCIDENTS_VIEW: "Read the cases of one's agency and territory (views logged)",
    Permission.INCIDENTS_HANDLE: "Work cases: notes, evidence, sharing, decisions",
    Permission.INCIDENTS_ROUTE: "Set which agency handles each category of case",
    Permission.INCIDENTS_REPORT: "File reports signed in (hotline, observers, agents), follow them",
    Permission.FINANCE_VIEW: "Read election funds, statements, donors, flags and their evidence",
    Permission.FINANCE_IMPORT: "Import bank statements of election funds",
    Permission.FINANCE_REVIEW: "Resolve donors, review flags, decide returns and transfers",
    Permission.POLLING_VIEW: "Election day: turnout by hour, station records, devices, conflicts",
    Permission.POLLING_DEVICES: "Enrol and revoke stations' identification devices",
    Permission.HOME_VOTING: "Register and cancel voters' requests to vote at home",
}


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """A role as the law and the commission's rules define it."""

    role: Role
    title: str
    staff: bool  # commission staff: a Django staff account
    mfa: bool  # signs in with password and TOTP (devices use signed requests instead)
    scopes: frozenset[Scope]  # scopes an assignment of this role may have
    agency: bool  # an assignment names the delegating agency
    permissions: frozenset[Permission]
    note: str


_REGISTER_READ = frozenset(
    {
        Permission.REGISTER_OVERVIEW,
        Permission.PERSON_SEARCH,
        Permission.PERSON_VIEW,
        Permission.CORRECTION_VIEW,
    }
)
_ALL_LEVELS = frozenset(Scope)

ROLES: Mapping[Role, RoleSpec] = {
    spec.role: spec
    for spec in (
        RoleSpec(
            Role.CEC_ADMIN,
            "CEC administrator",
            staff=True,
            mfa=True,
            scopes=frozenset({Scope.COUNTRY}),
            agency=False,
            permissions=frozenset(Permission),
            note="Runs the platform for the Central Election Commission.",
        ),
        RoleSpec(
            Role.CEC_MEMBER,
            "CEC member",
            staff=True,
            mfa=True,
            scopes=frozenset({Scope.COUNTRY}),
            agency=False,
            permissions=_REGISTER_READ
            | {
                Permission.ACCESS_LOG_VIEW,
                Permission.BIOMETRIC_VIEW,
                Permission.DEDUP_ADJUDICATE,
                Permission.RESULTS_VIEW,
                Permission.PROTOCOL_ACCEPT,
                Permission.AUDIT_CONDUCT,
                Permission.CANDIDATES_VIEW,
                Permission.CANDIDATES_DECIDE,
                Permission.PARTICIPANTS_ADMIT,
                Permission.FINANCE_VIEW,
                Permission.POLLING_VIEW,
            },
            note="Oversees the register, results, audits and campaign finance; reviews access "
            "to personal data; decides on candidates and accredits participants.",
        ),
        RoleSpec(
            Role.TEC_OPERATOR,
            "TEC operator",
            staff=True,
            mfa=True,
            scopes=frozenset({Scope.TEC}),
            agency=False,
            permissions=_REGISTER_READ
            | {
                Permission.VOTING_PLACE_CHANGE,
                Permission.CORRECTION_REQUEST,
                Permission.CORRECTION_ANSWER,
                Permission.BIOMETRIC_ENROL,
                Permission.BIOMETRIC_VIEW,
                Permission.RESULTS_VIEW,
                Permission.BALLOT_ADJUDICATE,
                Permission.PROTOCOL_ENTER,
                Permission.PROTOCOL_ACCEPT,
                Permission.AUDIT_CONDUCT,
                Permission.POLLING_VIEW,
                Permission.POLLING_DEVICES,
                Permission.HOME_VOTING,
            },
            note="Works the register, biometrics and results of one territorial commission.",
        ),
        RoleSpec(
            Role.PEC_OPERATOR,
            "Precinct (PEC) operator",
            staff=True,
            mfa=True,
            scopes=frozenset({Scope.STATION}),
            agency=False,
            permissions=_REGISTER_READ
            | {
                Permission.CORRECTION_REQUEST,
                Permission.BIOMETRIC_VIEW,
                Permission.RESULTS_VIEW,
                Permission.BALLOT_ADJUDICATE,
                Permission.PROTOCOL_ENTER,
                Permission.POLLING_VIEW,
                Permission.HOME_VOTING,
            },
            note="Works the list, ballots and protocol of one polling station.",
        ),
        RoleSpec(
            Role.STATION_DEVICE,
            "Polling-station device",
            staff=False,
            mfa=False,
            scopes=frozenset({Scope.STATION}),
            agency=False,
            permissions=frozenset(),
            note="A machine: submits with signed requests (integrity keys), no web pages.",
        ),
        RoleSpec(
            Role.FINANCE_AUDITOR,
            "Finance auditor",
            staff=True,
            mfa=True,
            # Country-wide only: funds of national elections are audited by the CEC; the
            # finance services take no territory, so a regional grant would see every fund.
            scopes=frozenset({Scope.COUNTRY}),
            agency=False,
            permissions=frozenset(
                {Permission.FINANCE_VIEW, Permission.FINANCE_IMPORT, Permission.FINANCE_REVIEW}
            ),
            note="Audits campaign finance: imports fund statements, resolves donors, reviews "
            "flags and decides on prohibited money.",
        ),
        RoleSpec(
            Role.RESPONSE_GROUP,
            "Response-group member",
            staff=True,
            mfa=True,
            scopes=frozenset({Scope.COUNTRY, Scope.REGION, Scope.TEC}),
            agency=True,
            permissions=frozenset(
                {
                    Permission.INCIDENTS_VIEW,
                    Permission.INCIDENTS_HANDLE,
                    Permission.INCIDENTS_REPORT,
                }
            ),
            note="Delegated by an agency to the CEC's or a TEC's coordination group: works the "
            "cases routed to the agency in the group's territory.",
        ),
        RoleSpec(
            Role.AGENT,
            "Candidate or party agent",
            staff=False,
            mfa=True,
            scopes=_ALL_LEVELS,
            agency=False,
            permissions=frozenset({Permission.INCIDENTS_REPORT}),
            note="Sees what the public sees; files reports of violations signed in and follows "
            "them.",
        ),
        RoleSpec(
            Role.OBSERVER,
            "Observer",
            staff=False,
            mfa=True,
            scopes=_ALL_LEVELS,
            agency=False,
            permissions=frozenset({Permission.INCIDENTS_REPORT}),
            note="Accredited observer; sees what the public sees; files reports of violations "
            "signed in and follows them.",
        ),
        RoleSpec(
            Role.PUBLIC,
            "Public",
            staff=False,
            mfa=False,
            scopes=frozenset(),
            agency=False,
            permissions=frozenset(),
            note="Anyone, not signed in: the portal, self-check and public API only.",
        ),
    )
}

#: Roles that can be assigned to an account (``public`` is what nobody signed in is).
ASSIGNABLE: tuple[Role, ...] = tuple(r for r in Role if ROLES[r].scopes)


# -- the URL matrix ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminRights:
    """Permissions behind a model's admin pages; None: no role gets that action."""

    view: Permission
    add: Permission | None = None
    change: Permission | None = None
    delete: Permission | None = None


#: Admin pages per model (``app_label.model_name``). Only country-scope assignments count
#: in the admin, because its lists are not cut down to a territory.
ADMIN_MODELS: Mapping[str, AdminRights] = {
    "auth.user": AdminRights(
        Permission.ACCOUNTS_MANAGE, Permission.ACCOUNTS_MANAGE, Permission.ACCOUNTS_MANAGE
    ),
    "accounts.roleassignment": AdminRights(
        Permission.ACCOUNTS_MANAGE, Permission.ACCOUNTS_MANAGE, Permission.ACCOUNTS_MANAGE
    ),
    "accounts.totpdevice": AdminRights(
        Permission.ACCOUNTS_MANAGE, None, Permission.ACCOUNTS_MANAGE, Permission.ACCOUNTS_MANAGE
    ),
    "accounts.personaldataaccess": AdminRights(Permission.ACCESS_LOG_VIEW),
    "axes.accessattempt": AdminRights(
        Permission.ACCOUNTS_MANAGE, None, None, Permission.ACCOUNTS_MANAGE
    ),
    "axes.accesslog": AdminRights(Permission.ACCOUNTS_MANAGE),
    "axes.accessfailurelog": AdminRights(Permission.ACCOUNTS_MANAGE),
    "geo.region": AdminRights(*[Permission.GEO_EDIT] * 4),
    "geo.district": AdminRights(*[Permission.GEO_EDIT] * 4),
    "geo.territorialcommission": AdminRights(*[Permission.GEO_EDIT] * 4),
    "geo.pollingstation": AdminRights(*[Permission.GEO_EDIT] * 4),
    "elections.election": AdminRights(*[Permission.ELECTION_EDIT] * 4),
    "register.person": AdminRights(Permission.PERSON_VIEW, None, Permission.PERSON_EDIT),
    "register.personchange": AdminRights(Permission.REGISTER_RECORDS),
    "register.importrun": AdminRights(Permission.REGISTER_RECORDS),
    "register.importreject": AdminRights(Permission.REGISTER_RECORDS),
    "register.votingplacechange": AdminRights(Permission.REGISTER_RECORDS),
    "register.listcorrection": AdminRights(Permission.REGISTER_RECORDS),
    "integrity.ledgerentry": AdminRights(Permission.INTEGRITY_VIEW),
    "integrity.treehead": AdminRights(Permission.INTEGRITY_VIEW),
    "integrity.registeredkey": AdminRights(Permission.INTEGRITY_VIEW),
    "counting.definition": AdminRights(Permission.ELECTION_DEFINE),
    "counting.contest": AdminRights(Permission.ELECTION_DEFINE),
    "counting.contestoption": AdminRights(Permission.ELECTION_DEFINE),
    "counting.ballotstyle": AdminRights(Permission.ELECTION_DEFINE),
    "counting.scannedsheet": AdminRights(Permission.RESULTS_VIEW),
    "counting.adjudication": AdminRights(Permission.RESULTS_VIEW),
    "counting_results.protocol": AdminRights(Permission.RESULTS_VIEW),
    "counting_results.protocolversion": AdminRights(Permission.RESULTS_VIEW),
    "counting_results.protocoldecision": AdminRights(Permission.RESULTS_VIEW),
    "counting_results.automaticcount": AdminRights(Permission.RESULTS_VIEW),
    "counting_results.countingalert": AdminRights(Permission.RESULTS_VIEW),
    "biometrics.biometricenrolment": AdminRights(Permission.BIOMETRIC_VIEW),
    "biometrics.identificationlog": AdminRights(Permission.BIOMETRIC_VIEW),
    "biometrics_dedup.deduprun": AdminRights(Permission.DEDUP_ADJUDICATE),
    "biometrics_dedup.duplicatecandidate": AdminRights(Permission.DEDUP_ADJUDICATE),
    "biometrics_dedup.adjudicationdecision": AdminRights(Permission.DEDUP_ADJUDICATE),
}

#: Extra admin pages some model admins add, by URL name, with the access they need.
ADMIN_EXTRA: Mapping[str, Access] = {
    "admin:auth_user_password_change": AdminPage(Permission.ACCOUNTS_MANAGE),
}

#: The admin site's own pages.
ADMIN_SITE: Mapping[str, Access] = {
    "admin:index": Permission.ADMIN_SITE,
    "admin:login": Open.PUBLIC,  # sends everyone to the one login with MFA
    "admin:logout": Open.PUBLIC,  # the admin sends outsiders to its index, which refuses
    "admin:password_change": Permission.ADMIN_SITE,
    "admin:password_change_done": Permission.ADMIN_SITE,
    "admin:autocomplete": Permission.ADMIN_SITE,
    "admin:jsi18n": Permission.ADMIN_SITE,
    "admin:view_on_site": Permission.ADMIN_SITE,
    "admin:app_list": Permission.ADMIN_SITE,
    "admin/(?P<url>.*)$": Permission.ADMIN_SITE,  # unnamed catch-all: 404 inside the admin
}

#: Every other URL pattern, by name (``namespace:name``).
PAGES: Mapping[str, Access] = {
    "portal:home": Open.PUBLIC,
    "portal:check": Open.PUBLIC,
    "portal:stations": Open.PUBLIC,
    "portal:stations_json": Open.PUBLIC,
    "portal:station_list": Open.PUBLIC,
    "portal:station_list_csv": Open.PUBLIC,
    # readers' subscriptions to results and turnout (the token in the link is the authority)
    "subscriptions:subscribe": Open.PUBLIC,
    "subscriptions:sent": Open.PUBLIC,
    "subscriptions:code": Open.PUBLIC,
    "subscriptions:confirm": Open.PUBLIC,
    "subscriptions:unsubscribe": Open.PUBLIC,
    # the election calendar, the ledger page and its export, open data (nothing personal)
    "portal:calendar_json": Open.PUBLIC,
    "portal:ledger": Open.PUBLIC,
    "portal:ledger_json": Open.PUBLIC,
    "portal:ledger_export": Open.PUBLIC,
    "portal:open_data": Open.PUBLIC,
    "portal:open_data_json": Open.PUBLIC,
    "portal:open_data_results_csv": Open.PUBLIC,
    "portal:open_data_results_nist": Open.PUBLIC,
    "portal:open_data_cvr": Open.PUBLIC,
    "portal:open_data_candidates": Open.PUBLIC,
    "api-selfcheck": Open.PUBLIC,
    "api-stations": Open.PUBLIC,
    "api-station": Open.PUBLIC,
    "api-person-eligibility": Permission.PERSON_VIEW,
    "schema": Open.PUBLIC,
    "api-docs": Open.PUBLIC,
    "login": Open.PUBLIC,
    "logout": Open.PUBLIC,
    "set_language": Open.PUBLIC,
    # the ledger is verifiable by anyone; submissions carry a registered key's signature
    "integrity-head": Open.PUBLIC,
    "integrity-keys": Open.PUBLIC,
    "integrity-inclusion": Open.PUBLIC,
    "integrity-consistency": Open.PUBLIC,
    "integrity-signed-ping": Open.SIGNED,
    "accounts:verify": Open.LOGIN_STEP,
    "accounts:enrol": Open.LOGIN_STEP,
    "accounts:access_log": Permission.ACCESS_LOG_VIEW,
    "register:dashboard": Permission.REGISTER_OVERVIEW,
    "register:search": Permission.PERSON_SEARCH,
    "register:person": Permission.PERSON_VIEW,
    "register:voting_place": Permission.VOTING_PLACE_CHANGE,
    "register:corrections": Permission.CORRECTION_VIEW,
    "register:correction_answer": Permission.CORRECTION_ANSWER,
    # national biometric deduplication: the adjudication queue (country scope, checked inside)
    "biometrics_dedup:queue": Permission.DEDUP_ADJUDICATE,
    "biometrics_dedup:candidate": Permission.DEDUP_ADJUDICATE,
    "biometrics_dedup:decide": Permission.DEDUP_ADJUDICATE,
    # protocols and results: staff pages in scope, public results, signed submissions
    "staff_results:dashboard": Permission.RESULTS_VIEW,
    "staff_results:contest": Permission.RESULTS_VIEW,
    "staff_results:station": Permission.RESULTS_VIEW,
    "staff_results:enter": Permission.PROTOCOL_ENTER,
    "staff_results:automatic": Permission.PROTOCOL_ENTER,
    "staff_results:protocol": Permission.RESULTS_VIEW,
    "staff_results:protocol_pdf": Permission.RESULTS_VIEW,
    "staff_results:accept": Permission.PROTOCOL_ACCEPT,
    "staff_results:dispute": Permission.PROTOCOL_ACCEPT,
    "results:index": Open.PUBLIC,
    "results:election": Open.PUBLIC,
    "results:station": Open.PUBLIC,
    "results:index_json": Open.PUBLIC,
    "results:election_json": Open.PUBLIC,
    "results:contest": Open.PUBLIC,
    "results:contest_json": Open.PUBLIC,
    "results:region": Open.PUBLIC,
    "results:region_json": Open.PUBLIC,
    "results:tec": Open.PUBLIC,
    "results:tec_json": Open.PUBLIC,
    "results:station_json": Open.PUBLIC,
    "results:protocol_pdf": Open.PUBLIC,
    "api-results-election": Open.PUBLIC,
    "api-results-station": Open.PUBLIC,
    "api-results-submit": Open.SIGNED,
    "counting:queue": Permission.BALLOT_ADJUDICATE,
    "counting:sheet": Permission.BALLOT_ADJUDICATE,
    "counting:decide": Permission.BALLOT_ADJUDICATE,
    "counting:sheet_image": Permission.BALLOT_ADJUDICATE,
    # candidates: public list and API; staff pages in the candidate's region (checked inside)
    "open311-discovery": Open.PUBLIC,
    "open311-services": Open.PUBLIC,
    "open311-service": Open.PUBLIC,
    "open311-requests": Open.PUBLIC,
    "open311-request": Open.PUBLIC,
    "open311-token": Open.PUBLIC,
    "open311-unknown": Open.PUBLIC,
    "api-incidents-alerts": Open.SIGNED,
    "api-polling-package": Open.SIGNED,
    "api-polling-open": Open.SIGNED,
    "api-polling-checkins": Open.SIGNED,
    "api-polling-sync": Open.SIGNED,
    "api-polling-close": Open.SIGNED,
    "candidates:public": Open.PUBLIC,
    "candidates:public_json": Open.PUBLIC,
    "api-candidates": Open.PUBLIC,
    "api-candidates-parties": Open.PUBLIC,
    "candidates:nominations": Permission.CANDIDATES_VIEW,
    "candidates:nominate": Permission.CANDIDATES_NOMINATE,
    "candidates:candidate": Permission.CANDIDATES_VIEW,
    "candidates:check": Permission.CANDIDATES_DECIDE,
    "candidates:decide": Permission.CANDIDATES_DECIDE,
    "candidates:change": Permission.CANDIDATES_NOMINATE,
    "candidates:document_add": Permission.CANDIDATES_NOMINATE,
    "candidates:signatures_upload": Permission.CANDIDATES_DECIDE,
    "candidates:signatures": Permission.CANDIDATES_VIEW,
    "candidates:withdraw": Permission.CANDIDATES_NOMINATE,
    "candidates:replace": Permission.CANDIDATES_NOMINATE,
    "candidates:lists": Permission.CANDIDATES_VIEW,
    "candidates:list": Permission.CANDIDATES_VIEW,
    "candidates:decision_pdf": Permission.CANDIDATES_VIEW,
    "candidates:appeal": Permission.CANDIDATES_DECIDE,
    "candidates:appeal_decide": Permission.CANDIDATES_DECIDE,
    "candidates:badge": Permission.PARTICIPANTS_ADMIT,
    "candidates:participants": Permission.PARTICIPANTS_ADMIT,
    "candidates:participant_register": Permission.PARTICIPANTS_ADMIT,
    "candidates:participant": Permission.PARTICIPANTS_ADMIT,
    "candidates:participant_revoke": Permission.PARTICIPANTS_ADMIT,
    # incidents: the public complaint form, status look-up and register (nothing personal);
    # staff pages in the member's compartment (agency and territory, checked inside: 404)
    "incidents:report": Open.PUBLIC,
    "incidents:status_lookup": Open.PUBLIC,
    "incidents:status": Open.PUBLIC,
    "incidents:register": Open.PUBLIC,
    "incidents:register_json": Open.PUBLIC,
    "incidents:cases": Permission.INCIDENTS_VIEW,
    "incidents:case": Permission.INCIDENTS_VIEW,
    "incidents:evidence": Permission.INCIDENTS_VIEW,
    "incidents:new": Permission.INCIDENTS_REPORT,
    "incidents:mine": Permission.INCIDENTS_REPORT,
    "incidents:note": Permission.INCIDENTS_HANDLE,
    "incidents:evidence_add": Permission.INCIDENTS_HANDLE,
    "incidents:route": Permission.INCIDENTS_HANDLE,
    "incidents:decide": Permission.INCIDENTS_HANDLE,
    "incidents:appeal": Permission.INCIDENTS_HANDLE,
    "incidents:appeal_decide": Permission.INCIDENTS_HANDLE,
    "incidents:routes": Permission.INCIDENTS_ROUTE,
    # campaign finance: the public disclosure and open data (no person named, no PIN);
    # the auditors' workspace (flags, the donor review queue, statement upload)
    "finance:funds": Open.PUBLIC,
    "finance:funds_json": Open.PUBLIC,
    "finance:open_data": Open.PUBLIC,
    "finance:fund": Open.PUBLIC,
    "finance:fund_json": Open.PUBLIC,
    "finance:fund_transactions": Open.PUBLIC,
    "finance:flags": Permission.FINANCE_VIEW,
    "finance:flag": Permission.FINANCE_VIEW,
    "finance:queue": Permission.FINANCE_VIEW,
    "finance:review": Permission.FINANCE_REVIEW,
    "finance:decide": Permission.FINANCE_REVIEW,
    "finance:disclose": Permission.FINANCE_REVIEW,
    "finance:resolve": Permission.FINANCE_REVIEW,
    "finance:import": Permission.FINANCE_IMPORT,
    # election day: live turnout, station records and home voting for staff in scope
    # (publishing is country-wide, checked inside); the published turnout and its open data
    "polling:dashboard": Permission.POLLING_VIEW,
    "polling:publish": Permission.POLLING_VIEW,
    "polling:station": Permission.POLLING_VIEW,
    "polling:home": Permission.HOME_VOTING,
    "polling:home_cancel": Permission.HOME_VOTING,
    "polling:public": Open.PUBLIC,
    "polling:public_csv": Open.PUBLIC,
    "polling:public_json": Open.PUBLIC,
    # operations: health for load balancers (public, nothing in it but up/down, the ledger
    # head's age and the version); metrics for the host's scraper only, never a role
    # (loopback or SHAILOO_METRICS_TOKEN, checked inside: common.metrics)
    "healthz": Open.PUBLIC,
    "metrics": Open.NOBODY,
}


def admin_model_urls(model: str, rights: AdminRights) -> dict[str, Access]:
    """The access each page of a model's admin needs, keyed like :data:`URLS`.

    Reading a change page or the history needs only the view permission (the admin shows a
    read-only form); adding and deleting need their own, or nobody gets them.
    """
    app_label, model_name = model.split(".")
    prefix = f"admin:{app_label}_{model_name}"
    view = AdminPage(rights.view)
    return {
        f"{prefix}_changelist": view,
        f"{prefix}_add": AdminPage(rights.add) if rights.add else Open.NOBODY,
        f"{prefix}_history": view,
        f"{prefix}_delete": AdminPage(rights.delete) if rights.delete else Open.NOBODY,
        f"{prefix}_change": view,
        # the unnamed pre-1.9 URL of a change page, a redirect to it
        f"admin/{app_label}/{model_name}/<path:object_id>/": view,
    }


def _urls() -> dict[str, Access]:
    urls: dict[str, Access] = dict(PAGES)
    urls.update(ADMIN_SITE)
    for model, rights in ADMIN_MODELS.items():
        urls.update(admin_model_urls(model, rights))
    urls.update(ADMIN_EXTRA)
    return urls


#: The matrix: every URL pattern (its name, or its route when unnamed) and its access.
URLS: Mapping[str, Access] = _urls()


# -- decisions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where an object lies: a polling station with its TEC and region, or part of that."""

    region_id: int | None
    tec_id: int | None = None
    station_id: int | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """One role assignment, reduced to what decisions need."""

    role: Role
    scope: Scope
    region_id: int | None = None
    tec_id: int | None = None
    station_id: int | None = None

    def covers(self, place: Place) -> bool:
        """Whether ``place`` lies inside this assignment's territory."""
        if self.scope is Scope.COUNTRY:
            return True
        if self.scope is Scope.REGION:
            return place.region_id is not None and place.region_id == self.region_id
        if self.scope is Scope.TEC:
            return place.tec_id is not None and place.tec_id == self.tec_id
        return place.station_id is not None and place.station_id == self.station_id


def grants_permission(grant: Grant, permission: Permission) -> bool:
    return permission in ROLES[grant.role].permissions


def allowed(
    grants: Iterable[Grant], permission: Permission, places: Sequence[Place] | None = None
) -> bool:
    """Whether any assignment grants ``permission`` over at least one of ``places``.

    ``places=None`` asks about the permission alone (may the user open the page at all);
    an empty sequence is an object with no territory (a request for an unknown PIN), which
    only a country-wide assignment covers.
    """
    for grant in grants:
        if not grants_permission(grant, permission):
            continue
        if places is None or grant.scope is Scope.COUNTRY:
            return True
        if any(grant.covers(place) for place in places):
            return True
    return False


def url_allowed(access: Access, grants: Sequence[Grant], *, signed_in: bool) -> bool:
    """What the matrix says for one URL: ``signed_in`` means password and TOTP both passed."""
    if access is Open.PUBLIC:
        return True
    if access in (Open.NOBODY, Open.SIGNED):
        return False
    if access is Open.LOGIN_STEP:
        return signed_in
    if isinstance(access, AdminPage):
        country = [g for g in grants if g.scope is Scope.COUNTRY]
        return (
            signed_in
            and allowed(country, Permission.ADMIN_SITE)
            and allowed(country, access.permission)
        )
    return signed_in and allowed(grants, access)


def check_role_scope(role: Role, scope: Scope, agency: str) -> str | None:
    """Why an assignment of ``role`` at ``scope`` (with ``agency``) is invalid, or None."""
    spec = ROLES[role]
    if not spec.scopes:
        return f"role {role.value} cannot be assigned"
    if scope not in spec.scopes:
        allowed_scopes = ", ".join(sorted(s.value for s in spec.scopes))
        return f"role {role.value} takes scope {allowed_scopes}, not {scope.value}"
    if spec.agency and agency not in {a.value for a in Agency}:
        return f"role {role.value} needs an agency: {', '.join(a.value for a in Agency)}"
    if not spec.agency and agency:
        return f"role {role.value} takes no agency"
    return None
