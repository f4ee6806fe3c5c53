"""gunicorn's settings for the web process (``gunicorn -c python:centre.gunicorn_conf``).

The access log names the path only: no query string (search terms, call parameters) and no
referrer (which carries the previous page's query string).
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
worker_class = "gthread"
threads = 8
timeout = 60
graceful_timeout = 5
