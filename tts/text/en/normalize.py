"""English text normalisation: turn raw text into plain spoken words plus sentence punctuation.

Numbers, money, dates, times, units, abbreviations, acronyms, symbols, URLs and e-mail addresses
are written out as words, and so are Roman numerals where they number things (Chapter III, Henry VIII);
Unicode is folded to ASCII (accents stripped, anything else dropped).
Inline phoneme groups ``{...}`` are passed through untouched.
"""

import re
import unicodedata
from collections.abc import Collection
from re import Match

from .numbers import cardinal, decimal, digits, number, ordinal, plural, year

_BRACES = re.compile(r"(\{[^{}]*\})")

# --- Unicode ------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2012": " , ", "\u2013": " , ", "\u2014": " , ", "\u2015": " , ", "\u2026": " ... ",
    "\u2022": " , ", "\u00b7": " , ", "\u00a1": "", "\u00bf": "",
    "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE",
    "\u00f8": "o", "\u00d8": "O", "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D",
    "\u00fe": "th", "\u00de": "Th", "\u00f0": "th", "\u0131": "i",
    "\u00d7": " times ", "\u00f7": " divided by ", "\u00a7": " section ",
    "\u00ae": "", "\u00a9": "", "\u2122": "", "\u2044": "/",
})
_KEEP_NON_ASCII = set("£€¥₹¢°")
_EN_DASH_RANGE = re.compile(r"(?<=\d)(\s?[ap]m)?\s?\u2013\s?(?=\d)", re.IGNORECASE)  # en-dash ranges: 5-10, 2pm-5pm


def _fold_unicode(text: str) -> str:
    """Curly quotes/dashes to ASCII, accents stripped (NFKD), other non-ASCII dropped."""
    text = _EN_DASH_RANGE.sub(r"\1 to ", text).translate(_CHAR_MAP)
    if text.isascii():
        return text
    out = []
    for ch in unicodedata.normalize("NFKD", text).translate(_CHAR_MAP):
        if ch.isascii() or ch in _KEEP_NON_ASCII:
            out.append(ch)
        elif not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf":
            out.append(" ")  # emoji, non-Latin scripts, odd spaces: a word break at most
    return "".join(out)


# --- helpers ------------------------------------------------------------------------------

_FOLLOWED_BY_SENTENCE = re.compile(r"\s*$|\s+[\"']?[A-Z]")
_FOLLOWED_BY_NAME = re.compile(r"\s+[A-Z]")
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"


def _keep_dot(m: Match[str]) -> str:
    """'.' when an abbreviation's period also ends the sentence (end of text or a capital next)."""
    return "." if m.group(0).endswith(".") and _FOLLOWED_BY_SENTENCE.match(m.string, m.end()) else ""


def _signed(neg: str | None, words: str) -> str:
    return f"minus {words}" if neg else words


# --- URLs and e-mail ----------------------------------------------------------------------

_URL_SYMBOLS = {
    ".": "dot", "/": "slash", "-": "dash", "_": "underscore", "@": "at", ":": "colon",
    "?": "question mark", "=": "equals", "&": "and", "#": "hash", "%": "percent",
    "~": "tilde", "+": "plus",
}
_TLDS = "com|org|net|edu|gov|io|ai|co|uk|us|de|fr|eu|info|biz|app|dev|me|tv"
_EMAIL = re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'{}]+", re.IGNORECASE)
_DOMAIN = re.compile(  # lower-case top-level domain only, so "U.S." is no address
    rf"\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"'{{}}]*)?")
_TRAILING = re.compile(r"[.,;:!?)\]]+$")


def _speak_address(m: Match[str]) -> str:
    address = m.group(0)
    trailing = _TRAILING.search(address)
    tail = trailing.group(0) if trailing else ""
    address = re.sub(r"^[a-z]+://", "", address[: len(address) - len(tail)], flags=re.IGNORECASE)
    words = []
    for piece in re.findall(r"[A-Za-z]+|\d+|\S", address):
        if piece.isdigit():
            words.append(digits(piece))
        elif piece.isalpha():
            words.append("W W W" if piece.lower() == "www" else piece.lower())
        elif piece in _URL_SYMBOLS:
            words.append(_URL_SYMBOLS[piece])
    return " ".join(words) + tail


# --- Roman numerals ----------------------------------------------------------------------

_ROMAN = r"(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_NUMBERED = ["Chapter", "Part", "Book", "Volume", "Act", "Scene", "Section", "Canto", "Psalm", "Article",
             "Appendix", "Episode", "Phase", "Stage", "Round", "Lesson", "Unit", "Level", "Class", "Type",
             "Title", "Step", "World War", "Super Bowl"]
_TITLED = ["King", "Queen", "Pope", "Emperor", "Empress", "Tsar", "Czar", "Kaiser", "Sultan", "Pharaoh",
           "Prince", "Princess", "Duke", "Duchess"]
