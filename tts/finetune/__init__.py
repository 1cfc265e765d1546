"""Personal voices: fine-tuning the models on one speaker's clips (tts enroll --adapt, tts voices adapt)."""
