"""The user-facing limits and shared constants, defined once: the library checks against them and the command
line quotes them in its help. Plain Python (no torch, no numpy), so the command line can import it at start-up."""

MIN_SPEED, MAX_SPEED = 0.25, 4.0  # speaking rate: 1 is normal, 2 double speed
MAX_PITCH_SHIFT = 12.0  # semitones, up or down
MIN_VOLUME_DB, MAX_VOLUME_DB = -30.0, 9.0  # --volume: dB relative to the target loudness (tts.audio.loudness)
SENTENCE_PAUSE = 0.35  # seconds of silence after a sentence (tts say --sentence-silence, tts batch's gap)
PARAGRAPH_PAUSE = 0.75  # ... after a paragraph or heading (--paragraph-silence)
MAX_SILENCE = 10.0  # seconds, for --sentence-silence and --paragraph-silence
MAX_PAUSE = 60.0  # seconds of a pause or gap in a batch script
MAX_SAY_CHARS = 1_000_000  # text `tts say` reads at once
MAX_TEXT_CHARS = 2000  # a voice profile's texts: description, consent statement, prompt, transcript
EMBEDDING_DIM = 256  # speaker embedding: the encoder's output, the acoustic model's speaker input
DEFAULT_ADAPT_MINUTES = 5.0  # time budget of personal-voice fine-tuning (--minutes)
MAX_ADAPT_MINUTES = 60  # ... at most an hour
