"""A town said in the caller's own script and grammar, heard through the emulator.

Each caller names a town at the region prompt as they would: a Ukrainian in the locative
("у Кракові"), a Romanian or English caller whose recogniser writes Ukrainian in Latin letters
("Vrotslav", "Zheshuv"), a Pole in the locative ("w Siedlcach", once taken for Kielce); each hears the town and its
region named back in their own language.
"""

from __future__ import annotations

import pytest

from tests.ivr import calls
from tests.ivr.calls import Phone

phone = calls.phone

CALLERS = {
    "pl": ("+48601000001", "mieszkam w Siedlcach", "Siedlce, województwo mazowieckie."),
    "en": ("+447400123456", "Zheshuv", "Rzeszów, Subcarpathian region."),
    "uk": ("+48601000003", "я живу у Кракові", "Kraków, Малопольське воєводство."),
    "ro": ("+48601000004", "Vrotslav", "Wrocław, regiunea Silezia Inferioară."),
}


@pytest.mark.parametrize("language", list(CALLERS))
def test_a_town_in_the_callers_own_script_and_case_chooses_its_region(
    phone: Phone, language: str
) -> None:
    number, said, named_back = CALLERS[language]
    heard = phone.call(number, [{"silence": True}, {"press": "2"}, {"say": said}])
    assert named_back in heard.after(3), heard.after(3)
