"""The foundation: settings, database, Redis, jobs, hours, speech and the Twilio boundary.

It knows no feature and loads no Flask (only the webhook guard in ``hotline.webhooks`` does, for
the views that use it). The roof that builds the whole centre is the ``centre`` package.
"""
