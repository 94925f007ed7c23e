"""How the API writes its answers as JSON."""

from typing import Any

import pydantic_core
from django.http import HttpRequest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

_encoder = NinjaJSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """Django Ninja's JSON, written by pydantic's encoder (Rust) rather than the standard
    library's: a page of fifty surveys with their answers (560 KB) in 2.5 ms instead of 13.6.

    The same JSON but in three respects: no spaces between items, characters beyond ASCII
    written as themselves (UTF-8) rather than escaped, and times to the microsecond rather than
    the millisecond. What pydantic does not know (a translated text still lazy, an address)
    goes to Ninja's own encoder."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return pydantic_core.to_json(data, fallback=_encoder.default)
