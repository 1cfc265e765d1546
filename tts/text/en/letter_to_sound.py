"""Rule-based English letter-to-sound conversion for words missing from the lexicon.

A context-sensitive rewrite-rule set in the style of the NRL rules (Elovitz, Johnson, McHugh and
Shore, "Letter-to-sound rules for automatic translation of English text to phonetics", IEEE
Trans. ASSP, 1976), written for ARPAbet output, followed by a syllable-weight stress heuristic.

Rule syntax, one per line: ``left[match]right=PHONES``. ``_`` is a word edge, upper-case letters
match themselves, and the context classes are::

    #  one or more vowels            :  zero or more consonants   ^  one consonant
    .  one voiced consonant          +  a front vowel (E I Y)     %  a suffix (ER E ES ED ING ELY)
    &  a sibilant (S C G Z X J CH SH)                              @  T S R D L Z N J TH CH SH

Rules for a letter are tried in order and the first match wins. ``AX`` in the output is a
reduced vowel (schwa), always unstressed.
"""

from functools import cache

_RULES = """
[A]_=AX
_[ARE]_=AA R
_[AR]O=AX R
[AR]#=EH R
^[AS]#=EY S
[A]WA=AX
[AW]=AO
_:[ANY]=EH N IY
[A]^+#=EY
#:[ALLY]=AX L IY
_[AL]#=AX L
[AGAIN]=AX G EH N
#:[AG]E=IH JH
[A]^+:#=AE
_:[A]^+_=EY
[A]^%=EY
_[ARR]=AX R
[ARR]=AE R
_:[AR]_=AA R
[AR]_=ER
[AR]=AA R
[AIR]=EH R
[AI]=EY
[AY]=EY
[AU]=AO
[AH]_=AX
#:[AL]_=AX L
#:[ALS]_=AX L Z
[ALK]=AO K
[AL]^=AO L
_:[ABLE]=EY B AX L
[ABLE]=AX B AX L
[ANG]+=EY N JH
[A]=AE

_[BE]^#=B IH
[BEING]=B IY IH NG
_[BOTH]_=B OW TH
_[BUS]#=B IH Z
[BUIL]=B IH L
M[B]_=
[BB]=B
[B]=B

_[CH]^=K
^E[CH]=K
[CH]=CH
_S[CI]#=S AY
[CI]A=SH
[CI]O=SH
[CI]EN=SH
[CC]+=K S
[C]+=S
[CK]=K
[COM]%=K AH M
[CC]=K
[C]=K

#:[DED]_=D IH D
.E[D]_=D
#:^E[D]_=T
_[DE]^#=D IH
_[DO]_=D UW
_[DOES]=D AH Z
_[DOING]=D UW IH NG
_[DOW]=D AW
[DU]A=JH UW
[DGE]=JH
[DD]=D
[D]=D

#:[E]_=
_:[E]_=IY
#[ED]_=D
#:[E]D_=
[EV]ER=EH V
[E]^%=IY
[ERI]#=IY R IY
[ERI]=EH R IH
#:[ER]#=ER
[ER]#=EH R
[ER]=ER
_[EVEN]=IY V EH N
#:[E]W=
@[EW]=UW
[EW]=Y UW
[E]O=IY
#:&[ES]_=IH Z
#:[E]S_=
#:[ELY]_=L IY
#:[EMENT]=M AX N T
[EFUL]=F UH L
[EE]=IY
[EARN]=ER N
_[EAR]^=ER
[EAD]=EH D
#:[EA]_=IY AX
[EA]SU=EH
[EA]=IY
[EIGH]=EY
[EI]=IY
_[EYE]=AY
[EY]=IY
[EU]=Y UW
[E]=EH

[FUL]=F UH L
[FF]=F
[F]=F

[GIV]=G IH V
_[G]I^=G
[GE]T=G EH
SU[GGES]=G JH EH S
[GG]=G
_B#[G]=G
[G]+=JH
[GREAT]=G R EY T
#[GH]=
_[GH]=G
_[GN]=N
[GN]_=N
[G]=G

_[HAV]=HH AE V
_[HERE]=HH IY R
_[HOUR]=AW ER
[HOW]=HH AW
[H]#=HH
[H]=

_[IN]=IH N
_[I]_=AY
[I]_=IY
[IN]D=AY N
[IER]=IY ER
#:R[IED]=IY D
[IED]_=AY D
[IEN]=IY EH N
[IE]T=AY EH
_:[I]%=AY
[I]%=IY
[IE]=IY
[IA]_=IY AX
[I]^+:#=IH
[IR]#=AY R
[IZ]%=AY Z
[IS]%=AY Z
[I]D%=AY
+^[I]^+=IH
[I]T%=AY
#:^[I]^+=IH
[I]^+=AY
[IR]=ER
[IGH]=AY
[ILD]=AY L D
[IGN]_=AY N
[IGN]^=AY N
[IGN]%=AY N
[IQUE]=IY K
[I]=IH

[J]=JH

_[K]N=
[KK]=K
[K]=K

[LO]C#=L OW
L[L]=
#:^[L]%=AX L
[LEAD]=L IY D
[L]=L

[MOV]=M UW V
M[M]=
[M]=M

E[NG]+=N JH
[NG]R=NG G
[NG]#=NG G
[NGL]%=NG G AX L
[NG]=NG
[NK]=NG K
_[NOW]_=N AW
N[N]=
[N]=N

[OF]_=AX V
[OROUGH]=ER OW
#:[OR]_=ER
#:[ORS]_=ER Z
[OR]=AO R
_[ONE]=W AH N
[OW]=OW
_[OVER]=OW V ER
[OV]=AH V
[O]^%=OW
[O]^EN=OW
[O]^I#=OW
[OL]D=OW L
[OUGHT]=AO T
[OUGH]=AH F
_[OU]=AW
H[OU]S#=AW
[OUS]=AX S
[OUR]=AO R
[OULD]=UH D
^[OU]^L=AH
[OUP]=UW P
[OU]=AW
[OY]=OY
[OING]=OW IH NG
[OI]=OY
[OOR]=AO R
[OOK]=UH K
[OOD]=UH D
[OO]=UW
[O]E=OW
[O]_=OW
[OA]=OW
_[ONLY]=OW N L IY
_[ONCE]=W AH N S
C[O]N=AA
[O]NG=AO
_:^[O]N=AH
I[ON]=AX N
#:[ON]_=AX N
#^[ON]=AX N
[O]ST_=OW
[OF]^=AO F
[OTHER]=AH DH ER
[OSS]_=AO S
#:^[OM]=AH M
[O]=AA

_[PS]=S
_[PN]=N
[PH]=F
[PEOP]=P IY P
[POW]=P AW
[PUT]_=P UH T
[PP]=P
[P]=P

[QUAR]=K W AO R
[QUE]_=K
[QU]=K W
[Q]=K

_[RE]^#=R IY
[RH]=R
R[R]=
[R]=R

[SH]=SH
#[SION]=ZH AX N
[SOME]=S AH M
#[SUR]#=ZH ER
[SUR]#=SH ER
#[SU]#=ZH UW
#[SSU]#=SH UW
#[SED]_=Z D
#[S]#=Z
[SAID]=S EH D
^[SION]=SH AX N
[S]S=
.[S]_=Z
#:.E[S]_=Z
#:^##[S]_=Z
#:^#[S]_=S
U[S]_=S
_:#[S]_=Z
_[SCH]=S K
[S]C+=
#[SM]=Z AX M
[S]=S

_[THE]_=DH AX
[TO]_=T UW
[THAT]_=DH AE T
_[THIS]_=DH IH S
_[THEY]=DH EY
_[THERE]=DH EH R
[THER]=DH ER
[THEIR]=DH EH R
_[THAN]_=DH AE N
_[THEM]_=DH EH M
[THESE]_=DH IY Z
_[THEN]=DH EH N
[THROUGH]=TH R UW
[THOSE]=DH OW Z
[THOUGH]_=DH OW
_[THUS]=DH AH S
[TH]=TH
#:[TED]_=T IH D
S[TI]#N=CH
[TI]O=SH
[TI]A=SH
[TIEN]=SH AX N
[TUR]#=CH ER
[TU]A=CH UW
_[TWO]=T UW
[TCH]=CH
T[T]=
[T]=T

_[UN]I=Y UW N
_[UN]=AH N
_[UPON]=AX P AO N
@[UR]#=UH R
[UR]#=Y UH R
[UR]=ER
[U]^_=AH
[U]^^=AH
[UY]=AY
_G[U]#=
G[U]%=
G[U]#=W
#N[U]=Y UW
@[U]=UW
[U]=Y UW

[VIEW]=V Y UW
[V]=V

_[WERE]=W ER
[WA]S=W AA
[WA]T=W AA
[WHERE]=W EH R
[WHAT]=W AH T
[WHOL]=HH OW L
[WHO]=HH UW
[WH]=W
[WAR]=W AO R
[WOR]^=W ER
[WR]=R
[W]=W

_[X]=Z
[X]=K S

[YOUNG]=Y AH NG
_[YOU]=Y UW
_[YES]=Y EH S
_[Y]=Y
#:^[Y]_=IY
#:^[Y]I=IY
_:[Y]_=AY
_:[Y]#=AY
_:[Y]^+:#=IH
_:[Y]^#=AY
[Y]=IH

[ZZ]=Z
[Z]=Z

[']=
"""

