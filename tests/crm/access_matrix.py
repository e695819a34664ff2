"""Who may do what: every URL of ``crm.urls`` × every role × GET and POST (issue 9).

``tests/crm/test_access_matrix.py`` walks the URL resolver and fails when a URL name is missing
from ``TABLE`` (or when ``TABLE`` names a URL that no longer exists), then requests every URL as
every role (and as an anonymous visitor) with GET and with POST and checks the answer:

* a role in the entry's set: GET answers 200 (or one of ``get_ok``, e.g. 302 for a view that
  redirects); POST answers anything but 403, 404, 405 or a 5xx;
* a signed-in role outside it: 403 (the page is not for its role) or 404 (the record is
  outside its gate, ``visible_to``), as ``crm.permissions`` does;
* an anonymous visitor outside it: 302 to the login page;
* a method the view does not take (``None``): 405 for everyone;
* never a 5xx.

The records in the URLs belong to SOMEONE ELSE (``World``): the client of another account manager
(a teammate of the matrix's manager, so the manager's team scope is exercised too), a repair
order of another technician, a notification of another user, an import job of another user…
Only roles that may see other people's records are therefore allowed on record pages.

To add a URL: add one line to ``TABLE`` under its ``namespace:name``, e.g.::

    "grading:correction": form(CLIENT_RECORD, pk=_pk("receivable")),

* ``page(roles)``: a view that answers GET and POST alike for ``roles``;
* ``form(get_roles, post_roles)``: GET shows, POST saves (``post_roles`` defaults to ``get_roles``);
* ``action(roles)``: POST only (``require_POST``): GET is 405 for everyone;
* other keyword arguments are the URL's kwargs: a function of the ``World`` (``_pk("client")``;
  add the record you need to ``World`` and ``build_world``, owned by someone else) or a value;
* ``data`` is the POST body (a function of the ``World``), ``query`` a query string,
  ``get_ok``/``post_ok`` the answers an allowed GET/POST gives when not the usual ones.

Role sets name ``Role`` values and ``ANONYMOUS``; ``with_admin(...)`` adds administrators, who
pass every role gate (but not every record gate: notifications and import jobs are their
owner's only). A key may be a pattern (``*``): the exact name wins, then the longest pattern.
Django admin URLs are one class, ``admin:*`` (``admin_only``): only administrators (staff) reach
them, everyone else is sent to the admin's login page; the admin's own refusals (models written
only by the application) are listed under their names. The admin's unnamed patterns are
classified by ``admin:*``; its "<object_id>/" redirects are requested, its catch-all is not.

Besides the status, no 200 page (nor export) of an account manager, a technician or finance may
show the other account manager's client or the other technician's order (``World.secrets``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.roles import Role

ANONYMOUS = "anonymous"
ROLES: tuple[str, ...] = (ANONYMOUS, *Role.values)

Roles = frozenset[str]


def with_admin(*roles: str) -> Roles:
    """``roles`` and administrators, who pass every role gate."""
    return frozenset({Role.ADMIN, *roles})


NOBODY: Roles = frozenset()
SIGNED_IN: Roles = frozenset(Role.values)
EVERYONE: Roles = frozenset(ROLES)
CLIENTS = with_admin(Role.ACCOUNT_MANAGER, Role.MANAGER)
# Record pages of a client of another account manager (the manager's teammate).
CLIENT_RECORD = with_admin(Role.MANAGER)
MANAGERS = with_admin(Role.MANAGER)
ALL_REPAIRS = with_admin(
    Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN, Role.FINANCE, Role.ACCOUNT_MANAGER, Role.MANAGER
)
# An assigned order of another technician, for a client of the manager's team: finance sees
# completed orders only, account managers their own clients' orders.
REPAIR_RECORD = with_admin(Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR, Role.MANAGER)
INTAKE = with_admin(Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR)
STATS = with_admin(Role.ENGINEERING_SUPERVISOR, Role.FINANCE)
SUPERVISOR = with_admin(Role.ENGINEERING_SUPERVISOR)
FINANCE = with_admin(Role.FINANCE)
BILLING_READERS = with_admin(Role.FINANCE, Role.ENGINEERING_SUPERVISOR, Role.MANAGER)
# Tenants' complaints and the incoming correspondence register (issue 13, CLI-6, ARC-8).
PROPERTY_DESK = with_admin(Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER)
COMPLAINT_READERS = CLIENTS | PROPERTY_DESK
COMPLAINT_REPORT = PROPERTY_DESK | {Role.MANAGER}
# The unit of a client of the manager's team: property staff see every unit, the sales manager
# its team's clients' units (read only).
PROPERTY = with_admin(
    Role.MANAGER,
    Role.FRONT_DESK,
    Role.ENGINEERING_SUPERVISOR,
    Role.CLIENT_SERVICES_SUPERVISOR,
    Role.CLIENT_SERVICES_MANAGER,
)
ARCHIVE_READERS = PROPERTY | {Role.ACCOUNT_MANAGER}
FILERS = with_admin(Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR)
# Client services (客务部): keep the files, lend them, keep tenant profiles and the arrears list.
KEEPERS = with_admin(Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER)
APPROVAL_READERS = KEEPERS
# Decide on loans and changes (ARC-6, ARC-7): the client-services manager, not the sales manager.
ARCHIVE_APPROVERS = with_admin(Role.CLIENT_SERVICES_MANAGER)


@dataclass
class World:
    """The records the URLs point at, none of them the requesting user's own."""

    users: dict[str, Any]  # role -> the user who makes the requests
    owner: Any  # the other account manager, in the matrix manager's team
    client: Any
    complaint: Any
    promotion: Any  # a launched campaign (promotions grew into campaigns)
    campaign_member: Any
    receivable: Any
    sales_order: Any
    correction: Any
    grading_run: Any
    import_job: Any
    notification: Any
    order: Any
    callback: Any
    unit: Any
    tenancy: Any
    original: Any
    working: Any
    change: Any
    loan: Any
    yearly: Any
    plan: Any
    visit: Any
    report: Any = None  # a territory market report of the owner (VIS-7)
    key_account: Any = None  # a key account of the owner, with a cost entry (MKT-3)
    lead: Any = None  # the owner's pipeline card (MKT-3)
    delivery: Any = None  # a delivery of the owner's sales order (MKT-3)
    survey: Any = None  # an open product survey sent to the owner's client (MKT-4)
    survey_question: Any = None
    survey_invitation: Any = None  # the owner's client's, not answered yet
    survey_token: str = ""  # the token of that invitation's personal link
    brand: Any = None  # a catalogue brand with a product (MKT-4)
    product: Any = None
    brand_plan: Any = None  # the matrix team's brand plan, the owner's client its target (MKT-4)
    brand_target: Any = None
    milestone: Any = None
    fee_schedule: Any = None  # the published fee schedule in force, with its item (REP-5)
    fee_item: Any = None
    paid_order: Any = None  # a completed paid order, no client of anyone's: finance bills it (REP-6)
    letter: Any = None  # a tenant's letter in the correspondence register, with a scan (ARC-8)

    def secrets(self, role: str) -> list[str]:
        """What ``role``'s user must find on no page: the other account manager's client, and the
        other technician's order (finance: not completed yet)."""
        client, order = [self.client.code, self.client.name], [self.order.number]
        return {
            Role.ACCOUNT_MANAGER: client + order,
            Role.TECHNICIAN: client + order,
            Role.FINANCE: client + order,
        }.get(role, [])


