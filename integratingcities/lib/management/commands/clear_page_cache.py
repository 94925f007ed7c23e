"""Make every page kept for anonymous visitors stale (lib/page_cache.py), without the admin:
after a change made outside the platform (SQL by hand, a restored backup). The background worker
then makes again what the pages keep at a cost (``page_cache.warm_after_clearing``)."""

from typing import Any

from django.core.management.base import BaseCommand

from integratingcities.lib.page_cache import bump, warm_all


class Command(BaseCommand):
    help = "Start a new page-cache generation: no public page kept so far is served again."

    def handle(self, *args: Any, **options: Any) -> None:
        bump()
        warm_all()
        self.stdout.write(
            "Public pages will be rendered afresh; the background worker makes again what they "
            "keep at a cost."
        )
