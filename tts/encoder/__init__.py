"""Speaker encoder: reference audio -> 256-d L2-normalised speaker embedding."""

from tts.encoder.ge2e import EMBEDDING_DIM, SpeakerEncoder

__all__ = ["SpeakerEncoder", "EMBEDDING_DIM"]
