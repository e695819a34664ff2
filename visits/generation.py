# ruff: noqa: S608  (the SQL is built from constant table names and placeholders; every value is a parameter)
"""Generating a month of draft plans for a team (VIS-1, VIS-2, VIS-3, VIS-5), in set-based SQL.

What is due, per client, for the month [ms, me]:

* on-site visits at the interval of its level (``interval_days``: 2 a month → every 15.21 days,
  1 → 30.42, 0.5 → 60.83, 0.34 → 89.46), or of its key-account cadence when it is a key account;
  the series starts at the last on-site visit + the interval. A client never visited or already
  overdue is due at once: its first visit is spread over the first interval of the month (day
  ``ms + client id mod the interval``), so that the backlog does not all land on the first day.
  A booked next contact within the month replaces the series' start: the booked day is the next
  visit, the later ones follow at the interval (a booking from before the month is in the
  previous month's plan already);
* phone follow-ups at the phone interval of its level, from the last phone call, likewise;
* rotation: an active client with nothing due that was last contacted ``rotation_days`` ago or
  more (or never), or that sits in a focus territory, gets one phone follow-up (spread likewise).

``ms`` is the month's first day, or today when the month has begun: nothing is planned in the past.

Placement: each item goes to the ISO week of its due day (to the first working day on or after
it), and within the week the on-site visits of one territory get a block of consecutive working
days of their own, so that a day's visits sit in one territory (片区) whenever the week has as many
working days as territories. Phone follow-ups spread evenly over the week. A booked visit keeps
its day (the next working day when it falls on a holiday).

One statement selects every due item into a temporary table; a GROUP BY sizes the territory
blocks (one Python step per account manager, week and territory, not per client); one INSERT …
SELECT writes the visits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Min
from django.utils import timezone

from clients.models import KeyAccountProfile
from visits.calendar import iso_week, month_end, working_days
from visits.models import VisitPolicy
from visits.models.policy import LEVELS

EPOCH = date(2000, 1, 1)
# The block an item is placed in: its territory for on-site visits, the whole week (-1) for phone
# follow-ups and booked visits (which keep their own day).
GROUP = "CASE WHEN d.kind = 'onsite' AND d.source <> 'booked' THEN COALESCE(d.territory_id, 0) ELSE -1 END"
SQLITE_EPOCH_JULIAN = 2451544.5  # julianday('2000-01-01')
MAX_PER_MONTH = 31  # a series longer than one a day is cut here

DUE_TABLE = "visits_gen_due"
ALLOC_TABLE = "visits_gen_alloc"
DAY_TABLE = "visits_gen_day"
WORK_TABLE = "visits_gen_work"
NEED_TABLE = "visits_gen_need"


def day_number(day: date) -> int:
    return (day - EPOCH).days


def interval_days(rate_per_month: Decimal) -> Decimal | None:
    """Days between two contacts for a monthly rate, to the hundredth (an average month is 365/12
    days, so 2 a month is every 15.21 days and never 3 in a 31-day month); None for zero."""
    if rate_per_month <= 0:
        return None
    return max(Decimal(1), (Decimal(365) / 12 / rate_per_month).quantize(Decimal("0.01")))


def _param(interval: Decimal | None) -> float | None:
    return None if interval is None else float(interval)


@dataclass
class Generated:
    """What one generation did: the plans it created, the items in them, the owners skipped
    because they already had a plan for the month."""

    plan_ids: list[int] = field(default_factory=list)
    items: int = 0
    kept_owner_ids: list[int] = field(default_factory=list)


def _sql_dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        tz = timezone.get_current_timezone_name()
        return {
            "dn_ts": "(({col} AT TIME ZONE '" + tz.replace("'", "") + "')::date - DATE '2000-01-01')",
            "dn_date": "({col} - DATE '2000-01-01')",
            "greatest": "GREATEST",
            "least": "LEAST",
            "floor": "CAST(FLOOR({x}) AS INTEGER)",
        }
    offset = int(timezone.localtime().utcoffset().total_seconds() // 60)
    return {
        "dn_ts": f"CAST(julianday(date({{col}}, '{offset:+d} minutes')) - {SQLITE_EPOCH_JULIAN} AS INTEGER)",
        "dn_date": f"CAST(julianday({{col}}) - {SQLITE_EPOCH_JULIAN} AS INTEGER)",
        "greatest": "MAX",
        "least": "MIN",
        "floor": "CAST({x} AS INTEGER)",  # the values are positive: truncation is the floor
    }


def series_length(*, policy: VisitPolicy, month: date, owner_ids: list[int]) -> int:
    """The most items one client's series can have in ``month``: the shortest interval in use
    (the policy's, or a key account's cadence) into the month's length, plus its first. The
    number sequence is cut to it, since each of its rows is tried against every client: 31 rows
    where 3 can match made most of the statement's time at 100,000 clients."""
    intervals = [interval_days(rate) for level in LEVELS for rate in policy.rates(level)]
    cadence = KeyAccountProfile.objects.filter(client__owner_id__in=owner_ids, client__is_key_account=True).aggregate(
        shortest=Min("visit_cadence_days")
    )["shortest"]
    if cadence is not None:
        intervals.append(Decimal(cadence))
    shortest = min((i for i in intervals if i is not None), default=None)
    if shortest is None:
        return 1
    if shortest <= 0:
        return MAX_PER_MONTH
    return min(MAX_PER_MONTH, int((month_end(month) - month).days / shortest) + 1)


