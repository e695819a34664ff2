"""Log in, log out, lock-out and every role's home page with its navigation."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from crm import env
from crm.demo import DEMO_PASSWORD
from crm.roles import Role

ALL_ROLES = list(Role.values)


def login(client, username, password=DEMO_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders_for_anonymous_users(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_pages_require_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_the_right_password_lands_on_home(client, alice):
    response = login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_next_to_the_form(client, alice):
    response = login(client, "alice", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_lock_the_username_out_with_a_clear_message(client, alice, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong")
    response = login(client, "alice")  # even the right password is refused now
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed log-in attempts" in body
    assert "15 minutes" in body
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_so_colleagues_can_still_log_in(client, alice, bob, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong")
    assert login(client, "bob").status_code == 302


def test_a_success_before_the_limit_resets_the_failure_count(client, alice, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "alice", "wrong")
    assert login(client, "alice").status_code == 302
    client.post(reverse("logout"))
    login(client, "alice", "wrong")
    assert login(client, "alice").status_code == 302


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_has_a_home_page_with_its_duties(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["duties"], "each role's home page explains its work"
    assert str(Role(role).label) in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_shows_administration_only_to_administrators(client, make_user, role):
    client.force_login(make_user(role))
    body = client.get(reverse("home")).content.decode()
    assert 'data-nav="notifications:list"' in body
    assert ('data-nav="admin"' in body) is (role == Role.ADMIN)


def test_manager_home_lists_the_team(client, manager, alice, charlie):
    client.force_login(manager)
    response = client.get(reverse("home"))
    members = response.context["team_members"]
    assert alice in members
    assert charlie not in members


def test_admin_home_counts_users_per_role(client, admin_user, alice, bob):
    client.force_login(admin_user)
    counts = {row["role"]: row["count"] for row in client.get(reverse("home")).context["role_counts"]}
    assert counts[Role.ACCOUNT_MANAGER] == 2
    assert counts[Role.ADMIN] == 1
    assert counts[Role.TECHNICIAN] == 0


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != Role.ADMIN])
def test_only_administrators_reach_django_admin(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/admin/").status_code == 302  # admin's own login page


def test_administrator_manages_users_teams_territories_and_schedules(client, admin_user, alice, team):
    from crm.models import Territory

    Territory.objects.create(code="dongcheng", name="东城区", team=team)
    # The periodic tasks exist from migrate on (crm.schedule).
    client.force_login(admin_user)
    listed = {
        "admin:crm_user_changelist": ("username", {alice.username, admin_user.username}),
        "admin:crm_team_changelist": ("name", {team.name}),
        "admin:crm_territory_changelist": ("name", {"东城区"}),
        "admin:auth_group_changelist": ("name", {"role:account_manager", "role:technician"}),
        "admin:django_celery_beat_periodictask_changelist": ("name", {"crm-outbox-relay"}),
    }
    for name, (attribute, shown) in listed.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        rows = {getattr(row, attribute) for row in response.context["cl"].result_list}
        assert shown <= rows, (name, rows)
    form = client.get(reverse("admin:crm_user_add")).context["adminform"].form
    assert {"username", "role", "team"} <= set(form.fields), "a user gets a role and a team when created"


def test_administrator_creates_a_user_whose_role_gives_their_group(client, admin_user, team):
    from crm.models import User

    client.force_login(admin_user)
    response = client.post(
        reverse("admin:crm_user_add"),
        {
            "username": "newtech",
            "usable_password": "true",
            "password1": "a-Strong-pass-123",
            "password2": "a-Strong-pass-123",
            "role": Role.TECHNICIAN,
            "team": "",
            "email": "newtech@example.com",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newtech")
    assert user.role == Role.TECHNICIAN
    assert list(user.groups.values_list("name", flat=True)) == ["role:technician"]


def test_error_pages_are_styled(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="navbar' in response.content.decode()


BEHIND_ONE_PROXY = env.client_address(1)
PROXY = "10.0.0.1"  # every request reaches Django from the TLS proxy


def login_from(client, address: str, username: str, password: str = DEMO_PASSWORD, claimed: str = ""):
    """Log in through the proxy, which appends the address it saw to what the client claimed."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(**BEHIND_ONE_PROXY)
def test_behind_the_proxy_a_lockout_is_per_client_address_so_a_colleague_elsewhere_still_logs_in(alice, settings):
    attacker, colleague = Client(), Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login_from(attacker, "203.0.113.9", "alice", "wrong")
    assert login_from(attacker, "203.0.113.9", "alice").status_code == 429
    assert login_from(colleague, "198.51.100.7", "alice").status_code == 302


@override_settings(**BEHIND_ONE_PROXY)
def test_behind_the_proxy_a_forged_forwarded_header_does_not_dodge_the_lockout(alice, settings):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login_from(attacker, "203.0.113.9", "alice", "wrong", claimed=f"192.0.2.{attempt}")
    assert login_from(attacker, "203.0.113.9", "alice", claimed="192.0.2.200").status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(alice, settings):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        )
    response = attacker.post(
        reverse("login"), {"username": "alice", "password": DEMO_PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429


@pytest.mark.parametrize(("proxies", "listed"), [(1, 0), (2, 1)])
def test_the_proxy_count_names_the_trusted_proxies_in_front(proxies, listed):
    assert env.client_address(proxies)["AXES_IPWARE_PROXY_COUNT"] == listed
    assert env.client_address(0)["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("REMOTE_ADDR",)


@pytest.mark.parametrize("length", [151, 10_000])
def test_a_username_longer_than_the_field_is_a_form_error(client, db, length):
    response = client.post(reverse("login"), {"username": "a" * length, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in " ".join(response.context["form"].errors["username"])


def test_the_admin_carries_the_crms_name_and_icon(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert "CRM administration" in page and "Django administration" not in page
    chinese = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "CRM 管理后台" in chinese