_REGNAL_NAMES = [
    "Henry", "Louis", "Elizabeth", "George", "Edward", "Charles", "William", "Richard", "James", "Napoleon",
    "John", "Paul", "Pius", "Leo", "Gregory", "Benedict", "Innocent", "Clement", "Urban", "Boniface", "Sixtus",
    "Julius", "Alexander", "Peter", "Catherine", "Frederick", "Philip", "Ferdinand", "Ivan", "Nicholas", "Mary",
    "Anne", "Alfonso", "Carlos", "Juan", "Felipe", "Pedro", "Manuel", "Gustav", "Gustavus", "Christian", "Olaf",
    "Harald", "Haakon", "Ludwig", "Wilhelm", "Otto", "Rudolf", "Francis", "Franz", "Joseph", "Leopold",
    "Ramesses", "Ramses", "Thutmose", "Amenhotep", "Ptolemy", "Cleopatra", "Constantine", "Justinian",
    "Edmund", "Malcolm", "David", "Robert", "Stephen", "Victor", "Umberto", "Casimir", "Sigismund", "Selim",
    "Mehmed", "Murad", "Suleiman", "Vladimir", "Basil", "Michael"]


def _both_cases(words: list[str]) -> str:
    return "|".join(w for word in words for w in (word, word.upper()))


# A numeral after a word that numbers things is a cardinal (Chapter III), after a ruler's name an ordinal with
# "the" (Henry VIII, King John II); a line that is only a numeral (but I, the pronoun), or starts with one and a
# '.' or ':' before a title, is a heading (III, I. The Storm). Single C, D, L and M are letters (Section C).
_ROMAN_AFTER_WORD = re.compile(
    rf"\b(?:(?P<numbered>{_both_cases(_NUMBERED)})|(?P<ruler>(?:{_both_cases(_TITLED)})(?:\s+[A-Z][a-z]+){{1,2}}"
    rf"|{_both_cases(_REGNAL_NAMES)}))\s+(?P<num>{_ROMAN})(?P<s>'s)?(?![\w'-])")
_ROMAN_HEADING = re.compile(
    r"^[^\S\n]*(?P<num>[IVXL]+)(?=(?P<title>[.:][^\S\n]+[A-Za-z]{2})|[^\S\n]*[.:]?[^\S\n]*$)",
    re.MULTILINE)


def _roman_value(numeral: str) -> int | None:
    """'XIV' -> 14; None unless `numeral` is well formed (a lone L, C, D or M is a letter, not a numeral)."""
    if not re.fullmatch(_ROMAN, numeral) or numeral in ("L", "C", "D", "M"):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0]))


def _roman_after_word(m: Match[str]) -> str:
    value = _roman_value(m.group("num"))
    if value is None:
        return m.group(0)
    words = cardinal(value) if m.group("numbered") else f"the {ordinal(value)}"
    word = m.group("numbered") or m.group("ruler")
    return f"{word} {words}{m.group('s') or ''}"


def _roman_heading(m: Match[str]) -> str:
    value = _roman_value(m.group("num"))
    if value is None or (value == 1 and not m.group("title")):
        return m.group(0)
    return cardinal(value)


def _expand_roman(s: str) -> str:
    return _ROMAN_HEADING.sub(_roman_heading, _ROMAN_AFTER_WORD.sub(_roman_after_word, s))


# --- money, percent, units ----------------------------------------------------------------

_CURRENCY = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
}
_CURRENCY.update(USD=_CURRENCY["$"], GBP=_CURRENCY["£"], EUR=_CURRENCY["€"],
                 JPY=_CURRENCY["¥"], INR=_CURRENCY["₹"])
_CODES = "USD|GBP|EUR|JPY|INR|CAD|AUD"
_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion",
           "thousand": "thousand", "million": "million", "billion": "billion",
           "trillion": "trillion", "tn": "trillion"}
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
_MONEY_PREFIX = re.compile(
    rf"(?P<neg>(?<![\w-])-)?(?:(?P<sym>[$£€¥₹])|\b(?P<code>{_CODES})\s?)\s?(?P<num>{_NUM}|\.\d+){_SCALE}",
    re.IGNORECASE,
)
_MONEY_SUFFIX = re.compile(rf"(?P<neg>(?<![\w-])-)?\b(?P<num>{_NUM}){_SCALE}\s?(?P<code>{_CODES})\b")
_CENTS = re.compile(r"\b(\d+)\s?¢")


