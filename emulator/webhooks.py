"""Signed HTTP requests from the network to the centre, made as Twilio makes them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin

import requests
from requests.utils import requote_uri
from twilio.request_validator import RequestValidator

from emulator.exceptions import ApplicationError

log = logging.getLogger(__name__)

USER_AGENT = "TwilioProxy/1.1 (hotline phone emulator)"
CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 15.0
MAX_REDIRECTS = 10
METHOD_DROPPING_REDIRECTS = (301, 302, 303)
METHOD_KEEPING_REDIRECTS = (307, 308)

RequestObserver = Callable[[str, str, "int | None"], None]


@dataclass(frozen=True)
class Answer:
    """The centre's final answer to a webhook, after any redirects."""

    url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class ConnectionOverrides:
    """A webhook URL's connection overrides (Twilio's "#rc=..&rp=..&tt=.." fragment).

    Twilio's defaults: one retry (rc=1, at most 5), only when the connection could not be
    made (rp=ct), and 15 s in all for every attempt together (tt=15000 ms, the most allowed).
    """

    retry_count: int = 1
    retry_policy: frozenset[str] = frozenset({"ct"})
    total_seconds: float = 15.0

    def retries(self, status: int | None, timed_out: bool) -> bool:
        """Tell whether an attempt that ended so is retried under this policy."""
        policy = self.retry_policy
        if "all" in policy:
            return status is None or status >= 400
        if status is None:
            return ("rt" if timed_out else "ct") in policy
        return (400 <= status < 500 and "4xx" in policy) or (status >= 500 and "5xx" in policy)


def connection_overrides(url: str) -> tuple[str, ConnectionOverrides]:
    """Split a webhook URL into the URL Twilio requests (no fragment) and its overrides."""
    bare, fragment = urldefrag(url)
    values = dict(parse_qsl(fragment))
    overrides = ConnectionOverrides()
    try:
        count = min(5, max(0, int(values.get("rc", overrides.retry_count))))
        total = min(15000, max(100, int(values.get("tt", 15000)))) / 1000
    except ValueError:
        return bare, overrides
    policy = frozenset(filter(None, values.get("rp", "ct").split(","))) or overrides.retry_policy
    return bare, ConnectionOverrides(count, policy, total)


def url_with_query(url: str, params: Mapping[str, str]) -> str:
    """Append params to a URL's query string, as Twilio does for GET webhooks."""
    if not params:
        return url
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(list(params.items()))


class Webhooks:
    """Sends signed requests for one call (or message), keeping its cookies like Twilio does."""

    def __init__(
        self,
        auth_token: str,
        sid: str,
        observer: RequestObserver | None = None,
    ) -> None:
        self.validator = RequestValidator(auth_token)
        self.sid = sid
        self.observer = observer
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        """Release the call's HTTP connections."""
        self.session.close()

    def _send_once(self, url: str, method: str, params: Mapping[str, str]) -> requests.Response:
        if method == "GET":
            target = requote_uri(url_with_query(url, params))
            signature = self.validator.compute_signature(target, {})
            headers = {"X-Twilio-Signature": signature}
            return self.session.get(
                target,
                headers=headers,
                allow_redirects=False,
                timeout=(CONNECT_TIMEOUT, TOTAL_TIMEOUT),
            )
        target = requote_uri(url)
        signature = self.validator.compute_signature(target, dict(params))
        headers = {
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        }
        return self.session.post(
            target,
            data=urlencode(list(params.items())).encode("utf-8"),
            headers=headers,
            allow_redirects=False,
            timeout=(CONNECT_TIMEOUT, TOTAL_TIMEOUT),
        )

    def _observe(self, method: str, url: str, status: int | None) -> None:
        if self.observer is not None:
            self.observer(method, url, status)

    def fetch(self, url: str, method: str, params: Mapping[str, str]) -> Answer:
        """Request a TwiML document, following redirects; raise ApplicationError on failure."""
        method = method.upper()
        for _hop in range(MAX_REDIRECTS + 1):
            shown = url_with_query(url, params) if method == "GET" else url
            try:
                response = self._send_once(url, method, params)
            except requests.RequestException as exc:
                self._observe(method, shown, None)
                log.warning("%s: %s %s failed: %s", self.sid, method, url, exc)
                raise ApplicationError(f"could not reach {url}: {exc}", url) from exc
            self._observe(method, shown, response.status_code)
            location = response.headers.get("Location")
            if response.status_code in METHOD_DROPPING_REDIRECTS + METHOD_KEEPING_REDIRECTS:
                if not location:
                    raise ApplicationError("redirect without a Location", url, response.status_code)
                url = urljoin(response.url, location)
                if response.status_code in METHOD_DROPPING_REDIRECTS:
                    method, params = "GET", {}
                elif method == "GET":
                    params = {}
                continue
            if response.status_code >= 400 or response.status_code < 200:
                raise ApplicationError(
                    f"the centre answered HTTP {response.status_code}", url, response.status_code
                )
            return Answer(
                url=response.url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=response.content,
            )
        raise ApplicationError("too many HTTP redirects", url)

    def notify(self, url: str, method: str, params: Mapping[str, str]) -> int | None:
        """Send a callback whose answer does not matter; return its status, None if unsent."""
        try:
            response = self._send_once(url, method.upper(), params)
        except requests.RequestException as exc:
            log.warning("%s: callback %s failed: %s", self.sid, url, exc)
            self._observe(method.upper(), url, None)
            return None
        self._observe(method.upper(), url, response.status_code)
        return response.status_code

    def deliver(self, url: str, method: str, params: Mapping[str, str]) -> int | None:
        """Send a status callback, retrying as its connection overrides (or Twilio's defaults)
        allow; return the last status, None if no attempt got an answer."""
        target, overrides = connection_overrides(url)
        deadline = time.monotonic() + overrides.total_seconds
        status: int | None = None
        for attempt in range(overrides.retry_count + 1):
            timed_out = False
            try:
                response = self._send_once(target, method.upper(), params)
                status = response.status_code
            except requests.Timeout as exc:
                status, timed_out = None, True
                log.warning("%s: callback %s timed out: %s", self.sid, target, exc)
            except requests.RequestException as exc:
                status = None
                log.warning("%s: callback %s failed: %s", self.sid, target, exc)
            self._observe(method.upper(), target, status)
            if status is not None and 200 <= status < 400:
                return status
            last = attempt == overrides.retry_count
            if last or time.monotonic() >= deadline or not overrides.retries(status, timed_out):
                return status
            log.info("%s: retrying callback %s (attempt %s)", self.sid, target, attempt + 2)
        return status
