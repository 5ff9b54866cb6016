"""How a cell's text becomes a name or a number, the same way wherever the workbook holds one.

Names are compared after Unicode normalisation (NFC): a name typed on a Mac or pasted from a web
page may spell `é` or a Japanese voiced kana as two code points where another sheet has one, and
the two look identical in Excel. Numbers typed as text are read as a planner means them when that
is unambiguous: thousands commas, a yen sign in a money column, a percent sign where the value is
a ratio; anything else is refused with a message saying what is accepted.
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_YEN_BEFORE = ("¥", "jpy")
_YEN_AFTER = ("円", "jpy")
MINUS = "\u2212"  # the minus sign of documents and web pages, beside the hyphen-minus
_WORDS = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def clean_name(value: object) -> str:
    """A name as plan compares it: NFC, non-breaking spaces as spaces, surrounding blanks trimmed."""
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def number_from_text(text: str, unit: str = "", percent: bool = False) -> tuple[float | None, str]:
    """(the number, "") or (None, what is wrong and what is accepted). `unit` is the column's unit
    ("¥" for money); `percent`: the value is a ratio, so "0.01 %" means 0.0001."""
    s = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace(MINUS, "-").strip().lower()
    if s in _WORDS:
        return None, "expected a finite number"
    s = s.replace(" ", "").replace("_", "")
    sign = ""
    if s[:1] in "+-":
        sign, s = s[:1], s[1:]
    yen = False
    for mark in _YEN_BEFORE:
        if s.startswith(mark):
            s, yen = s[len(mark):], True
    for mark in _YEN_AFTER:
        if s.endswith(mark):
            s, yen = s[: -len(mark)], True
    share = s.endswith("%")
    if share:
        s = s[:-1]
    if s[:1] in "+-" and not sign:
        sign, s = s[:1], s[1:]
    s = sign + s
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return None, "expected a number" + accepted(unit, percent)
    if yen and unit != "¥":
        return None, f"a yen amount in a column measured in {unit or 'plain numbers'}: type the number alone"
    if share and not percent:
        in_unit = f" in {unit}" if unit and unit != "¥" else ""
        return None, f"a percentage is not accepted here: type the value itself{in_unit}"
    number = float(s)
    return (number / 100.0 if share else number), ""


def accepted(unit: str, percent: bool) -> str:
    forms = ["1234.5", "1,234.5", "1.2e9"]
    if unit == "¥":
        forms.append("¥7,000,000,000")
    if percent:
        forms.append("0.01 % (= 0.0001)")
    return f" (accepted: {', '.join(forms)})"