def _money_words(num: str, scale: str | None, code: str) -> str:
    """Cents may lack the leading zero or the second digit: $.5, $0.5 and $0.50 are all fifty cents."""
    one, many, sub_one, sub_many = _CURRENCY[code]
    if scale:
        return f"{number(num)} {_SCALES[scale.lower()]} {many}"
    whole, _, frac = num.replace(",", "").partition(".")
    n = int(whole or 0)
    if frac and (len(frac) > 2 or not sub_one):
        return f"{decimal(num)} {many}"
    cents = int(frac.ljust(2, "0"))
    parts = []
    if n or not cents:
        parts.append(f"{cardinal(n)} {one if n == 1 else many}")
    if cents:
        parts.append(f"{cardinal(cents)} {sub_one if cents == 1 else sub_many}")
    return " and ".join(parts)


def _money(m: Match[str]) -> str:
    code = m.groupdict().get("sym") or m.group("code").upper()
    return " " + _signed(m.group("neg"), _money_words(m.group("num"), m.group("scale"), code)) + " "


_PERCENT = re.compile(rf"(?P<neg>(?<![\w-])-)?(?P<num>{_NUM}|\.\d+)\s?%")
_UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometer", "kilometers"), "kms": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "mi": ("mile", "miles"), "kg": ("kilogram", "kilograms"),
    "kgs": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"), "ml": ("milliliter", "milliliters"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"), "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "kbps": ("kilobit per second", "kilobits per second"),
    "Mbps": ("megabit per second", "megabits per second"), "Gbps": ("gigabit per second", "gigabits per second"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "wk": ("week", "weeks"), "wks": ("week", "weeks"), "yr": ("year", "years"), "yrs": ("year", "years"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
}
# A unit is matched as written above or in lower case (10 mb, 1 mbps, 20 °c), not in capitals (2 ML models, 3 HR
# staff are acronyms). It is singular after exactly 1 and in a compound (a 5 km run, a 5-min read), plural after
# anything else (0, 1.0, 1-2, 4 1/2, 100 million); a fraction below one takes "of a" (1/2 lb: one half of a pound).
_UNIT_FORMS = {form: words for unit, words in _UNITS.items() for form in (unit, unit.lower())}
_MEASURES = ({form.lower() for form in _UNIT_FORMS} | {"times"}
             | {word.split()[0] for pair in _UNITS.values() for word in pair})
_UNIT = re.compile(
    rf"(?=[-.\d])(?P<neg>(?<![\w-])-)?(?<![\d./])(?:(?P<lo>{_NUM})\s?-\s?)?"  # the first check: speed
    rf"(?:(?:(?P<whole>\d{{1,3}})\s+)?(?P<n>\d+)/(?P<d>\d+)|(?P<num>{_NUM}|\.\d+))"
    r"(?:\s(?P<scale>thousand|million|billion|trillion))?(?P<sep>\s?|-)(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(_UNIT_FORMS, key=len, reverse=True))
    + r")(?![A-Za-z])"
)
_ARTICLE_BEFORE = re.compile(r"(?:\ban?|(?:^|[.!?]\s)An?)\s+$")  # not the letter: vitamin A 5 mg


def _percent(m: Match[str]) -> str:
    return " " + _signed(m.group("neg"), number(m.group("num"))) + " percent "


def _unit(m: Match[str]) -> str:
    one, many = _UNIT_FORMS[m.group("unit")]
    compound = m.group("sep") == "-" or _ARTICLE_BEFORE.search(m.string, max(0, m.start() - 5), m.start())
    if m.group("d"):
        num, den = int(m.group("n")), int(m.group("d"))
        words = _fraction_words(num, den, m.group("whole"))
        if num < den and not m.group("whole") and not compound:
            return f" {words} of {_article(one)} {one} "
    else:
        words = number(m.group("num"))
    if m.group("lo"):
        words = f"{number(m.group('lo'))} to {words}"
    if m.group("scale"):
        words += f" {m.group('scale')}"
    singular = compound or m.group("num") == "1" and not m.group("lo") and not m.group("scale")
    return f" {_signed(m.group('neg'), words)} {one if singular else many} "


# --- times and dates ----------------------------------------------------------------------

_AMPM = r"(?:\s?(?P<ap>[AaPp])\.?\s?[Mm](?![A-Za-z])\.?)"
_TIME = r"\d{1,2}(?::\d{2})?(?:\s?[AaPp]\.?\s?[Mm](?![A-Za-z])\.?)?"
# 2pm-5pm, 9am - 5pm, 2-5pm, 10:30-11:45: "to" between two times (a bare 9-5 is a number range, also "to").
_TIME_RANGE = re.compile(rf"\b(?P<a>{_TIME})\s*-\s*(?P<b>{_TIME})(?!\d)")
_CLOCK = re.compile(rf"\b(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::(?P<s>\d{{2}}))?(?!\d){_AMPM}?")
_HOUR_AMPM = re.compile(rf"\b(?P<h>\d{{1,2}}){_AMPM}")


def _ampm(m: Match[str]) -> str:
    return f" {m.group('ap').upper()} M{_keep_dot(m)}" if m.group("ap") else ""


def _time_range(m: Match[str]) -> str:
    is_time = any(c in ":AaPp" for c in m.group(0))
    return f"{m.group('a')} to {m.group('b')}" if is_time else m.group(0)


def _clock(m: Match[str]) -> str:
    h, mins = int(m.group("h")), int(m.group("m"))
    if h > 24 or mins > 59 or (m.group("ap") and not 1 <= h <= 12):
        return m.group(0)
    if mins == 0:
        words = cardinal(h) if m.group("ap") else (
            f"{cardinal(h)} hundred" if h == 0 or h > 12 else f"{cardinal(h)} o'clock")
    else:
        words = f"{cardinal(h)} {'oh ' + cardinal(mins) if mins < 10 else cardinal(mins)}"
    if m.group("s") and int(m.group("s")):
        words += f" and {cardinal(int(m.group('s')))} seconds"
    return words + _ampm(m)


def _hour_ampm(m: Match[str]) -> str:
    h = int(m.group("h"))
    return cardinal(h) + _ampm(m) if 1 <= h <= 12 else m.group(0)


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
_MONTH_NAMES = {m.lower(): m for m in MONTHS} | {m[:3].lower(): m for m in MONTHS} | {"sept": "September"}
_MONTH = (rf"(?=[{''.join(sorted({name[0] for name in _MONTH_NAMES}))}])(?P<month>"  # first-letter check: speed
          + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + ")")
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_US_DATE = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})\b")
# Month names match in any case, abbreviated (Jan, jan., SEPT) or not, and always with a day number. May, March
# and Mar are also verbs: not a date after a subject pronoun (you may 2, we march 3) or before a unit or "times"
# (march 3 km, May 5 times) unless the day has an ordinal suffix or a year follows; in day-month order they are a
# date in lower case only with a suffix, "of" or a year (5th may, 5 of march), as "5 may be" is a verb.
_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\b\.?\s+(?P<d>\d{{1,2}})(?P<suffix>st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?", re.IGNORECASE)
_DAY_MONTH = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?P<suffix>st|nd|rd|th)?\s+(?P<of>of\s+)?{_MONTH}\b\.?(?:,?\s+(?P<y>\d{{4}})\b)?",
    re.IGNORECASE)
