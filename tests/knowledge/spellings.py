"""Other people's spellings of Polish place names, written by public transcription tables.

These run the tables forward (Polish -> Cyrillic -> Latin), independently of
knowledge.transliteration, which runs them backward; the tests measure how many of the
spellings written here the centre recognises.

- Polish -> Ukrainian: Ukrainian Wikipedia, "Вікіпедія:Транскрипція з польської мови"
  (after Український правопис 2019, § 129-132).
- Polish -> Russian: Russian Wikipedia, "Польско-русская практическая транскрипция".
- Ukrainian -> Latin: Resolution of the Cabinet of Ministers of Ukraine No. 55 of
  27 January 2010 (the national romanisation, which recognisers and passports use).
- Cases: the Ukrainian locative after "у" and genitive after "з", and the Russian locative
  after "в", of nouns by their ending (standard grammar tables).
"""

from __future__ import annotations

VOWELS = "aąeęioóuy"
VOICELESS = ("p", "t", "k", "ch")

# Polish letters (longest first) -> (Ukrainian, Russian); l, i, j and e are handled by context.
LETTERS = [
    ("szcz", "щ", "щ"), ("dż", "дж", "дж"), ("dź", "дзь", "дзь"), ("dz", "дз", "дз"),
    ("ch", "х", "х"), ("cz", "ч", "ч"), ("sz", "ш", "ш"), ("rz", "ж", "ж"), ("ż", "ж", "ж"),
    ("ź", "зь", "зь"), ("ś", "сь", "сь"), ("ć", "ць", "ць"), ("ń", "нь", "нь"), ("ł", "л", "л"),
    ("ó", "у", "у"), ("y", "и", "ы"), ("w", "в", "в"), ("h", "г", "х"), ("g", "г", "г"),
    ("c", "ц", "ц"), ("a", "а", "а"), ("b", "б", "б"), ("d", "д", "д"), ("f", "ф", "ф"),
    ("k", "к", "к"), ("m", "м", "м"), ("n", "н", "н"), ("o", "о", "о"), ("p", "п", "п"),
    ("r", "р", "р"), ("s", "с", "с"), ("t", "т", "т"), ("u", "у", "у"), ("z", "з", "з"),
]  # fmt: skip
# A vowel after a softening i or j, or after l: (Ukrainian, Russian).
SOFT_VOWELS = {"a": ("я", "я"), "e": ("є", "е"), "o": ("ьо", "ё"), "u": ("ю", "ю"),
               "ą": ("йон", "ён"), "ę": ("єн", "ен"), "ó": ("ю", "ю")}  # fmt: skip
L_VOWELS = {"a": ("ля", "ля"), "e": ("ле", "ле"), "o": ("льо", "лё"), "u": ("лю", "лю"),
            "i": ("лі", "ли"), "ó": ("лю", "лю"), "ą": ("льон", "лён"), "ę": ("лен", "лен"),
            "y": ("ли", "лы")}  # fmt: skip


def _nasal(word: str, at: int, vowel: str) -> str:
    following = word[at + 1 : at + 2]
    return vowel + ("м" if following in ("b", "p") else "н")


def transcribe(name: str, russian: bool = False) -> str:
    """Write a Polish name in Ukrainian (or Russian) letters by the practical transcription."""
    side = 1 if russian else 0
    words = []
    for word in name.lower().replace("-", " - ").split():
        if word == "-":
            words.append("-")
            continue
        out, at = "", 0
        while at < len(word):
            rest = word[at:]
            previous = word[at - 1] if at else ""
            if rest[0] == "l":
                following = rest[1:2]
                out += L_VOWELS[following][side] if following in L_VOWELS else "ль"
                at += 2 if following in L_VOWELS else 1
                continue
            if rest[0] in "ij" and rest[1:2] in SOFT_VOWELS and (rest[0] == "j" or previous):
                if rest[0] == "j" and previous and previous not in VOWELS:
                    out += "ь" if not russian else "ь"
                out += SOFT_VOWELS[rest[1]][side]
                at += 2
                continue
            if rest[0] == "j":
                out += "й"
                at += 1
                continue
            if rest[0] == "i":
                out += "и" if russian else "і"
                at += 1
                continue
            if rest[0] == "e":
                out += "э" if russian and not previous else "е"
                at += 1
                continue
            if rest[0] in "ąę":
                out += _nasal(word, at, "о" if rest[0] == "ą" else "е")
                at += 1
                continue
            if rest.startswith("rz") and any(word[:at].endswith(c) for c in VOICELESS):
                out += "ш"
                at += 2
                continue
            for polish, ukrainian, russian_letters in LETTERS:
                if rest.startswith(polish):
                    out += russian_letters if russian else ukrainian
                    at += len(polish)
                    break
            else:
                out += rest[0]
                at += 1
        words.append(out)
    return " ".join(word[:1].upper() + word[1:] for word in words).replace(" - ", "-")


ROMAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "",
}  # fmt: skip
ROMAN_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def romanise(ukrainian: str) -> str:
    """Write Ukrainian letters in Latin by the 2010 national table (as a recogniser may)."""
    words = []
    for word in ukrainian.lower().replace("-", " ").split():
        letters = [ROMAN_FIRST.get(word[0], ROMAN.get(word[0], word[0]))]
        for previous, letter in zip(word, word[1:], strict=False):
            # The table writes зг as zgh, so that it is not read as ж.
            letters.append("gh" if (previous, letter) == ("з", "г") else ROMAN.get(letter, letter))
        words.append("".join(letters))
    return " ".join(word.capitalize() for word in words)


def locative(ukrainian: str) -> str | None:
    """Return "у" and the locative of a one-word Ukrainian name ("у Варшаві"), if declinable."""
    if " " in ukrainian or "-" in ukrainian:
        return None
    word = ukrainian
    if word.endswith(("ів", "ув")):
        return "у " + word[:-2] + "ові"
    if word.endswith(("а", "я", "о")):
        return "у " + word[:-1] + "і"
    if word.endswith(("іце", "иці", "це", "и", "і")):  # plurals: у Катовіцах, у Жарах
        return (
            "у "
            + word[: -(3 if word.endswith(("іце", "иці")) else 1)]
            + ("іцах" if word.endswith(("іце", "иці")) else "ах")
        )
    if word.endswith(("е", "є")):
        return "у " + word[:-1] + "і"
    if word.endswith("ь"):
        return "у " + word[:-1] + "і"
    if word.endswith(("к", "г", "х")):
        return "у " + word + "у"
    return "у " + word + "і"


def genitive(ukrainian: str) -> str | None:
    """Return "з" and the genitive of a one-word Ukrainian name ("з Гданська"), if declinable."""
    if " " in ukrainian or "-" in ukrainian or ukrainian.endswith(("е", "є", "і", "и")):
        return None
    word = ukrainian
    if word.endswith(("ів", "ув")):
        return "з " + word[:-2] + "ова"
    if word.endswith("а"):
        return "з " + word[:-1] + ("і" if word[-2:-1] in "жчшщ" else "и")
    if word.endswith(("я", "ь")):
        return "з " + word[:-1] + "і"
    if word.endswith("о"):
        return "з " + word[:-1] + "а"
    return "з " + word + "а"


def russian_locative(russian: str) -> str | None:
    """Return "в" and the Russian locative of a one-word name ("в Кракуве"), if declinable."""
    if " " in russian or "-" in russian or russian.endswith(("е", "и", "ы", "о")):
        return None
    if russian.endswith(("а", "я", "ь")):
        return "в " + russian[:-1] + ("и" if russian.endswith("ь") else "е")
    return "в " + russian + "е"


def spellings(name: str) -> dict[str, str]:
    """Return the ways of writing a Polish place name that the tables give, by kind."""
    ukrainian = transcribe(name)
    found = {
        "ukrainian": ukrainian,
        "ukrainian typed without soft signs": ukrainian.replace("ь", ""),
        "russian": transcribe(name, russian=True),
        "romanised ukrainian": romanise(ukrainian),
    }
    cases = (
        ("ukrainian locative", locative(ukrainian)),
        ("ukrainian genitive", genitive(ukrainian)),
        ("russian locative", russian_locative(found["russian"])),
    )
    found |= {kind: phrase for kind, phrase in cases if phrase}
    return found


# Names in long use that no table writes (Ukrainian Wikipedia article titles): measured apart.
TRADITIONAL = {
    "Kraków": "Краків", "Katowice": "Катовиці", "Białystok": "Білосток", "Gliwice": "Гливиці",
    "Tarnów": "Тарнів", "Zielona Góra": "Зелена Гура", "Przemyśl": "Перемишль",
    "Chełm": "Холм", "Zamość": "Замостя", "Płock": "Плоцьк", "Bielsko-Biała": "Бельсько-Бяла",
    "Sanok": "Сянок", "Jarosław": "Ярослав", "Sandomierz": "Сандомир",
}  # fmt: skip
