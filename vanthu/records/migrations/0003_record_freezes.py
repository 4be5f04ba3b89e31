# Freezing work records on demand (checklist point 50, decision 0027)

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0004_agencies'),
        ('records', '0002_transfer_periods_and_holds'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecordFreeze',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('batch', models.UUIDField(db_index=True, default=uuid.uuid4, verbose_name='lệnh phong tỏa')),
                ('reason', models.CharField(max_length=500, verbose_name='lý do phong tỏa')),
                ('frozen_at', models.DateTimeField(auto_now_add=True, verbose_name='phong tỏa lúc')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='gỡ phong tỏa lúc')),
                ('lift_reason', models.CharField(blank=True, max_length=500, verbose_name='lý do gỡ phong tỏa')),
                ('frozen_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.person', verbose_name='người phong tỏa')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.person', verbose_name='người gỡ phong tỏa')),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='freezes', to='records.record', verbose_name='hồ sơ')),
            ],
            options={
                'verbose_name': 'phong tỏa hồ sơ',
                'verbose_name_plural': 'phong tỏa hồ sơ',
                'ordering': ['-frozen_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('lifted_at__isnull', True)), fields=('record',), name='records_freeze_one_live_per_record')],
            },
        ),
    ]