def due_items_sql(
    *,
    policy: VisitPolicy,
    month: date,
    owner_ids: list[int],
    focus_territory_ids: list[int],
    start: date | None = None,
) -> tuple[str, list]:
    """The SELECT of every due item (client, owner, territory, kind, source, due day number) of
    ``owner_ids``' clients in ``month``, from ``start`` on (a month opened once begun is planned
    from today). Also what the benchmark compares generation against. The day numbers are
    integers computed here, written into the statement; every other value is a parameter."""
    d = _sql_dialect()
    mstart, me = day_number(month), day_number(month_end(month))
    ms = max(mstart, day_number(start)) if start else mstart
    span, rot = me - ms, int(policy.rotation_days)
    least = d["least"]
    ts = d["dn_ts"].format(col="i.occurred_at")
    booked = d["dn_date"].format(col="c.next_contact_date")
    greatest = d["greatest"]
    floor = d["floor"].format
    owners = ", ".join(["%s"] * len(owner_ids)) or "NULL"
    focus = ", ".join(["%s"] * len(focus_territory_ids)) or "NULL"

    def level_case(kind: str) -> tuple[str, list]:
        params: list = []
        whens = []
        for level in ("A", "B", "C", "D"):
            whens.append("WHEN %s THEN %s")
            params += [level, _param(interval_days(policy.rates(level)[kind == "phone"]))]
        rest = _param(interval_days(policy.rates("")[kind == "phone"]))
        return f"CASE c.level {' '.join(whens)} ELSE %s END", [*params, rest]

    onsite_case, onsite_params = level_case("onsite")
    phone_case, phone_params = level_case("phone")
    seq = ", ".join(f"({n})" for n in range(series_length(policy=policy, month=month, owner_ids=owner_ids)))
    sql = f"""
        WITH seq(n) AS (VALUES {seq}),
        last AS (
            SELECT i.client_id,
                   MAX(CASE WHEN i.kind IN ('visit', 'meeting') THEN {ts} END) AS last_onsite,
                   MAX(CASE WHEN i.kind = 'call' THEN {ts} END) AS last_phone,
                   MAX({ts}) AS last_any
            FROM clients_interaction i
            JOIN clients_client c ON c.id = i.client_id
            WHERE c.owner_id IN ({owners}) AND c.status IN ('prospect', 'active')
            GROUP BY i.client_id
        ),
        base AS (
            SELECT c.id AS client_id, c.owner_id, c.territory_id, c.status,
                   CASE WHEN c.is_key_account AND ka.visit_cadence_days IS NOT NULL
                        THEN ka.visit_cadence_days ELSE {onsite_case} END AS on_iv,
                   {phone_case} AS ph_iv,
                   {booked} AS booked,
                   l.last_onsite, l.last_phone, l.last_any
            FROM clients_client c
            LEFT JOIN clients_keyaccountprofile ka ON ka.client_id = c.id
            LEFT JOIN last l ON l.client_id = c.id
            WHERE c.owner_id IN ({owners}) AND c.status IN ('prospect', 'active')
        ),
        starts AS (
            SELECT base.*,
                   CASE WHEN booked IS NOT NULL AND booked >= {mstart} THEN {greatest}(booked, {ms})
                        WHEN on_iv IS NULL THEN NULL
                        WHEN last_onsite IS NULL OR last_onsite + on_iv < {ms}
                             THEN {ms} + client_id %% {floor(x=least + "(on_iv, " + str(span + 1) + ")")}
                        ELSE last_onsite + on_iv END AS o0,
                   CASE WHEN ph_iv IS NULL THEN NULL
                        WHEN last_phone IS NULL OR last_phone + ph_iv < {ms}
                             THEN {ms} + client_id %% {floor(x=least + "(ph_iv, " + str(span + 1) + ")")}
                        ELSE last_phone + ph_iv END AS p0
            FROM base
        )
        SELECT client_id, owner_id, territory_id, 'onsite' AS kind,
               CASE WHEN n = 0 AND booked IS NOT NULL AND booked >= {mstart} THEN 'booked' ELSE 'cadence' END
                   AS source,
               {floor(x="o0 + n * COALESCE(on_iv, 0)")} AS due
        FROM starts JOIN seq ON (seq.n = 0 OR starts.on_iv IS NOT NULL)
        WHERE o0 <= {me} AND o0 + n * COALESCE(on_iv, 0) <= {me}
        UNION ALL
        SELECT client_id, owner_id, territory_id, 'phone', 'cadence', {floor(x="p0 + n * ph_iv")}
        FROM starts JOIN seq ON 1 = 1
        WHERE p0 <= {me} AND p0 + n * ph_iv <= {me}
        UNION ALL
        SELECT client_id, owner_id, territory_id, 'phone', 'rotation',
               CASE WHEN last_any IS NULL OR last_any + {rot} > {me} OR last_any + {rot} < {ms}
                    THEN {ms} + client_id %% {span + 1} ELSE last_any + {rot} END AS due
        FROM starts
        WHERE status = 'active'
          AND (o0 IS NULL OR o0 > {me}) AND (p0 IS NULL OR p0 > {me})
          AND (last_any IS NULL OR last_any + {rot} <= {me} OR territory_id IN ({focus}))
    """
    params = [*owner_ids, *onsite_params, *phone_params, *owner_ids, *focus_territory_ids]
    return sql, params


