"""gunicorn's settings for the web process (``gunicorn -c python:centre.gunicorn_conf``).

The access log names the path only: no query string (search terms, call parameters) and no
referrer (which carries the previous page's query string).

Threads: every open desk or board page holds one thread for its event stream (gthread serves a
request on one thread until it ends). A worker keeps a fifth of its threads for webhooks and
pages (60 of 300) and lets streams take the rest (240; agent_desk/streams.py); past that a page
polls every few seconds instead. Workers do not share connections out evenly (in bench/desk one
of two took 153 of 200 streams), so each worker alone holds the streams of 200 consultants;
bench/desk measures offers and webhooks with 200 desks streaming.
"""

from typing import Any

from agent_desk.streams import DEFAULT_THREADS, use_gunicorn_threads

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
worker_class = "gthread"
threads = DEFAULT_THREADS
timeout = 60
graceful_timeout = 5


def post_fork(server: Any, worker: Any) -> None:
    """Tell the worker's streams how many threads it has (``--threads`` may override ours)."""
    use_gunicorn_threads(int(worker.cfg.threads))
