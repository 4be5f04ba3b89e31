# A unit's QĐ 20/2020 electronic identifier is checked for its form, as an agency's is (0008).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0008_agency_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='unit',
            name='code_qd20',
            field=models.CharField(blank=True, max_length=40, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9Đđ](?:[A-Za-z0-9Đđ._-]{0,38}[A-Za-z0-9Đđ])?$', 'Mã định danh điện tử (QĐ 20/2020) chỉ gồm chữ cái, chữ số, dấu chấm, dấu gạch, tối đa 40 ký tự.')], verbose_name='mã định danh điện tử (QĐ 20/2020)'),
        ),
    ]
