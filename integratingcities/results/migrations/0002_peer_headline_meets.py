from django.db import migrations, models


def forget(apps, schema_editor):
    """Derived rows: computed again by the next visit of a results page."""
    apps.get_model("results", "PeerHeadline").objects.all().delete()
    apps.get_model("results", "PeerStatistics").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("results", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="peerheadline", name="peer_headline_city"),
        migrations.RemoveField(model_name="peerheadline", name="band"),
        migrations.RemoveField(model_name="peerheadline", name="foreign_born"),
        migrations.RemoveField(model_name="peerheadline", name="country"),
        migrations.RemoveField(model_name="peerheadline", name="top_items"),
        migrations.AlterField(
            model_name="peerheadline", name="headline", field=models.FloatField()
        ),
    ]
