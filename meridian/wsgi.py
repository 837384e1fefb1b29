import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meridian.settings")
application = get_wsgi_application()
# Import the URL configuration (every app's views and the API's routers) now, when the server
# starts, instead of in each worker's first request: that request took about a second longer.
_ = get_resolver().url_patterns
