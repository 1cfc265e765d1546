"""The one definition of the sample rate and the STFT / mel settings used by every model."""

SAMPLE_RATE = 16_000
N_FFT = 1024
WIN_LENGTH = 1024
HOP_LENGTH = 256  # 16 ms frames: 62.5 mel frames per second
N_MELS = 80
F_MIN = 0.0
F_MAX = 8000.0
LOG_MEL_FLOOR = 1e-5  # log-mel values lie in [log(1e-5), ...]
