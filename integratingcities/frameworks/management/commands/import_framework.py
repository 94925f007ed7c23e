from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integratingcities.frameworks.services import FrameworkFileError, framework_import_path


class Command(BaseCommand):
    help = "Import a framework file (YAML or JSON, see docs/frameworks.md); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish the version at once")

    def handle(self, *args: Any, paths: list[Path], publish: bool, **options: Any) -> None:
        for path in paths:
            try:
                result = framework_import_path(path=path, publish=publish)
            except FrameworkFileError as exc:
                raise CommandError(f"{exc.source}: {exc.path}: {exc.reason}") from exc
            framework = result.framework
            if result.unchanged:
                verb = "unchanged"
            elif result.created:
                verb = "imported"
            else:
                verb = "replaced draft"
            self.stdout.write(
                f"{path}: {verb} {framework.lineage} v{framework.version} ({framework.status})"
            )
