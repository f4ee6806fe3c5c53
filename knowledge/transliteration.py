"""Hearing a Polish place name in whatever script and grammatical case the caller used.

A Ukrainian caller says "у Кракові" or "Вроцлав", a recogniser set to Ukrainian may write
"Krakiv" or "Vrotslav", a Russian speaker "Краков", and a Polish one "w Krakowie". All of them
are reduced here to one rough sound key, so that the key of what was said can be compared
with the key of the Polish name ("Kraków" -> "krakuv", "krakov", "krakiv").

The letters follow public transcription tables, read in the direction that undoes them:

- the Ukrainian practical transcription of Polish names (Український правопис 2019, § 129-
  132 on foreign proper names, and Ukrainian Wikipedia's table "Вікіпедія:Транскрипція з
  польської мови"): sz -> ш, cz -> ч, szcz -> щ, rz/ż -> ж, ch/h -> х/г, ł -> л, l -> ль,
  w -> в, y -> и, i -> і, ó -> у (і in traditional -ів endings), ą/ę -> он/ен, ia/ie/iu -> я/є/ю;
- the Russian practical transcription of Polish names (Russian Wikipedia, "Польско-русская
  практическая транскрипция"), which writes и, е, ы where Ukrainian writes і, є, и;
- the national romanisation of Ukrainian (Resolution of the Cabinet of Ministers of Ukraine
  No. 55 of 27 January 2010): ж -> zh, х -> kh, ц -> ts, ч -> ch, ш -> sh, щ -> shch,
  г -> h, и -> y, я/є/ю -> ia/ie/iu (ya/ye/yu at the start), which recognisers also write.

Case endings (Ukrainian and Polish locative, genitive, instrumental: Кракові, Варшаві,
Гданську, Катовицях, Кракова, w Warszawie) are cut off the key of what was said and compared
with the stem of the name, so no inflected form has to be listed anywhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from knowledge.matching import FILLER_WORDS, plain

_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")

# Cyrillic (Ukrainian and Russian) letters to sound-key letters. Soft signs carry no sound of
# their own in a Polish name's transcription (Гданськ, Плоцьк).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "u", "я": "a", "ъ": "", "ы": "i",
    "э": "e", "ё": "o", "'": "", "’": "", "ʼ": "",
}  # fmt: skip

# Polish spelling to sound-key letters, longest spellings first. rz after a voiceless
# consonant sounds (and is transcribed) as sz: Przemyśl -> Пшемисль.
_POLISH = [
    ("szcz", "shch"), ("chrz", "hsh"), ("prz", "psh"), ("trz", "tsh"), ("krz", "ksh"),
    ("ch", "h"), ("cz", "ch"), ("sz", "sh"), ("rz", "zh"), ("ż", "zh"), ("ł", "l"),
    ("w", "v"), ("y", "i"), ("ś", "s"), ("ć", "c"), ("ń", "n"), ("ź", "z"),
    ("x", "ks"), ("q", "k"),
]  # fmt: skip
_POLISH_PATTERN = re.compile("|".join(re.escape(spelling) for spelling, _ in _POLISH))
_POLISH_KEYS = dict(_POLISH)
# ó is u in speech, o in oblique cases and in Russian (Кракова, Краков), і in Ukrainian -ів.
_O_ACUTE = ("u", "o", "i")

# Latin letters a recogniser writes for Ukrainian (the 2010 national table), longest first.
_ROMAN = [
    ("shch", "shch"), ("zgh", "zg"), ("zh", "zh"), ("kh", "h"), ("gh", "g"), ("ch", "ch"),
    ("sh", "sh"), ("ts", "c"), ("ya", "ja"), ("ye", "je"), ("yu", "ju"), ("yi", "ji"),
    ("ia", "a"), ("ie", "e"), ("iu", "u"), ("y", "i"), ("h", "g"), ("w", "v"),
]  # fmt: skip
_ROMAN_PATTERN = re.compile("|".join(re.escape(spelling) for spelling, _ in _ROMAN))
_ROMAN_KEYS = dict(_ROMAN)

_VOWELS = "aeiou"
# Case endings, as sound keys, that a place name may carry when said in a sentence.
_ENDINGS = sorted(
    {"ovi", "evi", "omu", "ami", "ah", "ou", "eu", "oi", "om", "em", "ie", "i", "u", "a", "e", "o"},
    key=len,
    reverse=True,
)
SHORTEST_STEM = 3


def _polish_word_keys(word: str) -> set[str]:
    """Return the sound keys of one Polish word (several where ó is ambiguous)."""
    text = _POLISH_PATTERN.sub(lambda found: _POLISH_KEYS[found.group()], word.lower())
    text = re.sub(r"ą(?=[bp])", "om", text).replace("ą", "on")
    text = re.sub(r"ę(?=[bp])", "em", text).replace("ę", "en")
    # ó survives plain() as a digit, which no name contains, until its readings are spread.
    text = plain(text.replace("ó", "0")).replace(" ", "")
    # A softening i between a consonant and a vowel is written я, є, ю in Cyrillic.
    text = re.sub(r"(?<=[^aeiou0])i(?=[aeou0])", "", text)
    parts = text.split("0")
    if len(parts) == 1:
        return {text}
    return {
        "".join(itertools.chain.from_iterable(zip(parts, (*vowels, ""), strict=True)))
        for vowels in itertools.product(_O_ACUTE, repeat=len(parts) - 1)
    }


# Iotated vowels sound with a j at the start of a word and after a vowel or a soft sign
# (Ярослав, Єленя Гура: Jarosław, Jelenia Góra), and soften the consonant before them otherwise.
_IOTATED = {"я": "ja", "є": "je", "ю": "ju", "ї": "ji"}


def _cyrillic_word_key(word: str) -> str:
    letters = []
    previous = ""
    for letter in word.lower():
        if letter in _IOTATED and (not previous or previous in "аеєиіїоуюяыэьъ'’ʼ"):
            letters.append(_IOTATED[letter])
        elif letter == "й":
            letters.append("j")
        else:
            letters.append(_CYRILLIC.get(letter, letter))
        previous = letter
    return "".join(letters)


def _roman_word_key(word: str) -> str:
    return _ROMAN_PATTERN.sub(lambda found: _ROMAN_KEYS[found.group()], plain(word))


def name_keys(name: str) -> set[str]:
    """Return the sound keys of a place's Polish name or of one of its aliases."""
    words = _WORD.findall(name)
    if not words:
        return set()
    if any(_CYRILLIC_LETTER.search(word) for word in words):
        return {" ".join(_cyrillic_word_key(word) for word in words)}
    per_word = [sorted(_polish_word_keys(word)) for word in words]
    return {" ".join(combination) for combination in itertools.product(*per_word)}


