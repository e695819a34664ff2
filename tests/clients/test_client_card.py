"""Creating and editing a card with contacts and a key-account profile (CLI-2, 3, 4; X-4)."""

import pytest
from django.urls import reverse

from clients.models import Client, Contact, KeyAccountProfile
from crm.roles import Role


def card_data(**overrides):
    data = {
        "code": "nb001",
        "name": "New Bank Branch",
        "kind": "corporate",
        "status": "prospect",
        "channel": "referral",
        "territory": "",
        "employer": "New Bank",
        "position": "Branch director",
        "address": "建国路 88 号",
        "phone": "010-6512 3456",
        "email": "director@newbank.cn",
        "notes": "",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "王芳",
        "contacts-0-position": "Assistant",
        "contacts-0-phone": "+86 138 0013 8000",
        "contacts-0-email": "",
        "contacts-0-is_emergency": "on",
        "contacts-1-name": "",
        "contacts-1-position": "",
        "contacts-1-phone": "",
        "contacts-1-email": "",
        "ka-decision_makers": "",
        "ka-annual_volume": "",
        "ka-service_commitments": "",
        "ka-visit_cadence_days": "14",
    }
    data.update(overrides)
    return data


def test_account_manager_creates_a_client_they_own(client, alice):
    client.force_login(alice)
    response = client.post(reverse("clients:create"), card_data())
    created = Client.objects.get(code="NB001")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.owner == alice
    assert list(created.contacts.values_list("name", "is_emergency")) == [("王芳", True)]
    assert created.history.first().history_user == alice, "the change is audited with who made it"


def test_account_manager_cannot_give_the_client_to_someone_else(client, alice, bob):
    client.force_login(alice)
    client.post(reverse("clients:create"), card_data(owner=bob.pk))
    assert Client.objects.get(code="NB001").owner == alice


