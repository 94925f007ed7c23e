from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "integratingcities.accounts"
    label = "accounts"
