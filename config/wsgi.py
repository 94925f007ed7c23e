import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded so far lives as long as the worker: keep the garbage collector from walking
# it again on every full collection (pages that build many objects, such as the results of a
# benchmark beside thousands of peers, trigger several). See docs/benchmarks.md.
gc.collect()
gc.freeze()
