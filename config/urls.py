from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from integratingcities.api.api import api
from integratingcities.site import errors

admin.site.site_header = _("Integrating Cities · administration")
admin.site.site_title = _("Integrating Cities")

urlpatterns = [
    path("", include("integratingcities.site.urls")),
    path("", include("integratingcities.frameworks.urls")),
    path("", include("integratingcities.cities.urls")),
    path("", include("integratingcities.network.urls")),
    path("accounts/", include("integratingcities.accounts.urls")),
    path("notifications/", include("integratingcities.notifications.urls")),
    path("indicators/", include("integratingcities.indicators.urls")),
    path("rounds/", include("integratingcities.rounds.urls")),
    path("reports/", include("integratingcities.reports.urls")),
    path("open-data/", include("integratingcities.opendata.urls")),
    path("compare/", include("integratingcities.compare.urls")),
    path("mentoring/", include("integratingcities.mentoring.urls")),
    path("downloads/", include("integratingcities.downloads.urls")),
    path("assessments/", include("integratingcities.assessments.urls")),
    path("benchmarks/", include("integratingcities.toolkits.urls")),
    path("practices/", include("integratingcities.practices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = errors.page_not_found
handler403 = errors.permission_denied
handler500 = errors.server_error