_VERB_MONTHS = {"may", "march", "mar"}
_SUBJECTS = {"i", "you", "we", "they", "he", "she"}
_THE_BEFORE = re.compile(r"\bthe\s*$", re.IGNORECASE)


def _year_words(y: str) -> str:
    return year(int(y)) if len(y) == 4 else ("oh " + digits(y[1]) if y[0] == "0" else cardinal(int(y)))


def _numeric_date(m: Match[str]) -> str:
    month, day = int(m.group("m")), int(m.group("d"))
    if month > 12 and day <= 12 and m.re is _US_DATE:  # day/month order
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{MONTHS[month - 1]} {ordinal(day)} {_year_words(m.group('y'))}"


def _month_name(m: Match[str]) -> str:
    return _MONTH_NAMES[m.group("month").lower()]


def _verb_not_month(m: Match[str]) -> bool:
    """'you may 2', 'march 3 km': a May, March or Mar before a day number that is a verb (see _MONTH_DAY)."""
    if m.group("month").lower() not in _VERB_MONTHS or m.group("suffix") or m.group("y"):
        return False
    prev = _PREV_WORD.search(m.string, max(0, m.start() - 30), m.start())
    nxt = _NEXT_WORD.match(m.string, m.end())
    return bool(prev and prev.group(1).lower() in _SUBJECTS
                or nxt and nxt.group(1).lower() in _MEASURES)


def _month_day(m: Match[str]) -> str:
    day = int(m.group("d"))
    if not 1 <= day <= 31 or _verb_not_month(m):
        return m.group(0)
    words = f"{_month_name(m)} {ordinal(day)}"
    return words + (f", {year(int(m.group('y')))}" if m.group("y") else "")


def _day_month(m: Match[str]) -> str:
    day = int(m.group("d"))
    month = m.group("month")
    verb = month.lower() in _VERB_MONTHS and not month.istitle()
    if not 1 <= day <= 31 or verb and not (m.group("suffix") or m.group("of") or m.group("y")):
        return m.group(0)
    the = "" if _THE_BEFORE.search(m.string, 0, m.start()) else "the "
    words = f"{the}{ordinal(day)} of {_month_name(m)}"
    return words + (f" {year(int(m.group('y')))}" if m.group("y") else _keep_dot(m))


# --- abbreviations ------------------------------------------------------------------------

_STREET_WORDS = {"St": "street", "Dr": "drive", "Ave": "avenue", "Rd": "road",
                 "Blvd": "boulevard", "Ln": "lane"}
_NOT_STREET_NAMES = {"In", "At", "On", "To", "From", "Of", "And", "Or", "The", "A", "By", "For",
                     "With", "Near", "Visit", "Dear", "Via", "Into", "Then", "But", "So", "Ask"}