@dataclass(frozen=True)
class Access:
    get: Roles | None  # who may GET; None: the view takes no GET (405 for everyone)
    post: Roles | None  # who may POST; None: the view takes no POST
    kwargs: dict[str, Any] = field(default_factory=dict)  # values, or functions of the World
    data: Callable[[World], dict] | None = None
    query: str = ""
    get_ok: frozenset[int] = frozenset({200})
    post_ok: frozenset[int] | None = None  # None: anything but 403, 404, 405 and 5xx
    login: str = "/accounts/login/"  # where anonymous visitors are sent
    redirect_refused: bool = False  # signed-in users outside the roles are sent to ``login`` too

    def url_kwargs(self, world: World) -> dict[str, Any]:
        return {name: value(world) if callable(value) else value for name, value in self.kwargs.items()}


OPTIONS = {"data", "query", "get_ok", "post_ok", "login", "redirect_refused"}


def _access(get: Roles | None, post: Roles | None, options: dict[str, Any]) -> Access:
    """Keyword arguments that are not ``Access`` options are the URL's kwargs."""
    kwargs = {name: value for name, value in options.items() if name not in OPTIONS}
    return Access(get=get, post=post, kwargs=kwargs, **{k: v for k, v in options.items() if k in OPTIONS})


def page(roles: Roles, **options: Any) -> Access:
    """A view that answers GET and POST alike."""
    return _access(roles, roles, options)


def form(get: Roles, post: Roles | None = None, **options: Any) -> Access:
    """GET shows a form, POST saves it (by ``post``, else the same roles)."""
    return _access(get, get if post is None else post, options)


def action(roles: Roles, **options: Any) -> Access:
    """POST only: GET is 405 for everyone."""
    return _access(None, roles, options)


def admin_only(get: Roles | None = None, post: Roles | None = None, **options: Any) -> Access:
    """A Django admin URL: staff only (by default administrators may GET and POST); everyone
    else is sent to the admin's login page, before any check of the method."""
    options = {"get_ok": frozenset({200, 302}), "login": "/admin/login/", "redirect_refused": True, **options}
    get = with_admin() if get is None else get
    return _access(get, get if post is None else post, options)


def _pk(attr: str) -> Callable[[World], int]:
    return lambda world: getattr(world, attr).pk


