"""asr-transcribe: decode audio files into phones or dictionary words."""
from . import not_yet

main = not_yet("asr-transcribe", "Transcribe audio files with a trained model.",
               "asr-transcribe recording.wav --model exp/digits/model.pt", "issue: asr-transcribe")
