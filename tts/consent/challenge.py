"""Consent challenges: a sentence for the speaker to read aloud, naming the voice, with a fresh random code.

`tts enroll NAME --challenge` issues one; `tts enroll NAME CLIP... --consent-recording REC` checks REC against it
and then forgets it. A challenge is kept for CHALLENGE_MINUTES in a private file (0600, written atomically) in
the voices folder, one per voice name. Its code (a number and five common words, about 7e9 combinations) is more
than tts.consent.verify's word-error bar of the sentence, so a recording made before the challenge existed, or one
that leaves the code out, cannot pass.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tts.eval.textnorm import normalize_for_wer
from tts.voices import VoiceError, _read_json, check_name, write_atomic

CHALLENGE_MINUTES = 30
CHALLENGE_FILE = ".consent-challenges"  # not *.json: the voice library never mistakes it for a voice
MIN_CODE_WORDS = 5
# common, concrete words that speech recognition hears reliably, with one spelling in British and American English
WORDS = """apple arrow basket beach bicycle blanket bottle bridge bucket butter button camera candle carpet castle
chair cherry circle cloud coffee copper corner cotton desert diamond dinner doctor dolphin dragon engine feather
finger forest garden ginger guitar hammer helmet island jacket kitchen ladder lemon letter lion marble meadow mirror
monkey morning mountain needle ocean orange paper parrot pencil pepper piano pillow planet pocket pony rabbit river
rocket saddle salmon silver sister spider spring sugar summer table tiger tomato tower train turtle valley velvet
violet wagon walnut window winter yellow zebra""".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
UNITS = "one two three four five six seven eight nine".split()


@dataclass
class Challenge:
    name: str  # the voice it is for
    text: str  # the sentence to read aloud
    code: str  # its random part
    expires_at: str  # ISO 8601 UTC

    @property
    def expired(self) -> bool:
        return datetime.now(timezone.utc) >= datetime.fromisoformat(self.expires_at)


def spoken_name(name: str) -> str:
    """A voice name as words: 'jane_smith.v2' -> 'jane smith v2'."""
    return re.sub(r"[-_.]+", " ", name).strip()


def word_count(text: str) -> int:
    return len(normalize_for_wer(text).split())


def challenge_text(name: str, code: str) -> str:
    return f"I, the speaker of the voice {spoken_name(name)}, agree to have my voice cloned. My code is {code}."


def new_code(name: str, max_wer: float) -> str:
    """A random code (a number from 21 to 99 spelled out, then common words) that is more than `max_wer` of the
    challenge's words: reading any other code, or none, makes more errors than the bar allows."""
    number = f"{secrets.choice(TENS)}-{secrets.choice(UNITS)}"
    words = [secrets.choice(WORDS) for _ in range(MIN_CODE_WORDS)]
    while True:
        code = ", ".join([number, *words])
        if word_count(code) > max_wer * word_count(challenge_text(name, code)):
            return code
        words.append(secrets.choice(WORDS))


class ChallengeStore:
    """The pending challenges of one voices folder, by voice name (compared case-insensitively)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CHALLENGE_FILE

    def _load(self) -> dict[str, dict]:
        """Unexpired challenges; an unreadable or damaged file counts as none (a new challenge replaces it)."""
        if not self.path.exists():
            return {}
        try:
            data = _read_json(self.path, "challenge file")
        except VoiceError:
            return {}
        if not isinstance(data, dict):
            return {}
        found = {}
        for key, entry in data.items():
            try:
                challenge = Challenge(**entry)
                if not challenge.expired:
                    found[key] = entry
            except (TypeError, ValueError):
                continue
        return found

    def _save(self, entries: dict[str, dict]) -> None:
        write_atomic(self.path, json.dumps(entries, indent=1) + "\n", private=True)

    def issue(self, name: str, max_wer: float, minutes: int = CHALLENGE_MINUTES) -> Challenge:
        """A fresh challenge for voice `name`, replacing any earlier one."""
        check_name(name)
        code = new_code(name, max_wer)
        expires = datetime.now(timezone.utc) + timedelta(minutes=minutes)
        challenge = Challenge(name, challenge_text(name, code), code, expires.isoformat(timespec="seconds"))
        entries = self._load()
        entries[name.casefold()] = vars(challenge)
        self._save(entries)
        return challenge

    def get(self, name: str) -> Challenge | None:
        """The unexpired challenge for `name`, or None."""
        entry = self._load().get(name.casefold())
        return Challenge(**entry) if entry else None

    def forget(self, name: str) -> None:
        """Drop the challenge for `name` (it was used); expired ones go too."""
        if self.path.exists():
            entries = self._load()
            entries.pop(name.casefold(), None)
            self._save(entries)
