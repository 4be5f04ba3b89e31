# Two units cannot share a non-empty QĐ 20/2020 identifier (empty: the many units without one). Units made
# before the creation's check could hold the same one (two at once): the migration then stops and names them,
# rather than choose which unit loses its code; the operator corrects one (`vanthu shell`) and migrates again.

from django.db import migrations, models


def refuse_duplicates(apps, schema_editor):
    Unit = apps.get_model("org", "Unit")
    held: dict[str, list[str]] = {}
    for pk, name, code in Unit.objects.exclude(code_qd20="").values_list("pk", "name", "code_qd20"):
        held.setdefault(code, []).append(f"{name} (#{pk})")
    shared = {code: names for code, names in held.items() if len(names) > 1}
    if shared:
        listed = "; ".join(f"{code}: {', '.join(names)}" for code, names in sorted(shared.items()))
        raise RuntimeError(f"Các đơn vị dùng chung mã định danh điện tử (QĐ 20/2020), hãy sửa rồi chạy lại "
                           f"migrate / units share a QĐ 20/2020 identifier, correct one and migrate again: {listed}")


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0009_unit_code_qd20_form'),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.UniqueConstraint(condition=models.Q(('code_qd20', ''), _negated=True),
                                               fields=('code_qd20',), name='org_unit_code_qd20_unique'),
        ),
    ]
