"""What may reach callers: the web links content may carry, and the countries texts may go to.

Content that callers hear or get by text (offers, FAQ answers) may link only to domains the
office trusts, so that nobody can turn a vacancy into a phishing text that the daily job alerts
then send to every subscriber. Texts go only to numbers in the allowed countries, so that a
spoofed caller ID cannot subscribe a victim abroad or run up the centre's bill.

The policy is built from settings once (create_app, the worker) and read by knowledge and
messaging; until then the defaults apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

# Public services a labour office's texts point callers to.
DEFAULT_LINK_DOMAINS = (
    "gov.pl",
    "praca.gov.pl",
    "psz.praca.gov.pl",
    "zus.pl",
    "eures.europa.eu",
    "europa.eu",
    "anofm.ro",
    "gov.ro",
)
DEFAULT_SMS_COUNTRIES = ("PL",)

# A link: anything with a scheme or www., or a dotted name ending in a top-level domain that
# phishing texts use, with or without a path. "np.Warszawa" or "ul.Długa" are not links.
COMMON_TLDS = (
    "pl|com|net|org|info|biz|eu|io|co|me|ly|gl|gd|to|cc|tk|ml|ga|cf|gq|xyz|top|site|online|"
    "click|link|app|shop|store|live|club|ru|ua|ro|de|uk|us|cn|su|by|kz|tv|ws|page|dev|cloud"
)
LINK = re.compile(
    r"(?i)(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"']+"
    rf"|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{COMMON_TLDS})\b(?:/[^\s<>\"']*)?"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def link_host(link: str) -> str:
    """Return the host a link points to, lower-cased, without www."""
    address = link if "://" in link else "http://" + link
    host = (urlsplit(address).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


@dataclass(frozen=True)
class OutboundPolicy:
    """The domains content may link to and the countries (ISO codes) texts may go to."""

    link_domains: tuple[str, ...] = DEFAULT_LINK_DOMAINS
    sms_countries: tuple[str, ...] = DEFAULT_SMS_COUNTRIES

    def allows_link(self, link: str) -> bool:
        """Tell whether a link points into an allowed domain (https or http, any path)."""
        host = link_host(link)
        scheme = link.split("://", 1)[0].lower() if "://" in link else "https"
        if scheme not in ("http", "https") or not host:
            return False
        return any(host == domain or host.endswith("." + domain) for domain in self.link_domains)

    def foreign_links(self, text: str) -> list[str]:
        """Return the links in a text that point outside the allowed domains."""
        return [match for match in LINK.findall(text) if not self.allows_link(match)]

    def allows_sms_to(self, number: str, default_region: str = "PL") -> bool:
        """Tell whether a text may go to this number: it belongs to an allowed country."""
        try:
            parsed = phonenumbers.parse(number, default_region)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.region_code_for_number(parsed) in self.sms_countries


def parse_list(raw: str) -> tuple[str, ...]:
    """Split a comma-separated setting into its stripped, lower-cased items."""
    return tuple(item.strip().lower() for item in raw.split(",") if item.strip())


class PolicyHolder:
    """The policy in force in this process, set from settings when the process starts."""

    def __init__(self) -> None:
        self.policy = OutboundPolicy()

    def configure(self, link_domains: tuple[str, ...], sms_countries: tuple[str, ...]) -> None:
        """Put the settings' policy in force."""
        self.policy = OutboundPolicy(
            link_domains=tuple(d.lower() for d in link_domains),
            sms_countries=tuple(c.upper() for c in sms_countries),
        )

    def current(self) -> OutboundPolicy:
        """Return the policy in force."""
        return self.policy


outbound = PolicyHolder()
