"""asr-score: PER/WER of hypotheses against references."""
from . import not_yet

main = not_yet("asr-score", "Score hypotheses against references (PER on 39 phones, WER).",
               "asr-score ref.txt hyp.txt", "issue: asr-transcribe")
