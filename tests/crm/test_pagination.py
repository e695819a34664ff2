"""Long lists count at most CAP rows and say "more than" beyond it."""

from django.test import RequestFactory

from crm.models import Notification
from crm.pagination import CappedPaginator, paginate
from tests.factories import NotificationFactory


def test_the_count_stops_at_the_cap(alice):
    NotificationFactory.create_batch(12, recipient=alice)
    paginator = CappedPaginator(Notification.objects.order_by("pk"), 5, cap=10)
    assert paginator.count == 11 and paginator.capped
    assert CappedPaginator(Notification.objects.order_by("pk"), 5, cap=20).count == 12


def test_page_size_is_chosen_from_the_allowed_sizes(alice):
    NotificationFactory.create_batch(60, recipient=alice)
    request = RequestFactory().get("/", {"per_page": "50"})
    assert len(paginate(request, Notification.objects.order_by("pk")).object_list) == 50
    request = RequestFactory().get("/", {"per_page": "9999"})
    assert len(paginate(request, Notification.objects.order_by("pk")).object_list) == 25