VOWELS = set("AEIOU")
_VOICED = set("BDVGJLMNRWZ")
_FRONT = set("EIY")
_SUFFIXES = ("ELY", "ING", "ER", "ES", "ED", "E")
_SIBILANTS = ("CH", "SH", "S", "C", "G", "Z", "X", "J")
_LONG_U_CONTEXT = ("TH", "CH", "SH", "T", "S", "R", "D", "L", "Z", "N", "J")
_REDUCIBLE = {"AE", "AA", "AO", "AH", "EH"}  # short vowels that reduce to schwa after the stress
# Suffixes that fix the stress: primary on the n-th full vowel from the end (-tion: nation).
_STRESS_SUFFIXES = [("TION", 1), ("SION", 1), ("CIAN", 1), ("TIAL", 1), ("CIAL", 1),
                    ("IOUS", 1), ("ICAL", 2), ("ICS", 2), ("IC", 2), ("ITY", 3)]
_LONG_VOWELS = {"IY", "EY", "AY", "OW", "UW", "AW", "OY"}
_ARPA_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY",
                "UH", "UW", "AX"}

Rule = tuple[str, str, str, list[str]]


@cache
def _rules() -> dict[str, list[Rule]]:
    table: dict[str, list[Rule]] = {}
    for line in _RULES.strip().splitlines():
        if not line:
            continue
        pattern, _, phones = line.partition("=")
        left, rest = pattern.split("[")
        match, right = rest.split("]")
        rule = (left.replace("_", " "), match, right.replace("_", " "), phones.split())
        table.setdefault(match[0], []).append(rule)
    return table


