from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "integratingcities.practices"
    label = "practices"

    def ready(self) -> None:
        from integratingcities.lib.page_cache import warm_after_clearing

        from .tasks import count_library

        warm_after_clearing(self, count_library.enqueue)
