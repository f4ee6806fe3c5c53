"""The centre's app plus the old dequeue path's webhooks: what bench/webhooks/bridge serves."""

from __future__ import annotations

from bench.webhooks.dequeue import bp
from centre.app import create_app, exempt_webhooks

app = create_app()
app.register_blueprint(bp)
exempt_webhooks(app)
