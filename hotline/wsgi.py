"""The WSGI entry point gunicorn serves: ``gunicorn hotline.wsgi:app``."""

from hotline import create_app

app = create_app()
