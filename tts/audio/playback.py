"""Playing audio on the speakers through a command-line player found on the system."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from tts.audio.io import AudioError, write_wav_bytes

# players that read a WAV stream from standard input
PLAYERS = (["paplay"], ["aplay", "-q"], ["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet", "-"])


def play(wav: np.ndarray) -> None:
    """Play a 16 kHz waveform; raises AudioError when no player is installed."""
    for command in PLAYERS:
        if shutil.which(command[0]):
            subprocess.run(command, input=write_wav_bytes(wav), check=False)
            return
    raise AudioError("no audio player found (paplay, aplay or ffplay): write to a file with -o FILE")
