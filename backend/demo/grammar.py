"""Small English rules the generated texts need: "a" or "an", and verbs that agree."""

from __future__ import annotations

import re

__all__ = ["article", "capitalised", "with_article"]

# Words spelled with a vowel that start with a consonant sound, and the reverse.
_CONSONANT_SOUND = ("one", "once", "uni", "use", "usu", "euro", "eu", "ubiq", "ufo")
_VOWEL_SOUND = ("honest", "honour", "honor", "hour", "heir")
_LEADING_NUMBER = re.compile(r"\d+")


def article(phrase: str) -> str:
    """The indefinite article for ``phrase`` by how its first word sounds."""
    word = phrase.lower()
    number = _LEADING_NUMBER.match(word)
    if number:
        # "an 8-minute", "an 11-step", "an 18th": said with a vowel first.
        digits = number.group()
        spoken_an = digits.startswith("8") or (digits[:2] in ("11", "18") and len(digits) % 3 == 2)
        return "an" if spoken_an else "a"
    if word.startswith(_VOWEL_SOUND):
        return "an"
    if word.startswith(_CONSONANT_SOUND):
        return "a"
    return "an" if word[:1] in "aeiou" else "a"


def with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def capitalised(text: str) -> str:
    """First letter upper case, the rest as written (proper nouns keep theirs)."""
    return text[:1].upper() + text[1:]
