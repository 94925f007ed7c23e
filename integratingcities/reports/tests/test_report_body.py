"""The report's long lists are written in Python; they must write what the template loops did."""

import pytest
from django.template import Context, Template
from django.utils import translation

from integratingcities.reports.templatetags.report_body import city_list, credited

# What reports/includes/body.html looped over before the lists were written in Python.
CREDITED_LOOP = Template(
    "{% for answer in answers %}<li><strong>{{ answer.city }}</strong>: "
    "{{ answer.text|linebreaksbr }}</li>{% endfor %}"
)
CITIES_LOOP = Template(
    "{% load i18n %}{% for city in cities %}<a href=\"{{ site_url }}{% url 'cities:detail' "
    'city.slug %}">{{ city.name }}</a> ({{ city.country_name }}){% if not forloop.last %}, '
    '{% endif %}{% empty %}{% translate "No city has validated answers in this round." %}'
    "{% endfor %}"
)

HOSTILE = [
    {"city": "Ghent", "text": "One line"},
    {"city": "<script>alert(1)</script>", "text": "a & b \"quoted\" 'single'"},
    {"city": "Zürich", "text": "first\r\nsecond\rthird\nfourth\n\n<b>bold</b>"},
    {"city": "", "text": ""},
]


def test_credited_writes_what_the_loop_wrote() -> None:
    expected = CREDITED_LOOP.render(Context({"answers": HOSTILE}))
    assert credited(HOSTILE) == expected
    assert "<script>" not in credited(HOSTILE)
    assert credited([]) == ""


@pytest.mark.parametrize("site_url", ["", "https://example.org"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_city_list_writes_what_the_loop_wrote(site_url: str, language: str) -> None:
    cities = [
        {"name": "Ghent", "slug": "ghent", "country_name": "Belgium"},
        {"name": "<i>Odd</i> & co", "slug": "odd-co", "country_name": "Côte d'Ivoire"},
        {"name": "Malmö", "slug": "malmo", "country_name": "Sweden"},
    ]
    with translation.override(language):
        for shown in (cities, cities[:1], []):
            expected = CITIES_LOOP.render(Context({"cities": shown, "site_url": site_url}))
            assert city_list(shown, site_url) == expected
