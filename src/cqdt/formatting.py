"""Vietnamese number and date formatting (508.364; 117,69; 52,13 %)."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def nfc(text: str) -> str:
    """Normalise a display string to NFC (spreadsheets often carry NFD)."""
    return unicodedata.normalize("NFC", text)


def round_half_up(value: float, decimals: int) -> float:
    """Round like the published tables do (0,125 → 0,13), not banker's rounding."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def round_half_up_array(values: np.ndarray, decimals: int) -> np.ndarray:
    """round_half_up for a whole array at once, with the same result: a value is rounded up when it
    is not below the halfway point (k + 0,5)/10^d, which as a float is exactly the halfway decimal
    (k + 0,5 and 10^d are exact; the division rounds correctly), so comparing floats compares the
    decimal the value prints as (its shortest repr) with the halfway decimal."""
    scale = 10.0 ** decimals
    lower = np.floor(values * scale)
    return np.where(values >= (lower + 0.5) / scale, lower + 1, lower) / scale


def vn_number(value: float, decimals: int = 0, strip_zeros: bool = False) -> str:
    """Format a number with "." for thousands and "," for decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    text = f"{rounded:,.{decimals}f}"
    if strip_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def shown_parts(values: dict[str, float], summed: list[str], decimals: int) -> dict[str, str]:
    """Each part of a total as a row prints it, at `decimals`: the parts in `summed` are rounded so
    that they add up to the total as printed (largest remainder: each part is rounded down, and the
    units still missing go to the largest remainders), so no printed part is off by more than one
    unit of its last digit. The other parts (reported, not summed) are rounded plainly."""
    scale = Decimal(1).scaleb(decimals)
    exact = {key: Decimal(repr(float(values[key]))) * scale for key in summed}
    floors = {key: int(value.to_integral_value(rounding="ROUND_FLOOR")) for key, value in exact.items()}
    total = int(sum(exact.values()).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    missing = total - sum(floors.values())
    if not 0 <= missing <= len(floors):
        return {key: vn_number(value, decimals) for key, value in values.items()}
    for key in sorted(floors, key=lambda k: exact[k] - floors[k], reverse=True)[:missing]:
        floors[key] += 1
    return {key: vn_number(floors[key] / 10 ** decimals, decimals) if key in floors else vn_number(value, decimals)
            for key, value in values.items()}


def vn_int(value: float) -> str:
    return vn_number(value, 0)


def vn_percent(share: float, decimals: int = 2, strip_zeros: bool = True) -> str:
    """A share in [0, 1] as a Vietnamese percentage: 0.5213 → "52,13%"."""
    return vn_number(share * 100, decimals, strip_zeros=strip_zeros) + "%"


def vn_date(day: dt.date) -> str:
    """The date as in a decision: day below 10 and months 1–2 take a leading zero."""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def vn_signed(value: float, decimals: int = 2) -> str:
    """A change with its sign: +1,25 / −0,40 / 0."""
    if round_half_up(value, decimals) == 0:
        return "0"
    sign = "+" if value > 0 else "−"
    return sign + vn_number(abs(value), decimals)


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII"}


# Unit types that head official names («Huyện Chư Sê»); map labels and chart axes drop them.
UNIT_TYPES = ("Thành phố ", "Thị xã ", "Huyện ", "Thị trấn ", "Phường ", "Xã ", "Đặc khu ")


def short_unit_name(name: str) -> str:
    """«Chư Sê» for «Huyện Chư Sê»; a name that is only a type and a number keeps its type."""
    for prefix in UNIT_TYPES:
        if name.startswith(prefix) and not name[len(prefix):].strip().isdigit():
            return name[len(prefix):]
    return name


def capital_first(text: str) -> str:
    """Upper-case the first letter only (str.capitalize would lower «UBND» in the rest)."""
    return text[:1].upper() + text[1:]


def join_words(items: list[str]) -> str:
    """«a», «a và b», «a; b và c»: plurals that themselves contain commas are kept apart by «;»."""
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return separator.join(items[:-1]) + " và " + items[-1]


def roman(number: int) -> str:
    return ROMAN[number]


# Vietnamese alphabetical order: ă, â, đ, ê, ô, ơ, ư are letters of their own (a < ă < â < b …),
# then tones break ties in dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng). Written here
# because the collation libraries that know Vietnamese (ICU) need a compiled binding.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_MODIFIERS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple:
    """A sort key that orders Vietnamese names as a Vietnamese dictionary does."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", text).lower():
        base, *marks = unicodedata.normalize("NFD", char)
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        letter = "đ" if char == "đ" else base
        for mark in marks:
            if mark in _MODIFIERS:
                letter = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô", "o\u031b": "ơ",
                          "u\u031b": "ư"}.get(base + mark, letter)
        if letter.isspace():
            letters.append((-1, 0))  # word by word: «An Khê» before «Anh»
        else:
            letters.append((0, _LETTERS.index(letter)) if letter in _LETTERS else (1, ord(letter)))
        tones.append(tone)
    return tuple(letters), tuple(tones), text