_STREET = re.compile(r"\b(?P<name>[A-Z][a-z]+|\d+(?:st|nd|rd|th)?) (?P<abbr>St|Dr|Ave|Rd|Blvd|Ln)\b\.?")
_TITLES = {"Mr": "mister", "Mrs": "missus", "Ms": "miz", "Dr": "doctor", "Prof": "professor",
           "Rev": "reverend", "Hon": "honorable", "Gen": "general", "Capt": "captain",
           "Sgt": "sergeant", "Lt": "lieutenant", "Col": "colonel", "Gov": "governor",
           "Sen": "senator", "Rep": "representative", "Pres": "president", "Fr": "father",
           "St": "saint", "Mt": "mount", "Ft": "fort"}
_TITLE = re.compile(
    r"\b(?:(?P<a>Mr|Mrs|Ms|Dr|Prof)(?:\.|(?=\s+[A-Z]))"
    r"|(?P<b>Rev|Hon|Gen|Capt|Sgt|Lt|Col|Gov|Sen|Rep|Pres|Fr|St|Mt|Ft)\.(?=\s+[A-Z]))")
_SUFFIX_TITLE = re.compile(r"\b(?P<abbr>Jr|Sr)\b\.?")
_ABBREVIATIONS = {"etc": "et cetera", "vs": "versus", "approx": "approximately",
                  "inc": "incorporated", "ltd": "limited", "corp": "corporation",
                  "dept": "department", "misc": "miscellaneous", "govt": "government",
                  "univ": "university", "et al": "et al"}
_ABBREVIATION = re.compile(r"\b(?P<abbr>etc|vs|approx|inc|ltd|corp|dept|misc|govt|univ|et al)\.|\bvs\b",
                           re.IGNORECASE)
_LATIN = [(re.compile(r"\be\.\s?g\.", re.IGNORECASE), " for example "),
          (re.compile(r"\bi\.\s?e\.", re.IGNORECASE), " that is "),
          (re.compile(r"\bNo\.(?=\s?\d)"), "number "),
          (re.compile(r"#(?=\s?\d)"), " number "),
          (re.compile(r"\bFig\.(?=\s?\d)", re.IGNORECASE), "figure ")]
_STANDALONE_AMPM = re.compile(r"\b(?P<ap>[ap])\.\s?m\.", re.IGNORECASE)
_PHD = re.compile(r"\bPh\.\s?D\b\.?")
_DOTTED = re.compile(r"\b[A-Za-z](?:\.[A-Za-z])+\b\.?")
_INITIAL = re.compile(r"\b([A-Z])\.(?=\s+[A-Z](\.)?)")
_SENTENCE_STARTERS = {
    "The", "This", "That", "These", "Those", "It", "He", "She", "We", "They", "I", "You", "A",
    "An", "In", "On", "At", "But", "And", "So", "Then", "There", "If", "When", "What", "Who",
    "How", "Why", "My", "Our", "Your", "His", "Her", "Its", "Their", "Is", "Are", "Was", "Were",
    "Do", "Does", "Did", "Yes", "No", "Not", "All", "Some", "After", "Before"}
_CAPITAL_BEFORE = re.compile(r"(?:^|[A-Z][a-z][A-Za-z'-]*\s+|\b[A-Z]\.\s+)$")


def _street(m: Match[str]) -> str:
    before_name = m.group("abbr") == "Dr" and _FOLLOWED_BY_NAME.match(m.string, m.end())
    if m.group("name") in _NOT_STREET_NAMES or before_name:
        return m.group(0)
    return f"{m.group('name')} {_STREET_WORDS[m.group('abbr')]}{_keep_dot(m)}"


def _initial(m: Match[str]) -> str:
    """'John F. Kennedy' -> 'John F Kennedy': the period of a name initial is no sentence end."""
    following = _NEXT_WORD.match(m.string, m.end())
    if following and following.group(1) in _SENTENCE_STARTERS:
        return m.group(0)
    if m.group(2) or _CAPITAL_BEFORE.search(m.string, max(0, m.start() - 40), m.start()):
        return m.group(1)
    return m.group(0)


def _expand_abbreviations(s: str) -> str:
    s = _STREET.sub(_street, s)
    s = _TITLE.sub(lambda m: _TITLES[m.group("a") or m.group("b")], s)
    s = _SUFFIX_TITLE.sub(lambda m: ("junior" if m.group("abbr") == "Jr" else "senior") + _keep_dot(m), s)
    s = _ABBREVIATION.sub(
        lambda m: _ABBREVIATIONS[(m.group("abbr") or "vs").lower()] + _keep_dot(m), s)
    for pattern, words in _LATIN:
        s = pattern.sub(words, s)
    s = _STANDALONE_AMPM.sub(lambda m: f"{m.group('ap').upper()} M{_keep_dot(m)}", s)
    s = _PHD.sub(lambda m: "P H D" + _keep_dot(m), s)
    s = _DOTTED.sub(lambda m: " ".join(m.group(0).replace(".", "").upper()) + _keep_dot(m), s)
    return _INITIAL.sub(_initial, s)


