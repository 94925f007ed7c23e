"""Earlier content listed the 2006 launch in Rotterdam and the 2007 Milan Declaration as
conferences I and II of the series; the seeds say neither was one (issue 13, part 8). The
content file no longer lists them, and loading it never deletes, so databases loaded before
lose the two rows here. Only those exact rows: a conference the secretariat added is kept."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

WRONG = {
    1: ("Integrating Cities conference, Rotterdam", 2006),
    2: ("Integrating Cities conference, Milan", 2007),
}


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Conference = apps.get_model("network", "Conference")
    for number, (title, year) in WRONG.items():
        Conference.objects.filter(number=number, title=title, year=year).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
