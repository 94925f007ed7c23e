"""The indicator pages: reading (urls_read.py) and the secretariat's management (urls_manage.py)."""

from .urls_manage import urlpatterns as manage_patterns
from .urls_read import urlpatterns as read_patterns

app_name = "indicators"
urlpatterns = read_patterns + manage_patterns