def heard_word_keys(word: str) -> set[str]:
    """Return the sound keys one word a caller said may stand for, in any script."""
    if _CYRILLIC_LETTER.search(word):
        return {_cyrillic_word_key(word)}
    return _polish_word_keys(word) | {_roman_word_key(word)}


def stems(key: str) -> set[str]:
    """Return a one-word key with each case ending it may carry cut off (and itself)."""
    found = {key}
    for ending in _ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= SHORTEST_STEM:
            found.add(key[: -len(ending)])
    return found


def name_stem(key: str) -> str:
    """Return a name's key without the final vowel of each word ("varshava" -> "varshav")."""
    return " ".join(
        word[:-1] if len(word) > SHORTEST_STEM and word[-1] in _VOWELS else word
        for word in key.split()
    )


def heard_words(text: str) -> list[str]:
    """Return the words of what a caller said, without the filler around a place name."""
    return [word for word in _WORD.findall(text) if plain(word) not in FILLER_WORDS]


def heard_keys(words: Iterable[str]) -> tuple[set[str], set[str]]:
    """Return the keys of a run of words as said, and with case endings cut off."""
    per_word = [sorted(heard_word_keys(word)) for word in words]
    whole = {" ".join(combination) for combination in itertools.product(*per_word)}
    cut = set()
    for combination in itertools.product(*per_word):
        cut |= {" ".join(stemmed) for stemmed in itertools.product(*map(stems, combination))}
    return whole, cut


class PlaceSounds:
    """The sound keys of a list of places, matched against what a caller said."""

    def __init__(self, places: Iterable[tuple[int, list[str]]]) -> None:
        self.keys: list[str] = []
        self.stems: list[str] = []
        self.owners: list[int] = []
        for ident, names in places:
            for name in names:
                for key in name_keys(name):
                    self.keys.append(key)
                    self.stems.append(name_stem(key))
                    self.owners.append(ident)

    def best(self, text: str, min_score: float, short_score: float) -> tuple[int, float] | None:
        """Return (place id, score) of the place whose name sounds closest to the text."""
        words = heard_words(text)
        best: tuple[float, int, int] | None = None
        for size in range(min(3, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                whole, cut = heard_keys(words[start : start + size])
                for queries, choices in ((whole, self.keys), (cut, self.stems)):
                    for query in queries:
                        for _, score, index in process.extract(
                            query, choices, scorer=fuzz.ratio, limit=5, score_cutoff=min_score
                        ):
                            needed = short_score if len(choices[index]) <= 5 else min_score
                            rank = (score, size, -index)
                            if score >= needed and (best is None or rank > best):
                                best = rank
        if best is None:
            return None
        return self.owners[-best[2]], best[0]
