"""localstripe on 127.0.0.1 from an empty store (TESTING-RECIPES §2.2): python -m … PORT"""

import sys

from aiohttp import web
from localstripe.resources import store  # type: ignore[import-untyped]
from localstripe.server import app  # type: ignore[import-untyped]

store.clear()
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
