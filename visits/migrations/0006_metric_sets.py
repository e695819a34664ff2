"""The two metric sets of MKT-2: a bank's and a trading company's (reference data)."""

from django.db import migrations

# code, English, Chinese, unit, direction, source, aggregation, set, position
METRICS = [
    ("deposit_avg_balance", "Average deposit balance", "存款日均余额", "万元", "higher", "imported", "average", "bank", 10),
    ("loans_outstanding", "Loans outstanding", "贷款余额", "万元", "higher", "imported", "last", "bank", 20),
    ("settlement_volume", "Settlement volume", "结算量", "万元", "higher", "imported", "sum", "bank", 30),
    ("bank_new_clients", "New clients", "新增客户", "户", "higher", "computed", "sum", "bank", 40),
    ("npl_ratio", "Non-performing loan ratio", "不良贷款率", "%", "lower", "imported", "last", "bank", 50),
    ("interest_collected", "Interest collected", "利息收回", "万元", "higher", "imported", "sum", "bank", 60),
    ("sales_amount", "Sales amount", "销售额", "元", "higher", "computed", "sum", "trade", 10),
    ("sales_quantity", "Sales quantity", "销售数量", "件", "higher", "computed", "sum", "trade", 20),
    ("new_clients", "New clients", "新增客户", "户", "higher", "computed", "sum", "trade", 30),
    ("collection_rate", "Collection rate (received ÷ due)", "回款率", "%", "higher", "computed", "ratio", "trade", 40),
]
FIELDS = ("code", "name_en", "name_zh", "unit", "direction", "source", "aggregation", "metric_set", "position")


def ship(apps, schema_editor) -> None:
    Metric = apps.get_model("visits", "Metric")
    for row in METRICS:
        values = dict(zip(FIELDS, row, strict=True))
        Metric.objects.update_or_create(code=values.pop("code"), defaults=values)
    apps.get_model("visits", "TargetSettings").objects.get_or_create(pk=1)


def unship(apps, schema_editor) -> None:
    apps.get_model("visits", "Metric").objects.filter(code__in=[row[0] for row in METRICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0005_targets_and_actuals")]

    operations = [migrations.RunPython(ship, unship)]
