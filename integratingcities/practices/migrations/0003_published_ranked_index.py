from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0002_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["id", "year", "title"],
                name="practice_published_ranked",
            ),
        ),
    ]
