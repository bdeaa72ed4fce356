"""asr-align: forced alignment of a file or a corpus."""
from . import not_yet

main = not_yet("asr-align", "Forced alignment of a single file or a whole corpus (TextGrid, CTM, .PHN).",
               "asr-align corpus/ aligned/ --dict my.dict", "issue: asr-align")