def test_manager_assigns_an_owner_from_the_team_only(client, manager, alice, charlie):
    client.force_login(manager)
    response = client.post(reverse("clients:create"), card_data(owner=charlie.pk))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    client.post(reverse("clients:create"), card_data(owner=alice.pk))
    assert Client.objects.get(code="NB001").owner == alice


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "HX001", "Client with this Client code already exists."),
        ("phone", "call me maybe", "Enter a phone number"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_typed_is_lost(
    client, alice, alices_client, field, value, message
):
    client.force_login(alice)
    response = client.post(reverse("clients:create"), card_data(**{field: value}))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    body = response.content.decode()
    assert "Please correct the errors below" in body
    assert 'value="New Bank"' in body and 'value="王芳"' in body, "what was typed is shown again"
    assert Client.objects.count() == 1


def test_a_malformed_contact_phone_is_flagged_on_the_contact(client, alice):
    client.force_login(alice)
    response = client.post(reverse("clients:create"), card_data(**{"contacts-0-phone": "12"}))
    assert "phone" in response.context["contacts"].forms[0].errors
    assert not Client.objects.exists(), "one transaction: no card without its contacts"


def test_only_one_emergency_contact(client, alice):
    client.force_login(alice)
    data = card_data(**{"contacts-1-name": "张磊", "contacts-1-is_emergency": "on"})
    response = client.post(reverse("clients:create"), data)
    assert response.status_code == 200
    assert "Only one contact can be the emergency contact." in response.content.decode()


def test_moving_the_emergency_flag_to_another_contact(client, alice, alices_client):
    first = alices_client.contacts.get()
    client.force_login(alice)
    data = card_data(
        code="HX001",
        name="华信科技",
        **{
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(first.pk),
            "contacts-0-name": first.name,
            "contacts-0-is_emergency": "",
            "contacts-0-phone": first.phone,
            "contacts-1-name": "新联系人",
            "contacts-1-is_emergency": "on",
        },
    )
    response = client.post(reverse("clients:edit", args=[alices_client.pk]), data)
    assert response.status_code == 302, response.context["contacts"].errors
    assert list(Contact.objects.filter(client=alices_client, is_emergency=True).values_list("name", flat=True)) == [
        "新联系人"
    ]


def two_contacts_data(client, first, second, *, flagged):
    """The card of ``client`` as posted, with its two existing contacts and the flag on ``flagged``."""
    data = card_data(
        code=client.code, name="华信科技（新名）", **{"contacts-TOTAL_FORMS": "2", "contacts-INITIAL_FORMS": "2"}
    )
    for n, contact in enumerate([first, second]):
        data.update(
            {
                f"contacts-{n}-id": str(contact.pk),
                f"contacts-{n}-name": contact.name,
                f"contacts-{n}-phone": contact.phone,
                f"contacts-{n}-position": contact.position,
                f"contacts-{n}-email": contact.email,
                f"contacts-{n}-is_emergency": "on" if contact == flagged else "",
            }
        )
    return data


def emergency_contacts(client):
    return list(Contact.objects.filter(client=client, is_emergency=True).values_list("name", flat=True))


def test_moving_the_emergency_flag_between_existing_contacts(client, alice, alices_client):
    first = alices_client.contacts.get()
    second = Contact.objects.create(client=alices_client, name="张磊", phone="+86 139 0000 0000")
    client.force_login(alice)
    response = client.post(
        reverse("clients:edit", args=[alices_client.pk]),
        two_contacts_data(alices_client, first, second, flagged=second),
    )
    assert response.status_code == 302, response.context["contacts"].errors
    assert emergency_contacts(alices_client) == ["张磊"]
    response = client.post(
        reverse("clients:edit", args=[alices_client.pk]), two_contacts_data(alices_client, first, second, flagged=first)
    )
    assert response.status_code == 302
    assert emergency_contacts(alices_client) == ["李明"]


def test_saving_a_card_without_touching_the_contacts_keeps_the_emergency_contact(client, alice, alices_client):
    first = alices_client.contacts.get()
    second = Contact.objects.create(client=alices_client, name="张磊", phone="+86 139 0000 0000")
    client.force_login(alice)
    response = client.post(
        reverse("clients:edit", args=[alices_client.pk]), two_contacts_data(alices_client, first, second, flagged=first)
    )
    assert response.status_code == 302, response.context["contacts"].errors
    alices_client.refresh_from_db()
    assert alices_client.name == "华信科技（新名）"
    assert emergency_contacts(alices_client) == ["李明"], "the unchanged contact form keeps its flag"


def test_key_account_profile_is_saved_and_kept_when_the_flag_is_removed(client, alice, alices_client):
    client.force_login(alice)
    first = alices_client.contacts.get()
    base = {
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": str(first.pk),
        "contacts-0-name": first.name,
        "contacts-0-phone": first.phone,
        "contacts-0-is_emergency": "on",
    }
    data = card_data(
        code="HX001",
        name="华信科技",
        is_key_account="on",
        **base,
        **{"ka-decision_makers": "CEO Li", "ka-annual_volume": "1200000", "ka-visit_cadence_days": "7"},
    )
    assert client.post(reverse("clients:edit", args=[alices_client.pk]), data).status_code == 302
    alices_client.refresh_from_db()
    assert alices_client.is_key_account
    assert alices_client.key_account.decision_makers == "CEO Li"
    page = client.get(reverse("clients:key_accounts"))
    assert alices_client in page.context["page_obj"].object_list
    data.pop("is_key_account")
    client.post(reverse("clients:edit", args=[alices_client.pk]), data)
    alices_client.refresh_from_db()
    assert not alices_client.is_key_account
    assert alices_client not in client.get(reverse("clients:key_accounts")).context["page_obj"].object_list
    # Unticking by mistake loses nothing: ticking again brings the profile back as it was.
    assert KeyAccountProfile.objects.get(client=alices_client).decision_makers == "CEO Li"
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert 'data-testid="key-account"' not in body


def test_editing_records_who_changed_what_on_the_timeline(client, alice, alices_client):
    client.force_login(alice)
    first = alices_client.contacts.get()
    data = card_data(
        code="HX001",
        name="华信科技",
        position="Chairman",
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(first.pk),
            "contacts-0-name": first.name,
            "contacts-0-phone": first.phone,
            "contacts-0-is_emergency": "on",
        },
    )
    client.post(reverse("clients:edit", args=[alices_client.pk]), data)
    timeline = client.get(reverse("clients:detail", args=[alices_client.pk])).context["timeline"]
    changes = [entry for entry in timeline if entry.title == "Card updated"]
    assert changes and "position" in changes[0].body and changes[0].actor == alice


def test_card_shows_not_graded_until_grading_sets_a_level(client, alice, alices_client):
    client.force_login(alice)
    assert "Not graded yet" in client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    Client.objects.filter(pk=alices_client.pk).update(level="B", discount_tier="5%")
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert "Discount tier" in body and "5%" in body


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.FRONT_DESK, Role.FINANCE])
def test_roles_outside_sales_cannot_create_clients(client, make_user, role):
    client.force_login(make_user(role))
    assert client.post(reverse("clients:create"), card_data()).status_code == 403
    assert not Client.objects.exists() and not Contact.objects.exists()