# --- plain numbers ------------------------------------------------------------------------

_ORDINAL = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"(?<![\w'])'?(\d{1,3}0)'?s\b")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)")
_FRACTION = re.compile(r"(?<![\w/.])(\d+)/(\d+)(?![\w/])")
_MIXED_FRACTION = re.compile(r"(?<![\w/.,])(\d{1,3})\s+(\d+)/(\d+)(?![\w/])")
_FRACTIONS = {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters",
              (24, 7): "twenty-four seven"}
# 3x4, 3 x 4: a dimension ("three by four"), but a product before "=" (2 x 3 = 6); 0x1F is hex and stays.
_DIMENSION = re.compile(r"(?<=\d)(?<!\b0)(?:[xX]|\s[xX]\s)(?=\d+(?:\.\d+)?(?P<eq>\s?=)?)")
_MULTIPLIER = re.compile(rf"(?<![\w.])({_NUM})[xX](?![\w-])")  # 3x faster, 2x, 1.5x: "times"
_VERSION = re.compile(r"\b\d+(?:\.\d+){2,}\b")
_PHONE = re.compile(r"(?:\(\d{3}\)\s?|\b\d{3}-)\d{3}-\d{4}\b")
_RANGE = re.compile(r"\b(\d+)-(\d+)\b")
_NEGATIVE = re.compile(r"(?<![\w-])-(?=\.?\d)")
_LEADING_POINT = re.compile(r"(?<![\w.])\.(\d+)\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")
_PREV_WORD = re.compile(r"([A-Za-z]+)\W*$")
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")
_YEAR_BEFORE = {"in", "since", "by", "from", "until", "till", "of", "year", "circa", "c",
                "before", "after", "during", "around", "early", "late", "mid", "spring",
                "summer", "autumn", "fall", "winter", "to", "through", "and"} | {
                    m.lower() for m in MONTHS}
_ERAS = {"BC", "AD", "BCE", "CE"}
_COUNT_AFTER = {"people", "men", "women", "children", "feet", "staff", "personnel", "percent"}
_NOT_PLURAL = {"was", "is", "has", "does", "this", "its", "his", "as", "us", "yes", "plus"}


def _ordinal(m: Match[str]) -> str:
    return ordinal(int(m.group(1).replace(",", "")))


def _decade(m: Match[str]) -> str:
    n = int(m.group(1))
    return plural(year(n) if n >= 1000 else cardinal(n))


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" or word.startswith("hour") else "a"


def _fraction_words(num: int, den: int, whole: str | None = None) -> str:
    """3/4 -> 'three quarters', 2/5 -> 'two fifths', 7/12 -> 'seven over twelve'; 4 1/2 -> 'four and a half'."""
    if whole and num == 1 and 2 <= den <= 10:
        word = {2: "half", 4: "quarter"}.get(den) or ordinal(den)
        return f"{cardinal(int(whole))} and {_article(word)} {word}"
    if (num, den) in _FRACTIONS:
        words = _FRACTIONS[num, den]
    elif 3 <= den <= 10 and num < 10:
        words = f"{cardinal(num)} {ordinal(den)}" + ("s" if num != 1 else "")
    else:
        words = f"{cardinal(num)} over {cardinal(den)}"
    return f"{cardinal(int(whole))} and {words}" if whole else words


def _fraction(m: Match[str]) -> str:
    return _fraction_words(int(m.group(1)), int(m.group(2)))


def _mixed_fraction(m: Match[str]) -> str:
    num, den = int(m.group(2)), int(m.group(3))
    return _fraction_words(num, den, m.group(1)) if num < den else m.group(0)


def _looks_like_year(m: Match[str], n: int) -> bool:
    if not 1000 <= n <= 2099 or "," in m.group(1):
        return False
    prev = _PREV_WORD.search(m.string, max(0, m.start() - 30), m.start())
    if prev and prev.group(1).lower() in _YEAR_BEFORE:
        return True
    nxt = _NEXT_WORD.match(m.string, m.end())
    if not nxt:
        return True
    word = nxt.group(1)
    if word in _ERAS:
        return True
    lower = word.lower()
    plural_noun = word.islower() and lower.endswith("s") and len(lower) > 3 and lower not in _NOT_PLURAL
    return not (lower in _COUNT_AFTER or plural_noun)


def _number(m: Match[str]) -> str:
    if not m.group(2):
        n = int(m.group(1).replace(",", ""))
        if len(m.group(1)) == 4 and _looks_like_year(m, n):
            return year(n)
    return number(m.group(1) + (m.group(2) or ""))


