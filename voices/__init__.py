"""Voice profiles shipped with the package (read-only)."""

from pathlib import Path

PACKAGED_VOICES_DIR = Path(__file__).parent
