"""Text frontends: text -> normalised chunks of phoneme symbols, one folder per language (English: `en/`).

An acoustic model's weights declare their language (tts.models); FRONTENDS gives the frontend that makes its
inputs. A new language is a folder with a frontend class (language, symbols, pad_id, phone_ids, iter_chunks,
phonemize, normalize) and one entry here.
"""

from tts.text.en import Chunk, TextFrontend

FRONTENDS: dict[str, type[TextFrontend]] = {TextFrontend.language: TextFrontend}

__all__ = ["FRONTENDS", "Chunk", "TextFrontend"]