def _expand_numbers(s: str) -> str:
    s = _DIMENSION.sub(lambda m: " times " if m.group("eq") else " by ", s)
    s = _MULTIPLIER.sub(r"\1 times", s)
    s = _PERCENT.sub(_percent, s)
    s = _UNIT.sub(_unit, s)
    s = _ORDINAL.sub(_ordinal, s)
    s = _DECADE.sub(_decade, s)
    s = _DIGIT_LETTER.sub(" ", s)
    s = _MIXED_FRACTION.sub(_mixed_fraction, s)
    s = _FRACTION.sub(_fraction, s)
    s = _VERSION.sub(lambda m: " point ".join(number(p) for p in m.group(0).split(".")), s)
    s = _PHONE.sub(lambda m: ", ".join(digits(g) for g in re.findall(r"\d+", m.group(0))), s)
    s = _RANGE.sub(r"\1 to \2", s)
    s = _NEGATIVE.sub("minus ", s)
    s = _LEADING_POINT.sub(lambda m: "point " + digits(m.group(1)), s)
    return _NUMBER.sub(_number, s)


# --- symbols ------------------------------------------------------------------------------

_SYMBOLS = [
    (re.compile(r"\b([A-G])#"), r"\1 sharp"),
    (re.compile(r"#(?=[A-Za-z])"), " hashtag "),
    (re.compile(r"~(?=\s?\d)"), " about "),
    (re.compile(r"\s*[(\[]\s*"), " , "),
    (re.compile(r"\s*[)\]]\s*"), " , "),
    (re.compile(r"\s+-{1,3}\s+|-{2,3}"), " , "),
    (re.compile(r"\band/or\b"), "and or"),
]
_SYMBOL_WORDS = {"&": " and ", "+": " plus ", "@": " at ", "=": " equals ", "#": " number ",
                 "%": " percent ", "/": " slash ", "<": " less than ", ">": " greater than ",
                 "°": " degrees ", "|": " , "}
_SYMBOL = re.compile("[" + re.escape("".join(_SYMBOL_WORDS)) + "]")


def _expand_symbols(s: str) -> str:
    for pattern, words in _SYMBOLS:
        s = pattern.sub(words, s)
    return _SYMBOL.sub(lambda m: _SYMBOL_WORDS[m.group(0)], s)


# --- acronyms -----------------------------------------------------------------------------

READ_AS_WORD = {
    "NASA", "NATO", "UNESCO", "UNICEF", "NAFTA", "OPEC", "FIFA", "UEFA", "AIDS", "SARS", "COVID",
    "LASER", "RADAR", "SCUBA", "SWAT", "OSHA", "FEMA", "DARPA", "ASCII", "CAPTCHA", "NASDAQ",
    "IKEA", "AWOL", "NIMBY", "YOLO", "PIN", "RAM", "ROM", "GIF", "JPEG", "WIFI", "POTUS",
}
EMPHASIS_WORDS = {  # short all-caps tokens that are more often shouted words than acronyms
    "NO", "NOT", "YES", "YOU", "ALL", "BIG", "NOW", "SO", "ONE", "TWO", "HOW", "WHY", "THE",
    "AND", "BUT", "ARE", "WAS", "HAS", "HAD", "DID", "CAN", "GET", "GOT", "OUT", "OFF", "TOO",
    "ANY", "NEW", "OLD", "BAD", "HOT", "WOW", "HEY", "OH", "MY", "GO", "DO", "BE", "WE", "HE",
    "SHE", "HER", "HIM", "HIS", "ME", "TO", "IN", "ON", "AT", "OF", "BY", "UP", "OR", "IF", "IS",
    "AN", "AS", "YET", "FOR", "NOR", "SAY", "SEE", "YAY", "OUR", "WHO", "BOY", "MAN", "FUN",
}
SPELL_ALWAYS = {"USAF", "UCLA", "IEEE", "ESPN", "NCAA", "UEFI", "USSR", "AARP"}
_AS_WORDS = READ_AS_WORD | EMPHASIS_WORDS
_ONSETS = set("bcdfghjklmnpqrstvwxz") | {
    "bl", "br", "ch", "cl", "cr", "dr", "dw", "fl", "fr", "gl", "gr", "kl", "kn", "kr", "ph",
    "pl", "pr", "sc", "sch", "scr", "sh", "shr", "sk", "sl", "sm", "sn", "sp", "spl", "spr",
    "st", "str", "sw", "th", "thr", "tr", "tw", "wh", "wr", "qu"}
_CODAS3 = {"nds", "nts", "nst", "rst", "rld", "rth", "nch", "tch", "rch", "ngs", "mps", "nks",
           "lts", "rts", "rds", "lds", "pts", "cts"}
_CAPS_WORD = re.compile(r"(?<![\w'])([A-Z]{2,})('s|s)?(?![\w'])")


