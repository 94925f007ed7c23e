from django import template

from integratingcities.downloads.urls import link

register = template.Library()


@register.simple_tag
def download_url(kind: str, **params: object) -> str:
    """``{% download_url "reports.edition_pdf" round=round.pk edition=1 %}``"""
    return link(kind, **params)
