"""Reading TwiML in tests: parse the XML and look at verbs, never compare whole strings."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def parse(body: bytes | str) -> ET.Element:
    """Parse a TwiML document and check its root."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return root


def spoken(root: ET.Element) -> str:
    """Return everything the caller hears from Say verbs, in order."""
    return " ".join((say.text or "") for say in root.iter("Say"))


def verbs(root: ET.Element) -> list[str]:
    """Return the top-level verb names."""
    return [child.tag for child in root]