def _is_consonant(ch: str) -> bool:
    return ch.isalpha() and ch not in VOWELS


def _match_left(pattern: str, text: str, pos: int) -> bool:
    """Match a left context, read right to left, ending just before text[pos]."""
    i = pos - 1
    for sym in reversed(pattern):
        if sym == "#":
            if i < 0 or text[i] not in VOWELS:
                return False
            while i >= 0 and text[i] in VOWELS:
                i -= 1
        elif sym == ":":
            while i >= 0 and _is_consonant(text[i]):
                i -= 1
        elif sym == "^":
            if i < 0 or not _is_consonant(text[i]):
                return False
            i -= 1
        elif sym == ".":
            if i < 0 or text[i] not in _VOICED:
                return False
            i -= 1
        elif sym == "+":
            if i < 0 or text[i] not in _FRONT:
                return False
            i -= 1
        elif sym in "&@":
            options = _SIBILANTS if sym == "&" else _LONG_U_CONTEXT
            found = next((o for o in options if text[max(0, i - len(o) + 1): i + 1] == o), None)
            if i < 0 or found is None:
                return False
            i -= len(found)
        else:
            if i < 0 or text[i] != sym:
                return False
            i -= 1
    return True


def _match_right(pattern: str, text: str, pos: int) -> bool:
    """Match a right context, read left to right, starting at text[pos]."""
    i, n = pos, len(text)
    for sym in pattern:
        if sym == "#":
            if i >= n or text[i] not in VOWELS:
                return False
            while i < n and text[i] in VOWELS:
                i += 1
        elif sym == ":":
            while i < n and _is_consonant(text[i]):
                i += 1
        elif sym == "^":
            if i >= n or not _is_consonant(text[i]):
                return False
            i += 1
        elif sym == ".":
            if i >= n or text[i] not in _VOICED:
                return False
            i += 1
        elif sym == "+":
            if i >= n or text[i] not in _FRONT:
                return False
            i += 1
        elif sym == "%":
            found = next((s for s in _SUFFIXES if text.startswith(s, i)), None)
            if found is None:
                return False
            i += len(found)
        elif sym in "&@":
            options = _SIBILANTS if sym == "&" else _LONG_U_CONTEXT
            found = next((o for o in options if text.startswith(o, i)), None)
            if found is None:
                return False
            i += len(found)
        else:
            if i >= n or text[i] != sym:
                return False
            i += 1
    return True


