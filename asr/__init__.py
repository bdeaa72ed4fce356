"""asr: phone models learned from untimed transcripts by flat-start Viterbi training of a BiLSTM."""
__version__ = "0.1.0"
