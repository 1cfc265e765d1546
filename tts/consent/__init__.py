"""Consent verified by the speaker's own voice: a challenge sentence to read aloud (challenge.py) and the checks of
the recording against the clips (verify.py). See README.md, "Responsible use"."""

from tts.consent.challenge import CHALLENGE_MINUTES, Challenge, ChallengeStore
from tts.consent.verify import (ASR_HINT, MAX_WER, MIN_SIMILARITY, ConsentError, Verification, require_asr,
                                verified_consent, verify_enrollment, verify_recording, verify_voice)

__all__ = ["ASR_HINT", "CHALLENGE_MINUTES", "MAX_WER", "MIN_SIMILARITY", "Challenge", "ChallengeStore",
           "ConsentError", "Verification", "require_asr", "verified_consent", "verify_enrollment",
           "verify_recording", "verify_voice"]
