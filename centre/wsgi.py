"""The WSGI entry point gunicorn serves: ``gunicorn centre.wsgi:app``."""

from centre.app import create_app

app = create_app()
