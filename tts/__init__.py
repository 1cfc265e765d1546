"""Offline voice-cloning text-to-speech for an ordinary CPU."""

__version__ = "0.1.0"
