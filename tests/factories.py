from datetime import date, timedelta

import factory
from django.utils import timezone

from crm.demo import DEMO_PASSWORD
from crm.models import Notification, Team, Territory, User
from crm.roles import Role


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    code = factory.Sequence(lambda n: f"territory-{n}")
    name = factory.Sequence(lambda n: f"Territory {n}")
    team = factory.SubFactory(TeamFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.ACCOUNT_MANAGER
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something to look at."
    send_email = False


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Client"

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Client {n} Ltd.")
    owner = factory.SubFactory(UserFactory)
    kind = "corporate"
    status = "active"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Contact"

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    phone = "010-6512 3456"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Interaction"

    client = factory.SubFactory(ClientFactory)
    kind = "visit"
    outcome = "Discussed the new tariff."
    recorded_by = factory.LazyAttribute(lambda interaction: interaction.client.owner)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Campaign"

    name = factory.Sequence(lambda n: f"Spring offer {n}")
    offer = "10% off the second order."
    # Running from today for a month: launching a campaign whose period has ended is refused.
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    team = factory.LazyAttribute(lambda c: c.created_by.team if c.created_by.role == Role.MANAGER else None)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "archives.Building"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"b{n}")
    name = factory.Sequence(lambda n: f"Tower {n}")
    zone = "east"


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "archives.Floor"
        django_get_or_create = ("building", "number")

    building = factory.SubFactory(BuildingFactory)
    number = 12


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "archives.Unit"

    floor = factory.SubFactory(FloorFactory)
    number = factory.Sequence(lambda n: f"{1200 + n}")


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "archives.Tenancy"

    unit = factory.SubFactory(UnitFactory)
    client = factory.SubFactory(ClientFactory, kind="tenant")
    company_name = factory.LazyAttribute(lambda tenancy: tenancy.client.name)
    move_in = factory.LazyFunction(lambda: date(2025, 1, 1))


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repairs.Technician"

    user = factory.SubFactory(UserFactory, role=Role.TECHNICIAN)
    specialties = factory.LazyFunction(lambda: ["plumbing"])


def fee_schedule_in_force():
    """The published fee schedule items are added to by default: in force since 2000 (REP-5)."""
    from repairs.models import FeeSchedule

    return FeeSchedule.objects.get_or_create(
        state="published", effective_from=date(2000, 1, 1), defaults={"published_at": timezone.now()}
    )[0]


class FeeScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repairs.FeeSchedule"

    state = "published"
    effective_from = factory.LazyFunction(timezone.localdate)
    published_at = factory.LazyFunction(timezone.now)


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repairs.FeeItem"
        django_get_or_create = ("schedule", "code")

    schedule = factory.LazyFunction(fee_schedule_in_force)
    code = factory.Sequence(lambda n: f"fee-{n}")
    name = factory.Sequence(lambda n: f"Fee {n}")
    kind = "labour"
    price = 50


class RepairOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "repairs.RepairOrder"

    number = factory.Sequence(lambda n: f"R-T{n:05d}")
    unit = factory.SubFactory(UnitFactory)
    contact_name = "王先生"
    contact_phone = "138 0013 8000"
    category = "plumbing"
    description = "Leaking tap in the kitchen."
    appointment_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory, role=Role.FRONT_DESK)
    # An order made completed here was first completed then (REP-7 counts jobs by that month).
    completed_at = None
    first_completed_at = factory.LazyAttribute(lambda order: order.completed_at)


class LeadFactory(factory.django.DjangoModelFactory):
    """A key-account pipeline card at "prospect" (MKT-3); other stages through clients.pipeline."""

    class Meta:
        model = "clients.Lead"

    name = factory.Sequence(lambda n: f"Prospect {n} Co.")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    expected_volume = 100000


class KeyAccountCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.KeyAccountCost"

    client = factory.SubFactory(ClientFactory, is_key_account=True)
    kind = "events"
    amount = 100
    incurred_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SelfAttribute("client.owner")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Brand"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name_zh = factory.Sequence(lambda n: f"品牌{n}")
    name_en = factory.Sequence(lambda n: f"Brand {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Product"
        django_get_or_create = ("code",)

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"P-{n:03d}")
    name_zh = factory.Sequence(lambda n: f"新品{n}")
    name_en = factory.Sequence(lambda n: f"New product {n}")


class SurveyFactory(factory.django.DjangoModelFactory):
    """A draft survey (MKT-4); send it and answer it through clients.surveys."""

    class Meta:
        model = "clients.Survey"

    title = factory.Sequence(lambda n: f"新品调查 {n}")
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    created_by = factory.SubFactory(UserFactory, role=Role.MANAGER)
    team = factory.LazyAttribute(lambda s: s.created_by.team if s.created_by.role == Role.MANAGER else None)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.Question"

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = "single"
    choices = factory.LazyAttribute(lambda q: ["是", "否"] if q.kind in ("single", "multiple") else [])


class BrandPlanFactory(factory.django.DjangoModelFactory):
    """A brand plan of the creator's team (MKT-4); its targets and milestones through clients.brand_plans."""

    class Meta:
        model = "clients.BrandPlan"

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    created_by = factory.SubFactory(UserFactory, role=Role.MANAGER, team=factory.SubFactory(TeamFactory))
    team = factory.SelfAttribute("created_by.team")
    start_month = date(2026, 1, 1)
    end_month = date(2026, 6, 1)


class BrandPlanTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.BrandPlanTarget"

    plan = factory.SubFactory(BrandPlanFactory)
    client = factory.SubFactory(ClientFactory)
    added_by = factory.SelfAttribute("plan.created_by")


class BrandPlanMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clients.BrandPlanMilestone"

    plan = factory.SubFactory(BrandPlanFactory)
    month = factory.SelfAttribute("plan.start_month")
    distribution_points = 1
    sales_amount = 100


class SalesOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "grading.SalesOrder"

    client = factory.SubFactory(ClientFactory)
    ordered_on = date(2026, 1, 15)
    amount = 100
    margin = "0.1"
    product = ""