TABLE: dict[str, Access] = {
    # crm
    "home": page(SIGNED_IN),
    "healthz": _access(EVERYONE, None, {}),
    "login": page(EVERYONE, get_ok=frozenset({200, 302})),  # signed-in users are sent home
    "logout": action(EVERYONE, get_ok=frozenset({200, 302})),
    "set_language": page(EVERYONE, get_ok=frozenset({302})),
    "notifications:list": page(SIGNED_IN),
    "notifications:open": action(NOBODY, pk=_pk("notification")),  # the recipient's only
    "notifications:mark_read": action(NOBODY, pk=_pk("notification")),
    "notifications:mark_all_read": action(SIGNED_IN),
    "profile": form(SIGNED_IN),  # one's own account only
    "notification_preferences": form(SIGNED_IN),
    # clients (CLI-*): only the owner, the owner's team manager and administrators
    "clients:list": page(CLIENTS),
    "clients:create": form(CLIENTS),
    "clients:key_accounts": page(CLIENTS),
    "clients:review": page(CLIENTS),
    "clients:reviewed": action(CLIENT_RECORD, pk=_pk("client")),
    "clients:export": page(CLIENTS, kind="clients", query="format=csv"),
    "clients:import": form(CLIENTS),
    "clients:import_job": page(NOBODY, pk=_pk("import_job")),  # its uploader's only
    "clients:import_job_status": page(NOBODY, pk=_pk("import_job")),
    "clients:import_job_confirm": action(NOBODY, pk=_pk("import_job")),
    "clients:detail": page(CLIENT_RECORD, pk=_pk("client")),
    "clients:edit": form(CLIENT_RECORD, pk=_pk("client")),
    "clients:interaction_create": form(CLIENT_RECORD, pk=_pk("client")),
    "clients:followup_cancel": action(CLIENT_RECORD, pk=_pk("client")),
    "clients:feedback_create": form(CLIENT_RECORD, pk=_pk("client")),
    "clients:demand_create": form(CLIENT_RECORD, pk=_pk("client")),
    "clients:complaint_create": form(CLIENT_RECORD, pk=_pk("client")),
    "clients:complaints": page(COMPLAINT_READERS),
    "clients:property_complaint_create": form(PROPERTY_DESK),
    "clients:complaint_report": page(COMPLAINT_REPORT),
    "clients:complaint_detail": form(CLIENT_RECORD, pk=_pk("complaint")),
    # promotions grew into campaigns: the old addresses redirect (MKT-1)
    "clients:promotions": page(CLIENTS, get_ok=frozenset({301}), post_ok=frozenset({301})),
    "clients:promotion_detail": page(CLIENTS, pk=_pk("promotion"), get_ok=frozenset({301}), post_ok=frozenset({301})),
    # campaigns (MKT-1): the campaign reached the owner's client only, not the requesting user's
    "campaigns:list": page(CLIENTS),
    "campaigns:create": form(MANAGERS),
    "campaigns:detail": page(MANAGERS, pk=_pk("promotion")),
    "campaigns:edit": form(MANAGERS, pk=_pk("promotion")),
    "campaigns:launch": action(MANAGERS, pk=_pk("promotion")),
    "campaigns:member": form(MANAGERS, pk=_pk("promotion"), member_pk=_pk("campaign_member")),
    "campaigns:opt_in": action(CLIENT_RECORD, pk=_pk("client")),
    "campaign_evaluation:evaluation": page(MANAGERS, pk=_pk("promotion")),
    "campaign_evaluation:evaluation_export": page(MANAGERS, pk=_pk("promotion")),
    "campaign_evaluation:compare": page(CLIENTS, query="c=1"),
    # key-account pipeline and costs (MKT-3): the card and the account are the owner's
    "clients:pipeline": page(CLIENTS),
    "clients:pipeline_list": page(CLIENTS),
    "clients:lead_create": form(CLIENTS),
    "clients:lead_detail": page(CLIENT_RECORD, pk=_pk("lead")),
    "clients:lead_edit": form(CLIENT_RECORD, pk=_pk("lead")),
    "clients:lead_move": action(
        CLIENT_RECORD,
        pk=_pk("lead"),
        data=lambda w: {"seen": "prospect", "stage": "contacted"},
        post_ok=frozenset({302}),
    ),
    "clients:costs": form(CLIENT_RECORD, pk=_pk("key_account")),
    "clients:cost_export": page(CLIENT_RECORD, pk=_pk("key_account")),
    # product surveys (MKT-4): managers build and send them; an account manager sees a survey sent
    # to one of their clients (the matrix's is sent to the owner's clients)
    "surveys:list": page(CLIENTS),
    "surveys:create": form(MANAGERS),
    "surveys:detail": page(CLIENT_RECORD, pk=_pk("survey")),
    "surveys:edit": form(MANAGERS, pk=_pk("survey")),
    "surveys:send": action(MANAGERS, pk=_pk("survey"), post_ok=frozenset({302})),  # sent already: told so
    "surveys:close": action(MANAGERS, pk=_pk("survey"), post_ok=frozenset({302})),
    "surveys:question_add": form(MANAGERS, pk=_pk("survey")),
    "surveys:question_edit": form(MANAGERS, pk=_pk("survey_question")),
    "surveys:question_remove": action(MANAGERS, pk=_pk("survey_question"), post_ok=frozenset({302})),
    "surveys:question_move": action(MANAGERS, pk=_pk("survey_question"), post_ok=frozenset({302})),
    "surveys:answer": form(CLIENT_RECORD, pk=_pk("survey"), client_id=_pk("client")),
    "surveys:invitation_link": action(CLIENT_RECORD, pk=_pk("survey_invitation"), post_ok=frozenset({200})),
    "surveys:results": page(CLIENT_RECORD, pk=_pk("survey")),
    "surveys:export": page(CLIENT_RECORD, pk=_pk("survey")),
    # The client's personal link needs no log-in: its token is the key (an empty POST is shown
    # its missing answers); the page after answering tells nothing.
    "survey_public:answer": page(EVERYONE, token=lambda w: w.survey_token),
    "survey_public:thanks": _access(EVERYONE, None, {}),
    # grading (GRD-*)
    "grading:dashboard": page(CLIENTS),
    "grading:run_start": action(MANAGERS),
    "grading:run_status": page(CLIENTS, pk=_pk("grading_run")),
    "grading:runs": page(CLIENTS),  # GRD-6: runs over time; no client named on it
    "grading:movers": page(CLIENTS),  # movers within the user's scope (the client gate)
    "grading:level_history": page(CLIENT_RECORD, pk=_pk("client")),
    "grading:policy": form(MANAGERS),
    "grading:export": page(CLIENTS),
    "grading:potential": action(CLIENT_RECORD, pk=_pk("client")),
    "grading:ledger": form(CLIENT_RECORD, pk=_pk("client")),
    "grading:record_payment": action(CLIENT_RECORD, pk=_pk("receivable")),
    "grading:corrections": page(CLIENTS),
    "grading:correction_request_receivable": form(CLIENT_RECORD, pk=_pk("receivable")),
    "grading:correction_request_order": form(CLIENT_RECORD, pk=_pk("sales_order")),
    "grading:correction_decide": action(MANAGERS, pk=_pk("correction")),
    # key-account service (MKT-3): the owner's client and order, so its team's manager and admins
    "clients:service": page(CLIENT_RECORD, pk=_pk("client")),
    # The matrix's client is no key account: its plan page sends to the service page, which says so.
    "clients:service_plan": form(CLIENT_RECORD, pk=_pk("client"), year=2026, get_ok=frozenset({302})),
    "grading:delivery_create": form(CLIENT_RECORD, pk=_pk("sales_order")),
    "grading:delivery_edit": form(CLIENT_RECORD, pk=_pk("delivery")),
    "grading:order_complaint_create": form(CLIENT_RECORD, pk=_pk("sales_order")),
    "grading:delivery_export": page(CLIENT_RECORD, pk=_pk("client"), query="format=csv"),
    # visits (VIS-*): the plan and visit are the other account manager's (the manager's teammate)
    "visits:home": page(CLIENTS),
    "visits:plans": page(CLIENTS),
    "visits:open_month": form(MANAGERS),
    "visits:plan": page(CLIENT_RECORD, pk=_pk("plan")),
    "visits:plan_submit": action(with_admin(), pk=_pk("plan")),  # its owner's; admins are told why not
    "visits:plan_decide": action(MANAGERS, pk=_pk("plan")),
    "visits:visit_add": action(with_admin(), pk=_pk("plan")),
    "visits:log": form(with_admin(), pk=_pk("visit")),  # managers do not log visits
    "visits:move": form(with_admin(), pk=_pk("visit")),
    "visits:remove": form(with_admin(), pk=_pk("visit")),
    "visits:log_unplanned": form(with_admin(), pk=_pk("client")),
    "visits:policy": form(MANAGERS),
    # visits (VIS-3): coverage of the user's own portfolio (account managers), team (managers), all (admins)
    "visits:coverage": page(CLIENTS),
    "visits:coverage_clients": page(CLIENTS, query="show=active"),
    "visits:coverage_export": page(CLIENTS),
    # repairs (REP-*)
    "repairs:list": page(ALL_REPAIRS),
    "repairs:create": form(INTAKE),
    "repairs:unit_search": page(INTAKE, query="q=12"),
    "repairs:stats": page(STATS),
    "repairs:stats_generate": action(SUPERVISOR),
    "repairs:stats_export": page(STATS),
    "repairs:register": page(STATS),
    # REP-7, SPEC roles: spot-check callbacks are the engineering supervisor's.
    "repairs:callback_record": action(SUPERVISOR, pk=_pk("callback"), data=lambda w: {"result": "satisfied"}),
    "repairs:detail": page(REPAIR_RECORD, pk=_pk("order")),
    "repairs:slip": page(REPAIR_RECORD, pk=_pk("order")),
    # "assign" is the supervisor's step (REP-3); the front desk and the manager see the order.
    "repairs:step": action(SUPERVISOR, pk=_pk("order"), action="assign"),
    # issue 13: finance keeps the fee schedule (everyone on repairs reads the published one) and
    # bills paid jobs; the engineering supervisor signs the month off.
    "repairs:fee_schedules": page(ALL_REPAIRS),
    "repairs:fee_schedule": page(ALL_REPAIRS, pk=_pk("fee_schedule")),
    "repairs:fee_schedule_print": page(ALL_REPAIRS, pk=_pk("fee_schedule")),
    "repairs:fee_schedule_draft": action(FINANCE),
    # On the published schedule of the world: a refusal that says why (never edited again).
    "repairs:fee_item_create": form(FINANCE, get_ok=frozenset({302}), pk=_pk("fee_schedule")),
    "repairs:fee_schedule_publish": action(FINANCE, pk=_pk("fee_schedule")),
    "repairs:fee_item_edit": form(FINANCE, get_ok=frozenset({302}), pk=_pk("fee_item")),
    "repairs:fee_item_retire": action(FINANCE, pk=_pk("fee_item")),
    "repairs:billing": page(BILLING_READERS),
    "repairs:billing_export": page(BILLING_READERS),
    "repairs:order_billing": action(FINANCE, pk=_pk("paid_order")),
    "repairs:order_finance_copy": action(FINANCE, pk=_pk("paid_order")),
    "repairs:stats_sign_off": action(SUPERVISOR),
    # archives (ARC-*): technicians and finance get 404, as if the archive did not exist
    "archives:index": page(ARCHIVE_READERS),
    "archives:unit": page(PROPERTY, pk=_pk("unit")),  # the unit of another manager's client
    "archives:upload": action(FILERS, pk=_pk("unit")),
    "archives:borrow": action(PROPERTY, pk=_pk("unit")),
    "archives:document": form(PROPERTY, FILERS, pk=_pk("working")),
    "archives:download": page(PROPERTY, pk=lambda w: w.original.versions.get().pk),
    "archives:approvals": page(APPROVAL_READERS),
    "archives:change_decide": action(ARCHIVE_APPROVERS, pk=_pk("change"), decision="refuse"),
    "archives:loan_return": action(KEEPERS, pk=_pk("loan")),
    "archives:loan_decide": action(ARCHIVE_APPROVERS, pk=_pk("loan"), decision="refuse"),
    "archives:tenancy_end": action(KEEPERS, pk=_pk("tenancy")),
    "archives:yearly": page(KEEPERS, get_ok=frozenset({200})),
    "archives:yearly_index": page(KEEPERS, year=lambda w: w.yearly.year),
    "archives:correspondence": page(PROPERTY_DESK),
    "archives:letter_create": form(PROPERTY_DESK),
    "archives:letter": form(PROPERTY_DESK, pk=_pk("letter")),
    "archives:letter_scan": page(PROPERTY_DESK, pk=_pk("letter")),
    "archives:notices": form(KEEPERS | {Role.FRONT_DESK}),
    "archives:profile": form(KEEPERS, pk=_pk("tenancy")),  # a tenant's profile: client services only
    "archives:arrears": page(KEEPERS),
    # visits (VIS-6): one's own calendar (a manager picks a team member); the ICS feed needs no
    # session, its secret authenticates: any visitor with it reads it (the matrix manager's own
    # feed, holding no visit), POST is refused (405).
    "visits:calendar": page(CLIENTS),
    "visits:feed_reset": action(CLIENTS),
    "visits:feed": _access(EVERYONE, None, {"token": lambda w: _feed_token(w.users[Role.MANAGER])}),
    # targets (MKT-2): own row (account managers), the team's (managers), all (admins)
    "targets:home": page(CLIENTS),
    "targets:period": page(CLIENTS, period="2026-12"),
    "targets:export": page(CLIENTS),
    "targets:split": form(MANAGERS),
    "targets:compute": action(MANAGERS),
    "targets:import": form(MANAGERS),
    # visits (VIS-7): a territory report written by the other account manager, the manager's teammate
    "visits:reports": page(CLIENTS),
    "visits:report": form(CLIENT_RECORD, pk=_pk("report")),
    "visits:report_print": page(CLIENT_RECORD, pk=_pk("report")),
    "visits:report_export": page(CLIENT_RECORD, pk=_pk("report")),
    # brands (MKT-4): the catalogue is read by client roles and written by managers; the plan is the
    # matrix team's (its account managers read it, seeing only their own target clients).
    "brands:list": page(CLIENTS),
    "brands:create": form(MANAGERS),
    "brands:detail": page(CLIENTS, pk=_pk("brand")),
    "brands:edit": form(MANAGERS, pk=_pk("brand")),
    "brands:product_create": form(MANAGERS, pk=_pk("brand")),
    "brands:product_edit": form(MANAGERS, pk=_pk("product")),
    "brands:plan_create": form(MANAGERS, pk=_pk("brand")),
    "brands:plan": page(CLIENTS, pk=_pk("brand_plan")),
    "brands:plan_export": page(CLIENTS, pk=_pk("brand_plan")),
    "brands:plan_edit": form(MANAGERS, pk=_pk("brand_plan")),
    "brands:plan_targets": form(MANAGERS, pk=_pk("brand_plan")),
    "brands:plan_target_add": action(MANAGERS, pk=_pk("brand_plan"), data=lambda w: {"code": "nobody"}),
    "brands:plan_target_remove": action(
        MANAGERS, pk=_pk("brand_plan"), target_pk=_pk("brand_target"), post_ok=frozenset({302})
    ),
    "brands:milestone_create": form(MANAGERS, pk=_pk("brand_plan")),
    "brands:milestone_edit": form(MANAGERS, pk=_pk("milestone")),
    "brands:milestone_delete": action(MANAGERS, pk=_pk("milestone"), post_ok=frozenset({302})),
    # Django admin: administrators only. "admin:*" is the class; a longer name or pattern wins.
    "admin:*": admin_only(),
    "admin:login": page(EVERYONE, get_ok=frozenset({200, 302})),
    # Others are sent to the admin index (and from there to its login); GET is 405 (POST only).
    "admin:logout": admin_only(get_ok=frozenset({405}), login="/admin/"),
    "admin:*_process_import": admin_only(get_ok=frozenset({405})),  # POST only
    "admin:autocomplete": admin_only(
        query="app_label=clients&model_name=client&field_name=owner", post_ok=frozenset({405})
    ),
    "admin:jsi18n": admin_only(post_ok=frozenset({405})),  # GET only
    "admin:password_change_done": admin_only(post_ok=frozenset({405})),
    # Read-only in the admin: shown, never changed there (403 on POST).
    "admin:crm_outboxmessage_change": admin_only(post=NOBODY),
    "admin:crm_notificationdelivery_change": admin_only(post=NOBODY),  # read-only: a record of sends
    "admin:grading_gradingpolicy_change": admin_only(post=NOBODY),  # GRD-5: a new policy on /grading/policy/
    "admin:archives_document_change": admin_only(post=NOBODY),  # ARC-7
    "admin:archives_changerequest_change": admin_only(post=NOBODY),
    "admin:archives_notice_change": admin_only(post=NOBODY),
    "admin:archives_yearlyarchive_change": admin_only(post=NOBODY),
    "admin:grading_ledgercorrection_change": admin_only(post=NOBODY),  # decided in the app, with its checks
    "admin:grading_ledgercorrection_add": admin_only(NOBODY),
    "admin:grading_ledgercorrection_delete": admin_only(NOBODY),
    # Records written only by the application: the admin refuses to add or delete them (403).
    "admin:axes_access*_add": admin_only(NOBODY),
    "admin:crm_outboxmessage_add": admin_only(NOBODY),
    "admin:crm_notificationdelivery_add": admin_only(NOBODY),
    "admin:archives_document_add": admin_only(NOBODY),  # ARC-7: filed and versioned in the app
    "admin:archives_document_delete": admin_only(NOBODY),
    "admin:archives_changerequest_add": admin_only(NOBODY),
    "admin:archives_changerequest_delete": admin_only(NOBODY),
    "admin:archives_notice_add": admin_only(NOBODY),
    "admin:archives_notice_delete": admin_only(NOBODY),
    "admin:archives_yearlyarchive_add": admin_only(NOBODY),
    "admin:archives_yearlyarchive_delete": admin_only(NOBODY),
    "admin:visits_visitpolicy_change": admin_only(post=NOBODY),  # VIS-2: a new policy on /visits/policy/
    "admin:visits_visitpolicy_delete": admin_only(NOBODY),
    "admin:visits_monthplan_add": admin_only(NOBODY),  # plans are generated, then decided in the app
    "admin:visits_calendarfeed_add": admin_only(NOBODY),  # its owner makes it, the secret stays secret
    # Derived from the interactions and visits (visits/contacts.py): shown, never written there.
    "admin:visits_contactsummary_add": admin_only(NOBODY),
    "admin:visits_contactsummary_change": admin_only(post=NOBODY),
    "admin:visits_contactsummary_delete": admin_only(NOBODY),
    # MKT-2: metrics ship with the application; targets and figures are written in the app
    "admin:visits_metric_delete": admin_only(NOBODY),
    "admin:visits_targetsettings_add": admin_only(NOBODY),  # one row, which exists
    "admin:visits_targetsettings_delete": admin_only(NOBODY),
    "admin:visits_target_add": admin_only(NOBODY),
    "admin:visits_target_delete": admin_only(NOBODY),
    "admin:visits_actualfigure_add": admin_only(NOBODY),
    "admin:visits_actualfigure_delete": admin_only(NOBODY),
    "admin:clients_clientfilepolicy_add": admin_only(NOBODY),  # one row of settings, which exists
    "admin:clients_clientfilepolicy_delete": admin_only(NOBODY),
    "admin:repairs_repairsettings_add": admin_only(NOBODY),  # one row of settings, which exists
    "admin:repairs_repairsettings_delete": admin_only(NOBODY),
    "admin:grading_gradingrun_add": admin_only(NOBODY),  # GRD-6: started by the schedule or "grade now"
    "admin:repairs_monthlyreport_add": admin_only(NOBODY),  # REP-7: produced by the month-end statistics
    "admin:repairs_repairorder_add": admin_only(NOBODY),  # REP-1: logged by the front desk
    "admin:repairs_repairorder_delete": admin_only(NOBODY),
    # REP-5: signatures are kept as given; slips are filed by the completion's task
    "admin:repairs_repairsignature_add": admin_only(NOBODY),
    "admin:repairs_repairsignature_change": admin_only(post=NOBODY),
    "admin:repairs_repairsignature_delete": admin_only(NOBODY),
    "admin:repairs_repairslipfiling_add": admin_only(NOBODY),
    "admin:repairs_repairslipfiling_change": admin_only(post=NOBODY),
    "admin:repairs_repairslipfiling_delete": admin_only(NOBODY),
    # REP-5: schedules are drafted and published at /repairs/fees/; a published one never changes
    "admin:repairs_feeschedule_add": admin_only(NOBODY),
    "admin:repairs_feeschedule_delete": admin_only(NOBODY),
    "admin:repairs_feeitem_add": admin_only(NOBODY),
    "admin:repairs_feeitem_delete": admin_only(NOBODY),
    # REP-7: signed on the statistics page, never typed in or changed
    "admin:repairs_monthlysignoff_add": admin_only(NOBODY),
    "admin:repairs_monthlysignoff_change": admin_only(post=NOBODY),
    "admin:repairs_monthlysignoff_delete": admin_only(NOBODY),
    "admin:clients_lead_add": admin_only(NOBODY),  # MKT-3: opened in the app, with its first stage row
    # MKT-4: surveys are built, sent and answered in the app (clients.surveys), with its checks
    "admin:clients_survey_add": admin_only(NOBODY),
    "admin:clients_question_add": admin_only(NOBODY),
    "admin:clients_question_change": admin_only(post=NOBODY),
    "admin:clients_question_delete": admin_only(NOBODY),
    "admin:clients_surveyinvitation_add": admin_only(NOBODY),
    "admin:clients_surveyinvitation_change": admin_only(post=NOBODY),
    "admin:clients_surveyinvitation_delete": admin_only(NOBODY),
    "admin:clients_answer_add": admin_only(NOBODY),
    "admin:clients_answer_change": admin_only(post=NOBODY),
    "admin:clients_answer_delete": admin_only(NOBODY),
}


