from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "integratingcities.site"
    label = "site"
