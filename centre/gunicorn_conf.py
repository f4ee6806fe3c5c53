"""gunicorn's settings for the web process (``gunicorn -c python:centre.gunicorn_conf``).

The access log names the path only: no query string (search terms, call parameters) and no
referrer (which carries the previous page's query string).

Threads: every open desk or board page holds one thread for its event stream (gthread serves a
request on one thread until it ends). A worker keeps ``REQUEST_THREADS`` (32) of its threads
for webhooks and pages and lets streams take the rest, so with the Procfile's two workers of
160 threads, 256 pages stream at once (200 consultants with a board or a second tab among them)
and Twilio's webhooks always find a free thread. Past that, a page polls every few seconds
instead. bench/desk measures it: webhooks and offers with 200 desks streaming.
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
