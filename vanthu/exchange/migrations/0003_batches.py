from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0002_refusals_and_revocation'),
    ]

    operations = [
        migrations.CreateModel(
            name='BatchClaim',
            fields=[
                ('message_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('claimed_at', models.DateTimeField(db_index=True)),
            ],
        ),
    ]
