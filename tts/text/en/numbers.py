"""Spell numbers as English words: cardinals, ordinals, years, decimals, digit strings."""

ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [
    "", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion",
    "sextillion", "septillion", "octillion", "nonillion", "decillion",
]
_IRREGULAR_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}


def _below_hundred(n: int) -> str:
    if n < 20:
        return ONES[n]
    tens, ones = divmod(n, 10)
    return TENS[tens] + (f"-{ONES[ones]}" if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def digits(s: str) -> str:
    """Read a digit string one digit at a time: '007' -> 'zero zero seven'."""
    return " ".join(ONES[int(c)] for c in s if c.isdigit())


def cardinal(n: int) -> str:
    """1234 -> 'one thousand two hundred thirty-four' (American style, no 'and')."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n == 0:
        return "zero"
    if n >= 1000 ** len(SCALES):
        return digits(str(n))
    groups = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            groups.append(_below_thousand(group) + (f" {SCALES[scale]}" if scale else ""))
        scale += 1
    return " ".join(reversed(groups))


def ordinal(n: int) -> str:
    """21 -> 'twenty-first', 102 -> 'one hundred second'."""
    words = cardinal(n)
    cut = max(words.rfind(" "), words.rfind("-")) + 1
    head, last = words[:cut], words[cut:]
    if last in _IRREGULAR_ORDINALS:
        return head + _IRREGULAR_ORDINALS[last]
    if last.endswith("y"):
        return head + last[:-1] + "ieth"
    return head + last + "th"


def year(n: int) -> str:
    """1999 -> 'nineteen ninety-nine', 2005 -> 'two thousand five', 1900 -> 'nineteen hundred'."""
    if not 1000 <= n <= 9999:
        return cardinal(n)
    high, low = divmod(n, 100)
    if high % 10 == 0 and low < 10:
        return cardinal(n)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {ONES[low]}"
    return f"{cardinal(high)} {cardinal(low)}"


def decimal(s: str) -> str:
    """'3.14' -> 'three point one four'; '1,234.5' -> '... point five'; '.5' -> 'point five'."""
    whole, _, frac = s.replace(",", "").partition(".")
    words = cardinal(int(whole)) if whole else ""
    if frac:
        words = f"{words} point {digits(frac)}".strip()
    return words


def number(s: str) -> str:
    """Read a plain numeral string: decimals, thousands separators, leading zeros as digits."""
    plain = s.replace(",", "")
    if "." in plain:
        return decimal(plain)
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain)
    return cardinal(int(plain))


def plural(words: str) -> str:
    """Pluralise the last word of a number phrase: 'nineteen ninety' -> 'nineteen nineties'."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"
