"""Promotions (CLI-8): a manager notifies clients picked by filter; notices are recorded once."""

import pytest
from django.urls import reverse

from clients.models import Promotion, PromotionNotice
from crm.models import Notification
from tests.factories import ClientFactory, PromotionFactory


@pytest.fixture
def promotion(manager):
    return PromotionFactory(created_by=manager, name="双十二优惠")


def test_manager_creates_a_promotion(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:promotion_create"),
        {"name": "New year", "description": "Gift box", "starts_on": "2026-12-20", "ends_on": "2027-01-10"},
    )
    promotion = Promotion.objects.get()
    assert response["Location"] == promotion.get_absolute_url() and promotion.created_by == manager


def test_dates_must_be_ordered(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:promotion_create"),
        {"name": "x", "description": "y", "starts_on": "2026-12-20", "ends_on": "2026-12-01"},
    )
    assert "ends_on" in response.context["form"].errors


def test_account_managers_cannot_create_promotions(client, alice):
    client.force_login(alice)
    assert client.get(reverse("clients:promotion_create")).status_code == 403


def test_notify_clients_by_filter_records_each_once_and_tells_owners(client, manager, alice, bob, charlie, promotion):
    retail_a = ClientFactory(owner=alice, kind="retail")
    retail_b = ClientFactory(owner=bob, kind="retail")
    ClientFactory(owner=alice, kind="corporate")
    ClientFactory(owner=charlie, kind="retail")  # another team: outside the manager's gate
    client.force_login(manager)
    preview = client.get(promotion.get_absolute_url(), {"kind": "retail", "preview": "1"})
    assert preview.context["selected_count"] == 2
    client.post(reverse("clients:promotion_notify", args=[promotion.pk]), {"kind": "retail"})
    assert set(PromotionNotice.objects.values_list("client_id", flat=True)) == {retail_a.pk, retail_b.pk}
    assert Notification.objects.filter(recipient=alice, title__contains="双十二优惠").count() == 1
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert not Notification.objects.filter(recipient=charlie).exists()
    client.post(reverse("clients:promotion_notify", args=[promotion.pk]), {"kind": "retail"})
    assert PromotionNotice.objects.count() == 2, "a client is notified of a promotion once"


def test_account_manager_sees_only_their_clients_notices(client, manager, alice, bob, promotion):
    mine = ClientFactory(owner=alice, name="Mine")
    ClientFactory(owner=bob, name="Bob's")
    client.force_login(manager)
    client.post(reverse("clients:promotion_notify", args=[promotion.pk]), {})
    client.force_login(alice)
    notices = client.get(promotion.get_absolute_url()).context["page_obj"].object_list
    assert [notice.client for notice in notices] == [mine]
    assert "Notified of promotion: 双十二优惠" in client.get(mine.get_absolute_url()).content.decode()


def test_promotions_that_reached_none_of_my_clients_are_hidden(client, alice, promotion):
    client.force_login(alice)
    assert client.get(promotion.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("clients:promotions")).context["page_obj"].object_list) == []
