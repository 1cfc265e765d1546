"""Homographs: words spelled alike whose pronunciation depends on how they are used.

The dictionary keeps one pronunciation per word (record: R AH0 K AO1 R D). For the words of ``READINGS``
the frontend picks a reading from the neighbouring words of the sentence instead, with the rules of that word
in ``RULES``. The first step that decides wins:

1. collocations: the word just before it (``before``: sea *bass*, just *deserts*), then the word just after it
   (``after``: lead *poisoning*, close *to*, used *to*);
2. the previous word, skipping adverbs such as not, never, also, already (``_SKIPPED``), by its class:
   to, a modal, do or please, or an object pronoun (let *me*) -> ``verb``; a subject pronoun -> ``subject``;
   have -> ``have`` (I have *read*); be, a linking verb or a degree word (is, seems, so, very) -> ``be``
   (is *close*, was *read*); a determiner, possessive, preposition, number or common adjective -> ``noun``;
3. cue words anywhere within ``WINDOW`` words in the same sentence, nearest first, those before the word
   first (``near``: yesterday -> past *read*, arrow -> archery *bow*);
4. the next word: an object (the, a, it, them ...) -> ``verb``; "of" -> ``noun``;
5. the word's ``default``: its more common reading.

A label that is None lets the next step decide. Every step looks at a fixed number of words, so reading a
text stays linear in its length. A user lexicon entry for the word, or {phonemes} in the text, overrides this.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# reading label -> ARPAbet phones, as in the CMU Pronouncing Dictionary
READINGS: dict[str, dict[str, str]] = {
    "read": {"present": "R IY1 D", "past": "R EH1 D"},
    "lead": {"guide": "L IY1 D", "metal": "L EH1 D"},
    "live": {"verb": "L IH1 V", "adjective": "L AY1 V"},
    "lives": {"verb": "L IH1 V Z", "noun": "L AY1 V Z"},
    "record": {"noun": "R EH1 K ER0 D", "verb": "R IH0 K AO1 R D"},
    "records": {"noun": "R EH1 K ER0 D Z", "verb": "R IH0 K AO1 R D Z"},
    "object": {"noun": "AA1 B JH EH0 K T", "verb": "AH0 B JH EH1 K T"},
    "objects": {"noun": "AA1 B JH EH0 K T S", "verb": "AH0 B JH EH1 K T S"},
    "present": {"noun": "P R EH1 Z AH0 N T", "verb": "P R IY0 Z EH1 N T"},  # noun and adjective
    "presents": {"noun": "P R EH1 Z AH0 N T S", "verb": "P R IY0 Z EH1 N T S"},
    "wind": {"noun": "W IH1 N D", "verb": "W AY1 N D"},
    "winds": {"noun": "W IH1 N D Z", "verb": "W AY1 N D Z"},
    "tear": {"rip": "T EH1 R", "teardrop": "T IH1 R"},
    "tears": {"rip": "T EH1 R Z", "teardrop": "T IH1 R Z"},
    "close": {"adjective": "K L OW1 S", "verb": "K L OW1 Z"},  # the noun (the close of day) sounds as the verb
    "use": {"noun": "Y UW1 S", "verb": "Y UW1 Z"},
    "uses": {"noun": "Y UW1 S IH0 Z", "verb": "Y UW1 Z IH0 Z"},
    "used": {"verb": "Y UW1 Z D", "used to": "Y UW1 S T"},  # used to: habit (I used to swim) or accustomed
    "content": {"noun": "K AA1 N T EH0 N T", "adjective": "K AH0 N T EH1 N T"},
    "minute": {"noun": "M IH1 N AH0 T", "adjective": "M AY0 N UW1 T"},
    "permit": {"noun": "P ER1 M IH2 T", "verb": "P ER0 M IH1 T"},
    "permits": {"noun": "P ER1 M IH2 T S", "verb": "P ER0 M IH1 T S"},
    "refuse": {"verb": "R IH0 F Y UW1 Z", "noun": "R EH1 F Y UW2 Z"},
    "produce": {"verb": "P R AH0 D UW1 S", "noun": "P R OW1 D UW0 S"},
    "desert": {"noun": "D EH1 Z ER0 T", "verb": "D IH0 Z ER1 T"},
    "deserts": {"noun": "D EH1 Z ER0 T S", "verb": "D IH0 Z ER1 T S"},  # verb also: just deserts
    "bass": {"music": "B EY1 S", "fish": "B AE1 S"},
    "bow": {"bend": "B AW1", "archery": "B OW1"},  # archery: also a violin bow and a ribbon tied in a bow
    "bows": {"bend": "B AW1 Z", "archery": "B OW1 Z"},
    "does": {"verb": "D AH1 Z", "deer": "D OW1 Z"},
    "wound": {"injury": "W UW1 N D", "wind": "W AW1 N D"},  # wind: past of to wind
}

WINDOW = 8  # words either side that step 3 looks at

_SKIPPED = _words("not never also always often usually sometimes rarely seldom just still really only first then "
                  "already actually even finally ever soon again simply")
_BASE = _words("to will would can could shall should may might must do does did don't doesn't didn't won't "
               "wouldn't can't cannot couldn't shouldn't mustn't let's please i'll you'll we'll they'll he'll "
               "she'll it'll i'd you'd we'd they'd he'd she'd me him us them")
_SUBJECT = _words("i you we they he she it who people nobody everyone everybody someone somebody anyone anybody")
_HAVE = _words("have has had having i've you've we've they've haven't hasn't hadn't")
_BE = _words("am is are was were be been being i'm you're we're they're he's she's it's that's there's isn't "
             "aren't wasn't weren't seem seems seemed feel feels felt look looks looked remain remains remained "
             "become becomes became stay stays stayed keep keeps kept so too very quite fairly pretty rather how "
             "extremely")
_NOUN = _words("a an the this these those my your his her its our their no every each another any some many few "
               "several more most such what whose one two three four five six seven eight nine ten twelve twenty "
               "hundred thousand of in on at for from with without by about into onto under over after before "
               "through against during between toward towards within upon across behind beyond new old good great "
               "big small little large whole same own other second last next fresh local personal special strange "
               "long short cold strong deep full open real public private final perfect single")
_OBJECT = _words("the a an this that these those my your his her its our their it them me him us everything "
                 "something anything nothing some all both each every yourself myself himself herself ourselves "
                 "themselves itself")
_BARE_INFINITIVE = _words("let lets help helps helped make makes made watch watched see saw hear heard")  # let her go
_SENTENCE_END = frozenset(".!?…")


@dataclass(frozen=True)
class Rules:
    """How one homograph picks its reading (labels of READINGS; None: the next step decides)."""

    default: str
    verb: str | None = "verb"
    subject: str | None = "verb"
    noun: str | None = "noun"
    be: str | None = None
    have: str | None = None
    before: Mapping[str, str] = field(default_factory=dict)
    after: Mapping[str, str] = field(default_factory=dict)
    near: Mapping[str, str] = field(default_factory=dict)


def _cues(**labels: str) -> dict[str, str]:
    """``_cues(metal="pipe paint")`` -> {"pipe": "metal", "paint": "metal"}."""
    return {word: label for label, words in labels.items() for word in words.split()}


_READ = Rules(
    "present", verb="present", subject=None, noun="present", be="past", have="past",
    before=_cues(past="he she it well nobody everyone someone"),  # she read (not reads): past
    near=_cues(present="will would can could shall should may might must do does did don't doesn't didn't won't "
                       "can't cannot couldn't every always usually often daily tomorrow tonight",
               past="have has had i've you've we've they've haven't hasn't hadn't yesterday ago last earlier "
                    "previously recently once was were already"))
_LIVE_CUES = dict(
    before=_cues(adjective="go goes going went gone broadcast broadcasts performed perform performs performing "
                           "played play plays playing streamed stream streaming aired sang sing singing watched "
                           "show shows showed shown televised filmed"),
    after=_cues(adjective="music show shows broadcast stream concert concerts event events audience performance "
                          "performances coverage feed album recording recordings tv television radio wire wires bait "
                          "animals band bands version chat footage ammunition",
                verb="here there together alone abroad forever happily longer in with without"),
    near=_cues(adjective="concert television tv radio broadcast stream streamed audience stage air online"))
_TEAR_CUES = dict(
    after=_cues(rip="up down apart off open out away into", teardrop="gas drop drops duct ducts stained jerker"),
    near=_cues(teardrop="cheek cheeks eye eyes cry cried crying wept weep sad joy shed shedding",
               rip="paper fabric jacket shirt sleeve trousers jeans sheet page ligament muscle wear"))
_WIND_CUES = dict(after=_cues(verb="up down"))
_PERMIT_CUES = dict(before=_cues(verb="weather time space circumstances budget law"))
_BOW_CUES = dict(
    before=_cues(archery="violin cello viola fiddle long cross compound recurve ribbon silk satin velvet tied",
                 bend="take took takes taking ship's deep low slight polite"),
    after=_cues(archery="tie ties tied string strings legged hunting hunter hunters", bend="down low deeply before"),
    near=_cues(archery="arrow arrows archer archery violin cello ribbon tied tie hair string shoot shot quiver"))

RULES: dict[str, Rules] = {
    "read": _READ,
    "lead": Rules(
        "guide", verb="guide", subject="guide", noun=None,  # the noun sounds as the verb: take the lead
        before=_cues(metal="of red white molten toxic"),
        after=_cues(metal="poisoning pipe pipes paint pencil pencils shot weight weights crystal acid levels "
                          "exposure oxide mine mines free based lined ore solder roof balloon",
                    guide="singer guitar guitarist role actor actress vocalist vocals author investigator story"),
        near=_cues(metal="pipes pipe paint poisoning metal copper tin zinc iron mercury arsenic contamination")),
    "live": Rules("verb", noun="adjective", be="adjective", **_LIVE_CUES),
    "lives": Rules("verb", before=_cues(noun="save saved saves saving lost lose risk risked risking claimed changed "
                                             "ruined cost costs")),
    "record": Rules("noun"),
    "records": Rules("noun"),
    "object": Rules("noun", after=_cues(verb="to")),
    "objects": Rules("noun", after=_cues(verb="to")),
    "present": Rules("noun", be="noun"),
    "presents": Rules("noun"),
    "wind": Rules("noun", **_WIND_CUES),
    "winds": Rules("noun", **_WIND_CUES),
    "tear": Rules("teardrop", verb="rip", subject="rip", noun=None, **_TEAR_CUES),
    "tears": Rules("teardrop", verb="rip", subject="rip", noun=None, **_TEAR_CUES),
    "close": Rules("adjective", noun="adjective", be="adjective",
                   after=_cues(adjective="to by enough together friend friends relative relatives call attention "
                                         "contact look range quarters", verb="of")),
    "use": Rules("verb", before=_cues(noun="make makes made making")),
    "uses": Rules("verb"),
    "used": Rules("verb", subject=None, noun=None,
                  before=_cues(verb="is are was were be been being it's that's isn't aren't wasn't weren't"),
                  after={"to": "used to"}),
    "content": Rules("noun", verb=None, subject=None, be="adjective", after=_cues(adjective="with to")),
    "minute": Rules("noun", verb=None, subject=None, be="adjective",
                    after=_cues(adjective="detail details amount amounts quantity quantities trace traces particle "
                                          "particles difference differences changes fraction fractions organisms "
                                          "creatures variations")),
    "permit": Rules("noun", **_PERMIT_CUES),
    "permits": Rules("noun", **_PERMIT_CUES),
    "refuse": Rules("verb", after=_cues(noun="collection collector collectors bin bins truck trucks lorry disposal "
                                             "sack sacks dump tip heap workers site")),
    "produce": Rules("verb", before=_cues(noun="fresh local organic seasonal farm agricultural garden"),
                     after=_cues(noun="section aisle aisles stand stall market markets department prices manager")),
    "desert": Rules("noun", after=_cues(noun="island islands sand sands storm heat climate plants town road "
                                             "landscape")),
    "deserts": Rules("noun", before=_cues(verb="just")),
    "bass": Rules(
        "music", verb=None, subject=None, noun=None,
        before=_cues(fish="sea striped largemouth smallmouth caught catch grilled fried baked roasted steamed"),
        after=_cues(fish="fishing fisherman fishermen boat boats fillet fillets",
                    music="guitar guitars guitarist player players line lines drum drums clef note notes voice "
                          "singer section amp amplifier speaker speakers"),
        near=_cues(fish="fish fishing caught catch lake river pond hook bait rod trout salmon cod grilled fillet",
                   music="play plays played playing band music guitar sound speakers volume treble drum jazz song "
                         "songs loud tune")),
    "bow": Rules("bend", verb="bend", subject="bend", noun=None, **_BOW_CUES),
    "bows": Rules("bend", verb="bend", subject="bend", noun=None, **_BOW_CUES),
    "does": Rules("verb", verb=None, subject=None, noun=None,
                  before=_cues(deer="the these those two three four five several many"),
                  near=_cues(deer="deer fawn fawns buck bucks stag stags herd antlers")),
    "wound": Rules(
        "injury", verb="injury", subject="wind", noun="injury", be="wind", have="wind",
        before=_cues(wind="tightly road path river"),
        after=_cues(wind="up down around round through along tightly back"),
        near=_cues(wind="clock rope string thread yarn spring road path river")),
}


def _is_word(text: str) -> bool:
    return text[:1].isalpha()


def _previous(words: Sequence[str], i: int) -> tuple[str, str]:
    """The word before ``words[i]`` skipping adverbs ("" at a clause start) and the word before that one."""
    j = i - 1
    while j >= 0 and j > i - WINDOW and words[j] in _SKIPPED:
        j -= 1
    if j < 0 or not _is_word(words[j]):
        return "", ""
    return words[j], words[j - 1] if j > 0 else ""


def _word_class_label(rules: Rules, previous: str, before_previous: str) -> str | None:
    """Step 2: the label the class of the previous word gives."""
    if previous in _BASE or (previous == "her" and before_previous in _BARE_INFINITIVE):
        return rules.verb
    if previous in _SUBJECT:
        return rules.subject
    if previous in _HAVE:
        return rules.have
    if previous in _BE:
        return rules.be
    if previous in _NOUN:
        return rules.noun
    return None


def _near_label(rules: Rules, words: Sequence[str], i: int) -> str | None:
    """Step 3: the first cue word within WINDOW words of the same sentence, before the word, then after it."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(words) and abs(j - i) <= WINDOW and words[j] not in _SENTENCE_END:
            if label := rules.near.get(words[j]):
                return label
            j += step
    return None


def reading(words: Sequence[str], i: int) -> str | None:
    """The reading label of ``words[i]`` (lower-case tokens of one sentence, punctuation included), or None if it
    is not a homograph."""
    rules = RULES.get(words[i])
    if rules is None:
        return None
    before = words[i - 1] if i > 0 else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    previous, before_previous = _previous(words, i)
    return (rules.before.get(before) or rules.after.get(after)
            or _word_class_label(rules, previous, before_previous)
            or (_near_label(rules, words, i) if rules.near else None)
            or (rules.verb if after in _OBJECT else rules.noun if after == "of" else None)
            or rules.default)


def pronounce(words: Sequence[str], i: int) -> tuple[str, list[str]] | None:
    """(reading label, phones) of the homograph ``words[i]`` in its sentence, or None if it is not one."""
    label = reading(words, i)
    return None if label is None else (label, READINGS[words[i]][label].split())
