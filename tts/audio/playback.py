"""Playing audio on the speakers through a command-line player found on the system."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable

import numpy as np

from tts.audio.io import AudioError, pcm16, streaming_wav_header

# players that read a WAV stream from standard input
PLAYERS = (["paplay"], ["aplay", "-q"], ["ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet", "-"])


def play(pieces: Iterable[np.ndarray]) -> None:
    """Play 16 kHz audio as its pieces arrive: the first sentence sounds while the rest is being made. Raises
    AudioError, before taking any piece, when no player is installed; stops quietly if the player quits."""
    command = next((c for c in PLAYERS if shutil.which(c[0])), None)
    if command is None:
        raise AudioError("no audio player found (paplay, aplay or ffplay): write to a file with -o FILE")
    player = subprocess.Popen(command, stdin=subprocess.PIPE)
    try:
        player.stdin.write(streaming_wav_header())
        for piece in pieces:
            player.stdin.write(pcm16(piece))
            player.stdin.flush()
        player.stdin.close()
        player.wait()
    except BrokenPipeError:  # the player was closed: nothing more to play
        pass
    finally:
        if player.poll() is None:
            player.terminate()
        player.wait()