def _raw_phones(word: str) -> list[str]:
    text = f" {word.upper()} "
    rules = _rules()
    out: list[str] = []
    i = 1
    while i < len(text) - 1:
        for left, match, right, phones in rules.get(text[i], ()):
            if (text.startswith(match, i) and _match_left(left, text, i)
                    and _match_right(right, text, i + len(match))):
                out.extend(phones)
                i += len(match)
                break
        else:  # no rule for this character: skip it
            i += 1
    return out


def _is_heavy(phones: list[str], vowel_index: int, next_vowel_index: int | None) -> bool:
    if phones[vowel_index] in _LONG_VOWELS:
        return True
    end = next_vowel_index if next_vowel_index is not None else len(phones)
    return end - vowel_index - 1 >= 2


def _assign_stress(word: str, phones: list[str]) -> list[str]:
    """Add CMUdict stress digits: one primary stress, from the suffix or by syllable weight."""
    vowels = [i for i, p in enumerate(phones) if p in _ARPA_VOWELS]
    if not vowels:
        return phones
    full = [i for i in vowels if phones[i] != "AX"] or vowels
    from_end = next((n for suffix, n in _STRESS_SUFFIXES if word.endswith(suffix)), 0)
    if 0 < from_end <= len(full):
        primary = full[-from_end]
    elif len(full) <= 2:
        primary = full[0]
    else:
        penult, antepenult = full[-2], full[-3]
        primary = penult if _is_heavy(phones, penult, full[-1]) else antepenult
    out = []
    for i, p in enumerate(phones):
        if i == primary:
            out.append("AH1" if p == "AX" else p + "1")
        elif p == "AX" or (p in _REDUCIBLE and i > primary):
            out.append("AH0")
        elif p in _ARPA_VOWELS:
            out.append(p + "0")
        else:
            out.append(p)
    return out


def letter_to_sound(word: str) -> list[str]:
    """ARPAbet phones (with stress digits) for a word of ASCII letters, by rule. May be empty."""
    return _assign_stress(word.upper(), _raw_phones(word))