def _feed_token(user: Any) -> str:
    """The user's calendar-feed secret, made when missing (a POST of the matrix may renew it)."""
    from visits.models import CalendarFeed

    return CalendarFeed.objects.get_or_create(user=user)[0].token


def access_for(name: str) -> Access | None:
    """The table's entry for a URL name: its own, else the longest pattern (``*``) that matches."""
    if name in TABLE:
        return TABLE[name]
    patterns = [key for key in TABLE if "*" in key and fnmatchcase(name, key)]
    return TABLE[max(patterns, key=len)] if patterns else None


def _targets_of(owner) -> None:
    """MKT-2: a target and an imported figure of the other account manager, each with a history."""
    from visits.models import ActualFigure, Metric, Target, TargetSettings

    TargetSettings.current().save()  # the shipped row, with a history record for the admin's pages
    from clients.models import ClientFilePolicy

    ClientFilePolicy.current().save()  # likewise (CLI-1, CLI-4)
    metric = Metric.objects.get(code="sales_amount")
    Target.objects.create(
        period_kind="month", period_start=date(2026, 12, 1), account_manager=owner, metric=metric, value=1
    )
    ActualFigure.objects.create(account_manager=owner, metric=metric, month=date(2026, 12, 1), value=1)


def _survey_of(manager, client) -> tuple[Any, Any, str]:
    """MKT-4: an open survey sent by the matrix manager to the owner's clients, a link made for one."""
    from clients import surveys
    from clients.models import Brand, Product, SurveyInvitation

    brand = Brand.objects.create(code="MX", name_zh="矩阵")
    product = Product.objects.create(brand=brand, code="MX-1", name_zh="矩阵新品")  # with their history rows
    survey = surveys.survey_create(by=manager, title="Matrix survey", product=product, deadline=timezone.localdate())
    surveys.question_add(survey=survey, by=manager, text="Matrix question?", kind="single", choices=["Yes", "No"])
    surveys.survey_send(survey=survey, by=manager, params={"owner": str(client.owner_id)})
    invitation = SurveyInvitation.objects.get(survey=survey, client=client)
    return survey, invitation, surveys.invitation_link_renew(invitation=invitation, by=manager)


