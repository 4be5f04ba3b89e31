# The position reached in the log of downloads nginx served from signed links (issue 17, decision 0035).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0017_formatcheckrule_security_role'),
    ]

    operations = [
        migrations.CreateModel(
            name='LinkLogPosition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=500, unique=True)),
                ('file_id', models.CharField(blank=True, max_length=60)),
                ('offset', models.BigIntegerField(default=0)),
                ('first_line', models.CharField(blank=True, max_length=64)),
                ('recorded', models.BigIntegerField(default=0)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