def allocate(n_days: int, groups: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Blocks of consecutive days of a week for each group (territory) with its item count:
    ``{group: (first day index, number of days)}``. Every group gets at least one day and the
    rest go in proportion to the counts; with more groups than days, groups share days in order."""
    if not groups or n_days <= 0:
        return {}
    k = len(groups)
    if k >= n_days:
        return {g: (i * n_days // k, 1) for i, (g, _n) in enumerate(groups)}
    total = sum(n for _g, n in groups)
    spare = n_days - k
    extra = [spare * n // total for _g, n in groups]
    left = spare - sum(extra)
    for i in sorted(range(k), key=lambda i: (-groups[i][1], i))[:left]:
        extra[i] += 1
    blocks, start = {}, 0
    for (g, _n), more in zip(groups, extra, strict=True):
        blocks[g] = (start, 1 + more)
        start += 1 + more
    return blocks


def _day_map(month: date, days: list[date]) -> list[tuple[int, int, int]]:
    """(day number, week index, position of the working day it maps to) for every day from the
    first working day planned to the month's end: a day maps to the first working day on or
    after it, the month's last otherwise."""
    weeks = sorted({iso_week(d) for d in days})
    rows = []
    day, end = min(days[0], month), month_end(month)
    while day <= end:
        pos = next((i for i, w in enumerate(days) if w >= day), len(days) - 1)
        rows.append((day_number(day), weeks.index(iso_week(days[pos])), pos))
        day += timedelta(days=1)
    return rows


def _cover_minimum(cursor, *, month: date, start: date, owner_ids: list[int], percent: int) -> None:
    """The manager's minimum coverage: when the due items of an account manager reach fewer than
    ``percent`` % of their active clients, the clients contacted longest ago (never first) get a
    phone follow-up, spread over the month, until the share is reached."""
    owners = ", ".join(["%s"] * len(owner_ids))
    cursor.execute(
        f"""SELECT c.owner_id, COUNT(*), COUNT(DISTINCT d.client_id)
            FROM clients_client c LEFT JOIN {DUE_TABLE} d ON d.client_id = c.id
            WHERE c.status = 'active' AND c.owner_id IN ({owners})
            GROUP BY c.owner_id""",
        owner_ids,
    )
    need = [(owner, -(-active * percent // 100) - covered) for owner, active, covered in cursor.fetchall()]
    need = [(owner, n) for owner, n in need if n > 0]
    if not need:
        return
    _create_temp(cursor, NEED_TABLE, "owner_id integer, need integer", need)
    ms, span = day_number(start), (month_end(month) - start).days
    ts = _sql_dialect()["dn_ts"].format(col="i.occurred_at")
    cursor.execute(
        f"""INSERT INTO {DUE_TABLE} (client_id, owner_id, territory_id, kind, source, due)
            SELECT client_id, owner_id, territory_id, 'phone', 'rotation', %s + ((rn - 1) * %s) / need
            FROM (
                SELECT c.id AS client_id, c.owner_id, c.territory_id, n.need,
                       ROW_NUMBER() OVER (
                           PARTITION BY c.owner_id
                           ORDER BY CASE WHEN l.last_any IS NULL THEN 0 ELSE 1 END, l.last_any, c.id) AS rn
                FROM clients_client c
                JOIN {NEED_TABLE} n ON n.owner_id = c.owner_id
                LEFT JOIN (SELECT i.client_id, MAX({ts}) AS last_any FROM clients_interaction i
                           JOIN clients_client cc ON cc.id = i.client_id
                           WHERE cc.owner_id IN ({owners}) GROUP BY i.client_id) l ON l.client_id = c.id
                WHERE c.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM {DUE_TABLE} d WHERE d.client_id = c.id)
            ) ranked
            WHERE rn <= need""",
        [ms, span, *owner_ids],
    )
    cursor.execute(f"DROP TABLE IF EXISTS {NEED_TABLE}")


def _create_temp(cursor, name: str, columns: str, rows: list[tuple]) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
    if rows:
        marks = ", ".join(["%s"] * len(rows[0]))
        cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


def insert_due_items(
    *,
    policy: VisitPolicy,
    month: date,
    plans: dict[int, int],
    focus_territory_ids: list[int],
    min_coverage: int | None = None,
    start: date | None = None,
    now: datetime | None = None,
) -> int:
    """Write the due items of each owner into their plan (``plans``: owner id → plan id).
    Runs inside the caller's transaction; returns the number of visits written."""
    if not plans:
        return 0
    start = max(month, start) if start else month
    days = working_days(start, month_end(month))
    if not days:
        return 0
    week_of = [iso_week(d) for d in days]
    weeks = sorted(set(week_of))
    week_days = {w: [i for i, wk in enumerate(week_of) if wk == w] for w in weeks}
    select, params = due_items_sql(
        policy=policy, month=month, owner_ids=list(plans), focus_territory_ids=focus_territory_ids, start=start
    )
    with connection.cursor() as cursor:
        _create_temp(cursor, DAY_TABLE, "dn integer, widx integer, pos integer", _day_map(month, days))
        _create_temp(cursor, WORK_TABLE, "pos integer, day date", list(enumerate(days)))
        cursor.execute(f"DROP TABLE IF EXISTS {DUE_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {DUE_TABLE} AS {select}", params)
        if min_coverage:
            _cover_minimum(cursor, month=month, start=start, owner_ids=list(plans), percent=min_coverage)
        # One block of days per (owner, week, territory); phone items (group -1) use the whole week.
        cursor.execute(
            f"""SELECT d.owner_id, m.widx, COALESCE(d.territory_id, 0), COUNT(*)
                FROM {DUE_TABLE} d JOIN {DAY_TABLE} m ON m.dn = d.due
                WHERE d.kind = 'onsite' AND d.source <> 'booked'
                GROUP BY d.owner_id, m.widx, COALESCE(d.territory_id, 0)
                ORDER BY 1, 2, 3"""
        )
        by_week: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for owner_id, widx, group, count in cursor.fetchall():
            by_week.setdefault((owner_id, widx), []).append((group, count))
        alloc = []
        for (owner_id, widx), groups in by_week.items():
            positions = week_days[weeks[widx]]
            counts = dict(groups)
            for group, (first, length) in allocate(len(positions), groups).items():
                alloc.append((owner_id, widx, group, positions[first], length, counts[group]))
        for owner_id in plans:
            for widx, w in enumerate(weeks):
                alloc.append((owner_id, widx, -1, week_days[w][0], len(week_days[w]), 0))
        _create_temp(
            cursor,
            ALLOC_TABLE,
            "owner_id integer, widx integer, grp integer, first integer, len integer, n integer",
            alloc,
        )
        plan_rows = ", ".join(["(%s, %s)"] * len(plans))
        plan_params = [v for pair in plans.items() for v in pair]
        cursor.execute(
            f"""
            WITH plans(owner_id, plan_id) AS (VALUES {plan_rows}),
            ranked AS (
                SELECT d.*, m.widx, m.pos AS exact_pos,
                       {GROUP} AS grp,
                       ROW_NUMBER() OVER (
                           PARTITION BY d.owner_id, m.widx, {GROUP}, CASE WHEN d.source = 'booked' THEN 1 ELSE 0 END
                           ORDER BY d.due, d.client_id) - 1 AS rn,
                       COUNT(*) OVER (
                           PARTITION BY d.owner_id, m.widx, {GROUP}, CASE WHEN d.source = 'booked' THEN 1 ELSE 0 END
                       ) AS cnt
                FROM {DUE_TABLE} d JOIN {DAY_TABLE} m ON m.dn = d.due
            )
            INSERT INTO visits_visit
                (plan_id, owner_id, client_id, territory_id, kind, source, status, planned_for,
                 original_date, done_on, interaction_id, note, version, created_at)
            SELECT p.plan_id, r.owner_id, r.client_id, r.territory_id, r.kind, r.source, 'planned', w.day,
                   NULL, NULL, NULL, '', 0, %s
            FROM ranked r
            JOIN plans p ON p.owner_id = r.owner_id
            JOIN {ALLOC_TABLE} a ON a.owner_id = r.owner_id AND a.widx = r.widx AND a.grp = r.grp
            JOIN {WORK_TABLE} w ON w.pos = CASE
                WHEN r.source = 'booked' THEN r.exact_pos ELSE a.first + (r.rn * a.len) / r.cnt END
            """,
            [*plan_params, now or timezone.now()],
        )
        written = cursor.rowcount
        for name in (DUE_TABLE, ALLOC_TABLE, DAY_TABLE, WORK_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return written