def _pronounceable(word: str) -> bool:
    """Heuristic: can an all-caps token be read as a word (NATO) rather than spelled (HTML)?"""
    w = word.lower()
    runs = re.findall(r"[aeiouy]+|[^aeiouy]+", w)
    vowels = [r for r in runs if r[0] in "aeiouy"]
    if len(w) < 4 or not vowels or any(len(v) > 2 for v in vowels):
        return False
    consonants = [r for r in runs if r[0] not in "aeiouy"]
    if runs[0] in consonants and runs[0] not in _ONSETS:
        return False
    if runs[-1] in consonants and len(runs[-1]) > 2 and runs[-1] not in _CODAS3:
        return False
    return all(len(c) <= 3 for c in consonants) and sum(map(len, vowels)) * 4 >= len(w)


def _acronyms(s: str, keep: Collection[str]) -> str:
    letters = sum(c.isalpha() for c in s)
    shouting = (letters >= 6 and sum(c.isupper() for c in s) > 0.7 * letters
                and len(_CAPS_WORD.findall(s)) >= 2)

    def replace(m: Match[str]) -> str:
        word, suffix = m.group(1), m.group(2) or ""
        if word.lower() in keep:
            return m.group(0)
        if word in SPELL_ALWAYS:
            spell = True
        elif shouting:
            spell = not re.search("[AEIOUY]", word)
            word = word if spell else word.lower()
        else:
            spell = word not in _AS_WORDS and not _pronounceable(word)
        if not spell:
            return word + suffix
        return " ".join(word) + ("'s" if suffix else "")

    return _CAPS_WORD.sub(replace, s)


# --- final cleanup ------------------------------------------------------------------------

_SENTENCE_PRIORITY = "?!….;:,"
_NOT_SPOKEN = re.compile(r"[^A-Za-z'\- ,.!?;:…]")
_STRAY_APOSTROPHE = re.compile(r"(?<![A-Za-z])'|'(?![A-Za-z])")
_STRAY_HYPHEN = re.compile(r"(?<![A-Za-z])-|-(?![A-Za-z])")
_ELLIPSIS = re.compile(r"\.(?:\s*\.){2,}")
_PUNCT_RUN = re.compile(r"\s*([,.!?;:…][\s,.!?;:…]*)")
_SPACES = re.compile(r"\s+")


def _strongest(run: str) -> str:
    """Collapse a run of punctuation to one mark: '?!' -> '?', ', .' -> '.'."""
    return min((c for c in run if not c.isspace()), key=_SENTENCE_PRIORITY.index)


def _cleanup(s: str) -> str:
    s = _NOT_SPOKEN.sub(" ", s)
    s = _STRAY_APOSTROPHE.sub(" ", s)
    s = _STRAY_HYPHEN.sub(" ", s)
    s = _PUNCT_RUN.sub(lambda m: _strongest(m.group(1)) + " ", s)
    return _SPACES.sub(" ", s).strip()


def _normalize_segment(s: str, keep: Collection[str]) -> str:
    s = _fold_unicode(s)
    s = _EMAIL.sub(_speak_address, s)
    s = _URL.sub(_speak_address, s)
    s = _DOMAIN.sub(_speak_address, s)
    s = _expand_roman(s)
    s = _ELLIPSIS.sub(" … ", s)
    s = _MONEY_PREFIX.sub(_money, s)
    s = _MONEY_SUFFIX.sub(_money, s)
    s = _CENTS.sub(lambda m: f"{cardinal(int(m.group(1)))} {'cent' if m.group(1) == '1' else 'cents'}", s)
    s = _TIME_RANGE.sub(_time_range, s)
    s = _CLOCK.sub(_clock, s)
    s = _HOUR_AMPM.sub(_hour_ampm, s)
    s = _ISO_DATE.sub(_numeric_date, s)
    s = _US_DATE.sub(_numeric_date, s)
    s = _MONTH_DAY.sub(_month_day, s)
    s = _DAY_MONTH.sub(_day_month, s)
    s = _expand_abbreviations(s)
    s = _expand_numbers(s)
    s = _expand_symbols(s)
    s = _acronyms(s, keep)
    return _cleanup(s)


def normalize(text: str, keep_words: Collection[str] = ()) -> str:
    """Normalise English text to spoken words with sentence punctuation kept.

    Spelled-out letters come out as capitals separated by spaces ("F B I", "P M"). Inline
    phoneme groups ``{...}`` are kept verbatim; ``keep_words`` (lower case) are all-caps words
    that must not be spelled out, e.g. entries of a user lexicon.
    """
    keep = {w.lower() for w in keep_words}
    parts = _BRACES.split(text)
    out = [p if i % 2 else _normalize_segment(p.replace("{", " ").replace("}", " "), keep)
           for i, p in enumerate(parts)]
    joined = _SPACES.sub(" ", " ".join(p for p in out if p)).strip()
    return re.sub(r" (?=[,.!?;:…])", "", joined)