def build_world() -> World:
    """One user per role and the records of others the URLs point at."""
    from archives import services as archive_services
    from archives.models import Loan, YearlyArchive
    from clients import services as client_services
    from clients.complaints import complaint_file
    from clients.models import Brand, CampaignMember, ImportJob, KeyAccountCost, Lead, Product, ServicePlan
    from grading import deliveries
    from grading import services as grading_services
    from grading.models import Receivable, SalesOrder
    from repairs.models import Callback, RepairOrder, RepairSettings
    from tests.factories import (
        BrandFactory,
        BrandPlanFactory,
        BrandPlanMilestoneFactory,
        BrandPlanTargetFactory,
        CampaignFactory,
        ClientFactory,
        ContactFactory,
        FeeItemFactory,
        InteractionFactory,
        NotificationFactory,
        ProductFactory,
        RepairOrderFactory,
        TeamFactory,
        TechnicianFactory,
        TenancyFactory,
        TerritoryFactory,
        UserFactory,
    )
    from visits.models import MarketInfo, MarketReport, MonthPlan, TeamMonth, Visit, VisitPolicy

    team = TeamFactory(name="Matrix East")
    users = {
        role: UserFactory(username=f"matrix-{role}", role=role, team=team if role in CLIENTS else None)
        for role in Role.values
    }
    owner = UserFactory(username="matrix-owner", role=Role.ACCOUNT_MANAGER, team=team)
    desk = UserFactory(username="matrix-other-desk", role=Role.FRONT_DESK)
    # A follow-up due (VIS-6): the owner's reminder, nobody else's.
    client = ClientFactory(owner=owner, kind="tenant", next_contact_date=timezone.localdate() - timedelta(days=1))
    ContactFactory(client=client)
    InteractionFactory(client=client)
    # One of each model the admin keeps history of, for its history pages.
    territory = TerritoryFactory(team=team)
    fee_item = FeeItemFactory()
    RepairSettings.objects.get_or_create(pk=1)
    client_services.feedback_record(client=client, by=owner, product="Tea", feedback="Good")
    client_services.demand_record(
        client=client, by=owner, product="Tea", quantity=5, period_start=date(2025, 1, 1), period_end=date(2025, 3, 31)
    )
    sales_order = SalesOrder.objects.create(
        client=client, ordered_on=timezone.localdate() - timedelta(days=30), amount=100, margin=Decimal("0.1")
    )
    complaint = complaint_file(client=client, subject="Noise", description="At night.", channel="phone", by=owner)
    delivery = deliveries.delivery_record(
        order=sales_order, by=owner, carrier="顺丰速运", tracking_number="SF-MATRIX", shipped_on=sales_order.ordered_on
    )
    deliveries.order_complaint_file(
        order=sales_order, subject="Damaged", description="Box broken.", channel="phone", by=owner
    )
    ServicePlan.objects.create(
        client=client,
        year=2026,
        commitments="Monthly visit",
        our_contacts="Owner",
        client_contacts="Buyer",
        updated_by=owner,
    )
    brand = Brand.objects.create(code="MS", name_zh="明星", name_en="Star")
    product = Product.objects.create(brand=brand, code="MS-01", name_zh="明星一号")
    promotion = CampaignFactory(created_by=users[Role.MANAGER], product=product)
    promotion.launched_at = timezone.now()
    promotion.save()
    campaign_member = CampaignMember.objects.create(campaign=promotion, client=client, added_by=users[Role.MANAGER])
    receivable = Receivable.objects.create(
        client=client, invoice="INV-MATRIX-1", amount=100, due_on=timezone.localdate() - timedelta(days=60)
    )
    correction = grading_services.ledger_correction_request(
        record=sales_order, field="amount", new_value="120", reason="Typed wrong", by=owner
    )
    grading_run = grading_services.grading_run()  # grades the other manager's client too
    import_job = ImportJob.objects.create(
        created_by=owner, kind="clients", file_name="clients.csv", stored_name="matrix-import.csv"
    )
    notification = NotificationFactory(recipient=owner, title=f"Visit {client.name} ({client.code})")

    tenancy = TenancyFactory(client=client, company_name=client.name)
    archive_services.tenant_profile_save(
        tenancy=tenancy, data={"staff_count": 9, "arrears": Decimal("100")}, seen_version=0, by=users[Role.ADMIN]
    )
    unit = tenancy.unit
    order = RepairOrderFactory(
        unit=unit, client=client, technician=TechnicianFactory(), status=RepairOrder.Status.ASSIGNED
    )
    callback = Callback.objects.create(order=order, month=date(2025, 1, 1))
    paid_order = RepairOrderFactory(
        unit=unit,
        technician=TechnicianFactory(),
        status=RepairOrder.Status.COMPLETED,
        consented_at=timezone.now(),
        completed_at=timezone.now(),
        signature="M 1 1 L 2 2",
        total=Decimal("80"),
    )
    pdf = b"%PDF-1.4\n% matrix\n%%EOF\n"
    original = archive_services.document_file(
        unit=unit,
        upload=SimpleUploadedFile("lease.pdf", pdf),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=desk,
    )
    working = archive_services.document_file(
        unit=unit,
        upload=SimpleUploadedFile("contacts.pdf", pdf),
        title="Contacts",
        category="move_in",
        dated=tenancy.move_in,
        kind="working",
        by=desk,
    )
    change = archive_services.change_request_submit(
        document=working, upload=SimpleUploadedFile("contacts-v2.pdf", pdf), reason="New phone", by=desk
    )
    loan = Loan.objects.create(unit=unit, borrower=desk, purpose="Audit")
    yearly = YearlyArchive.objects.create(year=timezone.localdate().year - 1)
    team_month = TeamMonth.objects.create(
        team=team,
        month=timezone.localdate().replace(day=1),
        policy=VisitPolicy.current(),
        created_by=users[Role.MANAGER],
    )
    plan = MonthPlan.objects.create(
        owner=owner, month=timezone.localdate().replace(day=1), status="submitted", team_month=team_month
    )
    visit = Visit.objects.create(plan=plan, owner=owner, client=client, kind="onsite", planned_for=timezone.localdate())
    MarketInfo.objects.create(client=client, territory=territory, product="Tea", notes="Shelf", recorded_by=owner)
    report = MarketReport.objects.create(
        territory=territory, month=date(2025, 1, 1), responsible=owner, due_date=date(2025, 2, 5)
    )
    _targets_of(owner)
    key_account = ClientFactory(owner=owner, is_key_account=True, name="Matrix key account")
    KeyAccountCost.objects.create(
        client=key_account, kind="events", amount=100, incurred_on=date(2025, 1, 1), recorded_by=owner
    )
    lead = Lead.objects.create(name="Matrix prospect", owner=owner, created_by=owner)
    survey, survey_invitation, survey_token = _survey_of(users[Role.MANAGER], client)
    brand_plan = BrandPlanFactory(created_by=users[Role.MANAGER], team=team, brand=BrandFactory(code="MATRIX"))
    product = ProductFactory(brand=brand_plan.brand, code="MATRIX-1")
    brand_target = BrandPlanTargetFactory(plan=brand_plan, client=client)
    milestone = BrandPlanMilestoneFactory(plan=brand_plan)
    from archives.correspondence import letter_log

    letter = letter_log(
        unit=unit,
        received_on=tenancy.move_in,
        sender="Matrix tenant",
        subject="Matrix letter",
        kind="letter",
        scan=SimpleUploadedFile("letter.pdf", pdf),
        by=desk,
    )
    return World(
        letter=letter,
        survey=survey,
        survey_question=survey.questions.get(),
        survey_invitation=survey_invitation,
        survey_token=survey_token,
        brand=brand_plan.brand,
        product=product,
        brand_plan=brand_plan,
        brand_target=brand_target,
        milestone=milestone,
        fee_schedule=fee_item.schedule,
        fee_item=fee_item,
        paid_order=paid_order,
        key_account=key_account,
        lead=lead,
        users=users,
        owner=owner,
        client=client,
        complaint=complaint,
        promotion=promotion,
        campaign_member=campaign_member,
        receivable=receivable,
        sales_order=sales_order,
        correction=correction,
        grading_run=grading_run,
        import_job=import_job,
        notification=notification,
        order=order,
        callback=callback,
        unit=unit,
        tenancy=tenancy,
        original=original,
        working=working,
        change=change,
        loan=loan,
        yearly=yearly,
        plan=plan,
        visit=visit,
        report=report,
        delivery=delivery,
    )
