"""Speaker encoder: reference audio -> 256-d L2-normalised speaker embedding."""

from tts.encoder.ge2e import SpeakerEncoder
from tts.limits import EMBEDDING_DIM

__all__ = ["SpeakerEncoder", "EMBEDDING_DIM"]
