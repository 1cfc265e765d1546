"""The `tts` command line: a thin layer over the `tts` library."""
