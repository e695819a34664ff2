"""The key-account pipeline (MKT-3): stage moves, signing, the board and list, and their gate."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients import pipeline
from clients.models import Client, KeyAccountProfile, Lead
from crm.roles import Role
from tests.factories import ClientFactory, LeadFactory

S = Lead.Stage


@pytest.fixture
def alices_lead(alice):
    return pipeline.lead_create(by=alice, owner=alice, name="江苏苏宁商贸", expected_volume=Decimal("1200000"))


def move(lead, stage, by, **kwargs):
    return pipeline.lead_move(lead=lead, stage=stage, seen=lead.stage, by=by, **kwargs)


# --- the workflow ---


def test_a_new_card_starts_at_prospect_with_its_first_history_row(alices_lead, alice):
    assert alices_lead.stage == S.PROSPECT
    assert [(m.from_stage, m.to_stage, m.by) for m in alices_lead.moves.all()] == [("", S.PROSPECT, alice)]


def test_moves_forward_record_who_moved_from_what_to_what(alices_lead, alice, manager):
    lead = move(alices_lead, S.CONTACTED, alice)
    lead = move(lead, S.NEGOTIATING, manager, note="Price list sent")
    assert lead.stage == S.NEGOTIATING
    history = [(m.from_stage, m.to_stage, m.by.username, m.note) for m in lead.moves.all()]
    assert history[1:] == [
        (S.PROSPECT, S.CONTACTED, "alice", ""),
        (S.CONTACTED, S.NEGOTIATING, "boss", "Price list sent"),
    ]
    assert lead.history.first().history_user == manager  # the card's own audit row


@pytest.mark.parametrize(("start", "target"), [(S.PROSPECT, S.SIGNED), (S.PROSPECT, S.NEGOTIATING), (S.LOST, S.SIGNED)])
def test_a_card_cannot_skip_stages(alices_lead, alice, start, target):
    Lead.objects.filter(pk=alices_lead.pk).update(stage=start, lost_reason="x")
    alices_lead.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        move(alices_lead, target, alice)
    assert "stage" in error.value.message_dict
    assert Lead.objects.get(pk=alices_lead.pk).stage == start


def test_a_lost_card_says_why_and_a_reopened_card_forgets_it(alices_lead, alice):
    with pytest.raises(ValidationError) as error:
        move(alices_lead, S.LOST, alice, lost_reason="  ")
    assert error.value.message_dict == {"lost_reason": ["Say why the account was lost."]}
    lead = move(alices_lead, S.LOST, alice, lost_reason="Competitor's rebate was higher")
    assert (lead.stage, lead.lost_reason) == (S.LOST, "Competitor's rebate was higher")
    lead = move(lead, S.PROSPECT, alice)
    assert (lead.stage, lead.lost_reason) == (S.PROSPECT, "")


def test_a_move_from_a_stage_the_card_has_left_is_refused(alices_lead, alice, manager):
    seen = alices_lead.stage
    move(alices_lead, S.CONTACTED, manager)
    with pytest.raises(ValidationError, match="Someone else moved this card first: it is now at “Contacted”"):
        pipeline.lead_move(lead=alices_lead, stage=S.CONTACTED, seen=seen, by=alice)
    assert alices_lead.moves.count() == 2


def test_signing_a_new_company_creates_its_client_file_as_a_key_account(alices_lead, alice):
    lead = move(move(alices_lead, S.CONTACTED, alice), S.NEGOTIATING, alice)
    lead = move(lead, S.SIGNED, alice)
    client = lead.client
    assert (client.name, client.owner, client.is_key_account, client.status) == ("江苏苏宁商贸", alice, True, "active")
    assert client.code == f"KA{lead.pk:06d}"
    assert client.key_account.annual_volume == Decimal("1200000")
    created = client.history.get()
    assert (created.history_user, created.history_change_reason) == (alice, "Signed as a key account from the pipeline")


def test_signing_a_prospect_client_marks_it_a_key_account_and_audits_the_change(alice, manager):
    prospect = ClientFactory(owner=alice, name="鲁花粮油", status="prospect")
    lead = pipeline.lead_create(by=manager, owner=alice, client=prospect, expected_volume=Decimal("500"))
    assert lead.name == "鲁花粮油"  # the client's name when none is given
    for stage in (S.CONTACTED, S.NEGOTIATING, S.SIGNED):
        lead = move(lead, stage, manager)
    prospect.refresh_from_db()
    assert (prospect.is_key_account, prospect.status) == (True, "active")
    assert Client.objects.count() == 1
    change = prospect.history.first()
    assert (change.history_user, change.is_key_account) == (manager, True)
    assert KeyAccountProfile.objects.get(client=prospect).annual_volume == Decimal("500")


def test_the_code_of_a_signed_client_does_not_collide_with_an_existing_one(alices_lead, alice):
    ClientFactory(code=f"KA{alices_lead.pk:06d}")
    Lead.objects.filter(pk=alices_lead.pk).update(stage=S.NEGOTIATING)
    alices_lead.refresh_from_db()
    assert move(alices_lead, S.SIGNED, alice).client.code == f"KA{alices_lead.pk:06d}-2"


def test_a_signed_card_moves_no_more(alices_lead, alice):
    Lead.objects.filter(pk=alices_lead.pk).update(stage=S.NEGOTIATING)
    alices_lead.refresh_from_db()
    lead = move(alices_lead, S.SIGNED, alice)
    assert pipeline.allowed_moves(lead) == ()
    with pytest.raises(ValidationError):
        move(lead, S.LOST, alice, lost_reason="changed mind")


def test_cards_are_given_only_to_account_managers_one_may_direct(alice, bob, charlie, manager):
    with pytest.raises(ValidationError) as error:
        pipeline.lead_create(by=alice, owner=bob, name="X")
    assert "owner" in error.value.message_dict
    pipeline.lead_create(by=manager, owner=bob, name="X")  # a teammate of the manager
    with pytest.raises(ValidationError):
        pipeline.lead_create(by=manager, owner=charlie, name="Y")


def test_a_client_goes_on_the_pipeline_once_and_only_by_its_own_account_manager(alice, bob, manager):
    prospect = ClientFactory(owner=alice, status="prospect")
    with pytest.raises(ValidationError) as error:
        pipeline.lead_create(by=manager, owner=bob, client=prospect)
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        pipeline.lead_create(by=bob, owner=bob, client=prospect)  # not bob's client
    assert "client" in error.value.message_dict
    pipeline.lead_create(by=alice, owner=alice, client=prospect)
    with pytest.raises(ValidationError, match="on the pipeline already"):
        pipeline.lead_create(by=alice, owner=alice, client=prospect)
    key = ClientFactory(owner=alice, is_key_account=True)
    with pytest.raises(ValidationError, match="key account already"):
        pipeline.lead_create(by=alice, owner=alice, client=key)


# --- pages: the gate ---

CARD_PAGES = ["clients:lead_detail", "clients:lead_edit"]


@pytest.mark.parametrize("name", CARD_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("bob", 404),
        ("charlie", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
def test_card_pages_follow_the_gate(client, request, alices_lead, name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[alices_lead.pk])).status_code == status


@pytest.mark.parametrize("who", ["bob", "charlie", "other_manager", "front_desk"])
def test_outsiders_cannot_move_or_edit_a_card(client, request, alices_lead, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("clients:lead_move", args=[alices_lead.pk])
    assert client.post(url, {"seen": "prospect", "stage": "contacted"}).status_code in (403, 404)
    edit = client.post(reverse("clients:lead_edit", args=[alices_lead.pk]), {"name": "Hijacked", "owner": 1})
    assert edit.status_code in (403, 404)
    alices_lead.refresh_from_db()
    assert (alices_lead.stage, alices_lead.name) == (S.PROSPECT, "江苏苏宁商贸")


@pytest.mark.parametrize("url", ["clients:pipeline", "clients:pipeline_list"])
@pytest.mark.parametrize(
    ("who", "sees"),
    [("alice", True), ("bob", False), ("charlie", False), ("manager", True), ("other_manager", False)],
)
def test_board_and_list_show_the_cards_of_the_users_scope(client, request, alices_lead, url, who, sees):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert ("江苏苏宁商贸" in response.content.decode()) is sees


@pytest.mark.parametrize("url", ["clients:pipeline", "clients:pipeline_list", "clients:lead_create"])
def test_other_roles_do_not_reach_the_pipeline(client, front_desk, url):
    client.force_login(front_desk)
    assert client.get(reverse(url)).status_code == 403


def test_the_navbar_offers_the_pipeline_to_account_managers_and_managers(client, alice, manager, front_desk):
    for user, shown in ((alice, True), (manager, True), (front_desk, False)):
        client.force_login(user)
        assert (reverse("clients:pipeline") in client.get(reverse("home")).content.decode()) is shown


# --- pages: board, list, filters, query counts ---


def board(response):
    return {column.stage: [lead.name for lead in column.cards] for column in response.context["columns"]}


def test_the_board_has_a_column_per_stage_with_counts_and_volume(client, alice, alices_lead):
    other = pipeline.lead_create(by=alice, owner=alice, name="绿源茶业", expected_volume=Decimal("600000"))
    move(other, S.CONTACTED, alice)
    client.force_login(alice)
    response = client.get(reverse("clients:pipeline"))
    assert board(response) == {
        "prospect": ["江苏苏宁商贸"],
        "contacted": ["绿源茶业"],
        "negotiating": [],
        "signed": [],
        "lost": [],
    }
    contacted = response.context["columns"][1]
    assert (contacted.count, contacted.volume) == (1, Decimal("600000"))


def test_a_full_column_shows_its_latest_cards_and_links_to_the_rest(client, alice, monkeypatch):
    from clients import selectors

    monkeypatch.setattr(selectors, "BOARD_COLUMN_CARDS", 2)
    for name in ("A", "B", "C"):
        pipeline.lead_create(by=alice, owner=alice, name=name)
    client.force_login(alice)
    column = client.get(reverse("clients:pipeline")).context["columns"][0]
    assert ([lead.name for lead in column.cards], column.count, column.more) == (["C", "B"], 3, 1)


def test_the_board_moves_a_card_one_stage_forward_and_returns_to_the_board(client, alice, alices_lead):
    client.force_login(alice)
    board_url = reverse("clients:pipeline") + "?stage=open"
    response = client.post(
        reverse("clients:lead_move", args=[alices_lead.pk]),
        {"seen": "prospect", "stage": "contacted", "next": board_url},
    )
    assert response.status_code == 302 and response.url == board_url
    assert Lead.objects.get(pk=alices_lead.pk).stage == S.CONTACTED


def test_a_card_lost_without_a_reason_gets_a_message_next_to_the_field_and_stays(client, alice, alices_lead):
    client.force_login(alice)
    response = client.post(reverse("clients:lead_move", args=[alices_lead.pk]), {"seen": "prospect", "stage": "lost"})
    assert response.status_code == 200
    assert response.context["move_form"].errors == {"lost_reason": ["Say why the account was lost."]}
    assert Lead.objects.get(pk=alices_lead.pk).stage == S.PROSPECT
    assert alices_lead.moves.count() == 1


def test_a_move_lost_to_someone_else_is_told_and_the_page_shows_the_card_as_it_is(client, alice, alices_lead):
    move(alices_lead, S.CONTACTED, alice)
    client.force_login(alice)
    response = client.post(
        reverse("clients:lead_move", args=[alices_lead.pk]), {"seen": "prospect", "stage": "contacted"}
    )
    assert "Someone else moved this card first" in response.content.decode()
    assert response.context["move_form"].initial == {"seen": "contacted"}
    assert alices_lead.moves.count() == 2


def test_the_list_filters_by_owner_stage_and_search(client, manager, alice, bob, alices_lead):
    bobs = pipeline.lead_create(by=bob, owner=bob, name="美的电器", next_step="Second round on rebates")
    move(bobs, S.CONTACTED, bob)
    client.force_login(manager)
    url = reverse("clients:pipeline_list")

    def names(**query):
        return [lead.name for lead in client.get(url, query).context["page_obj"].object_list]

    assert names(owner=alice.pk) == ["江苏苏宁商贸"]
    assert names(stage="contacted") == ["美的电器"]
    assert sorted(names(stage="open")) == ["江苏苏宁商贸", "美的电器"]
    assert names(q="rebates") == ["美的电器"]
    assert names(q="苏宁") == ["江苏苏宁商贸"]
    assert names(ordering="name") == ["江苏苏宁商贸", "美的电器"]


def test_an_account_managers_list_has_no_owner_filter(client, alice):
    client.force_login(alice)
    assert "owner" not in client.get(reverse("clients:pipeline_list")).context["filter"].form.fields


@pytest.mark.parametrize("rows", [1, 40])
@pytest.mark.parametrize("url", ["clients:pipeline", "clients:pipeline_list"])
def test_board_and_list_run_a_constant_number_of_queries(
    client, manager, alice, bob, rows, url, django_assert_max_num_queries
):
    for n in range(rows):
        owner = alice if n % 2 else bob
        pipeline.lead_create(by=owner, owner=owner, name=f"Prospect {n}", client=None)
    client.force_login(manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse(url), {"per_page": 50, "q": "Prospect"})
    assert response.status_code == 200


def test_the_list_is_paginated(client, alice):
    for n in range(30):
        LeadFactory(owner=alice, name=f"P{n:02d}")
    client.force_login(alice)
    page = client.get(reverse("clients:pipeline_list")).context["page_obj"]
    assert (len(page.object_list), page.paginator.num_pages) == (25, 2)


# --- pages: create and edit ---


def test_creating_a_card_from_the_page(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("clients:lead_create"),
        {"name": "福建安踏", "owner": alice.pk, "expected_volume": "900000", "next_step": "寄送样品"},
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response.url == lead.get_absolute_url()
    assert (lead.owner, lead.created_by, lead.stage) == (alice, alice, S.PROSPECT)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "X", "expected_volume": "-5"}, "expected_volume", "Enter zero or a positive volume."),
        ({"name": "X", "expected_volume": "lots"}, "expected_volume", "Enter a number."),
        ({"name": "", "expected_volume": "5"}, "name", "Name the company, or choose an existing client."),
        ({"name": "X", "next_step_on": "2026-02-30"}, "next_step_on", "Enter a valid date."),
    ],
)
def test_bad_input_on_a_new_card_is_shown_next_to_the_field_and_nothing_is_saved(client, alice, data, field, message):
    client.force_login(alice)
    response = client.post(reverse("clients:lead_create"), {"owner": alice.pk, **data})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Lead.objects.exists()


def test_editing_a_card_keeps_its_stage_and_writes_its_history(client, manager, alice, bob, alices_lead):
    move(alices_lead, S.CONTACTED, alice)
    client.force_login(manager)
    response = client.post(
        reverse("clients:lead_edit", args=[alices_lead.pk]),
        {"name": "江苏苏宁", "owner": bob.pk, "expected_volume": "1500000", "next_step": "Meet the CFO"},
    )
    assert response.status_code == 302
    lead = Lead.objects.get(pk=alices_lead.pk)
    assert (lead.name, lead.owner, lead.stage, lead.expected_volume) == (
        "江苏苏宁",
        bob,
        S.CONTACTED,
        Decimal("1500000"),
    )
    assert lead.history.first().history_user == manager


def test_the_create_form_offers_only_the_users_prospect_clients(client, alice, bob):
    mine = ClientFactory(owner=alice, status="prospect", name="Mine")
    ClientFactory(owner=alice, status="active", name="Active")
    ClientFactory(owner=bob, status="prospect", name="Bob's")
    client.force_login(alice)
    choices = client.get(reverse("clients:lead_create")).context["form"].fields["client"].queryset
    assert list(choices) == [mine]


def test_the_owner_choice_of_an_account_manager_is_themselves(client, alice):
    client.force_login(alice)
    form = client.get(reverse("clients:lead_create")).context["form"]
    assert list(form.fields["owner"].queryset) == [alice]
    assert alice.role == Role.ACCOUNT_MANAGER


# --- demo data and fuzzing ---


def test_the_demo_pipeline_has_every_stage_and_the_demo_key_accounts_have_costs(db):
    from clients import demo
    from clients.models import KeyAccountCost
    from crm.demo import seed_people

    seed_people()
    demo.seed()
    stages = set(Lead.objects.values_list("stage", flat=True))
    assert stages == set(S.values)
    assert set(Lead.objects.values_list("owner__username", flat=True)) == {"am1", "am2"}
    for lead in Lead.objects.filter(stage=S.SIGNED):
        assert lead.client.is_key_account and lead.moves.count() == 4  # opened, then three moves
    accounts = Client.objects.filter(is_key_account=True)  # the signed ones too
    assert accounts.exists()
    assert set(KeyAccountCost.objects.values_list("client", flat=True)) == set(accounts.values_list("pk", flat=True))
    assert not KeyAccountCost.objects.filter(incurred_on__gt=timezone.localdate()).exists()
    before = (Lead.objects.count(), KeyAccountCost.objects.count(), Client.objects.count())
    demo.seed()
    assert (Lead.objects.count(), KeyAccountCost.objects.count(), Client.objects.count()) == before


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("clients:lead_move", ["stage", "seen", "lost_reason", "note", "next"]),
        ("clients:lead_edit", ["name", "owner", "expected_volume", "next_step", "next_step_on", "notes"]),
    ],
)
def test_no_posted_form_makes_a_card_page_fail(client, alice, url, fields):
    from hypothesis import given

    from tests.crm.test_fuzz import FUZZ, params

    client.force_login(alice)
    path = reverse(url, args=[LeadFactory(owner=alice).pk])

    @FUZZ
    @given(data=params(fields))
    def fuzz(data: dict[str, str]) -> None:
        assert client.post(path, data).status_code < 500, data

    fuzz()


def test_the_card_of_an_existing_client_stays_with_that_clients_account_manager(client, manager, alice, bob):
    prospect = ClientFactory(owner=alice, status="prospect")
    lead = pipeline.lead_create(by=alice, owner=alice, client=prospect)
    client.force_login(manager)
    response = client.post(reverse("clients:lead_edit", args=[lead.pk]), {"name": lead.name, "owner": bob.pk})
    assert response.status_code == 200
    assert "belongs to that client's account manager" in response.context["form"].errors["owner"][0]
    assert Lead.objects.get(pk=lead.pk).owner == alice


def test_the_owner_filter_works_after_the_class_filters_built_their_fields(client, manager, alice, alices_lead):
    from clients.filters import LeadFilter

    LeadFilter.base_filters["owner"].field  # noqa: B018 - as the fuzz test does, in the same process
    client.force_login(manager)
    response = client.get(reverse("clients:pipeline_list"), {"owner": alice.pk})
    assert [lead.name for lead in response.context["page_obj"].object_list] == ["江苏苏宁商贸"]


# --- one open card per client, also when a lost card is reopened (F2) ---

REOPEN_REFUSED = "This client has another open pipeline card"


def _lost_card_and_a_new_one(alice):
    prospect = ClientFactory(owner=alice, status="prospect")
    lost = pipeline.lead_create(by=alice, owner=alice, client=prospect)
    lost = move(lost, S.LOST, alice, lost_reason="No budget this year")
    pipeline.lead_create(by=alice, owner=alice, client=prospect, name="Second try")
    return lost


def test_a_lost_card_is_not_reopened_while_its_client_has_another_open_card(alice):
    lost = _lost_card_and_a_new_one(alice)
    with pytest.raises(ValidationError, match=REOPEN_REFUSED):
        move(lost, S.PROSPECT, alice)
    assert Lead.objects.get(pk=lost.pk).stage == S.LOST
    assert lost.moves.count() == 2


def test_a_card_opened_during_the_reopening_is_told_as_the_same_refusal(alice, monkeypatch):
    lost = _lost_card_and_a_new_one(alice)
    monkeypatch.setattr(pipeline, "_another_open_card", lambda lead: False)  # the check lost the race
    with pytest.raises(ValidationError, match=REOPEN_REFUSED):
        move(lost, S.PROSPECT, alice)
    assert Lead.objects.get(pk=lost.pk).stage == S.LOST
    assert lost.moves.count() == 2


def test_the_page_says_why_a_lost_card_is_not_reopened(client, alice):
    lost = _lost_card_and_a_new_one(alice)
    client.force_login(alice)
    response = client.post(reverse("clients:lead_move", args=[lost.pk]), {"seen": "lost", "stage": "prospect"})
    assert response.status_code == 200
    assert REOPEN_REFUSED in response.content.decode()
    assert Lead.objects.get(pk=lost.pk).stage == S.LOST


# --- a reassigned client takes its open card along; a stale card does not sign it (F1) ---


def test_a_client_given_to_another_account_manager_takes_its_open_card_along(alice, bob, manager):
    prospect = ClientFactory(owner=alice, status="prospect")
    lost = move(pipeline.lead_create(by=alice, owner=alice, client=prospect), S.LOST, alice, lost_reason="No budget")
    card = pipeline.lead_create(by=alice, owner=alice, client=prospect, name="Second try")
    prospect = Client.objects.get(pk=prospect.pk)
    prospect.owner, prospect._history_user = bob, manager
    prospect.save()
    card.refresh_from_db()
    assert card.owner == bob
    assert Lead.objects.get(pk=lost.pk).owner == alice  # a closed card stays where it was counted
    change = card.history.first()
    assert (change.owner_id, change.history_user, change.history_change_reason) == (
        bob.pk,
        manager,
        "The client was given to another account manager",
    )
    assert not Lead.objects.visible_to(alice).filter(pk=card.pk).exists()
    assert Lead.objects.visible_to(bob).filter(pk=card.pk).exists()
    assert move(move(move(card, S.CONTACTED, bob), S.NEGOTIATING, bob), S.SIGNED, bob).client == prospect


@pytest.mark.parametrize("who", ["alice", "manager"])
def test_a_card_left_with_the_former_account_manager_does_not_sign_the_client(request, alice, bob, who):
    prospect = ClientFactory(owner=alice, status="prospect")
    card = pipeline.lead_create(by=alice, owner=alice, client=prospect)
    card = move(move(card, S.CONTACTED, alice), S.NEGOTIATING, alice)
    Client.objects.filter(pk=prospect.pk).update(owner=bob)  # reassigned without the signal (old data)
    with pytest.raises(ValidationError, match="belongs to another account manager"):
        move(card, S.SIGNED, request.getfixturevalue(who))
    prospect.refresh_from_db()
    assert (prospect.is_key_account, prospect.status) == (False, "prospect")
    assert Lead.objects.get(pk=card.pk).stage == S.NEGOTIATING
    assert not KeyAccountProfile.objects.filter(client=prospect).exists()
