"""The roof: the one place that knows every feature and builds the centre from settings.

``centre.app.create_app`` builds the web app, ``centre.cli`` is the ``hotline`` command,
``centre.models`` registers every table and ``centre.demo`` holds the demo data.
"""
