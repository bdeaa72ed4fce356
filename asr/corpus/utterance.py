"""The typed record every corpus reader returns and every later stage consumes."""
from __future__ import annotations

from dataclasses import dataclass

from ..segment import Segment


@dataclass(frozen=True)
class Utterance:
    """One utterance of a corpus.

    utt_id: unique id (Kaldi style, e.g. ``madc0_sx197``).
    speaker: speaker id (used for CMVN and per-speaker scores).
    audio: path of the audio file; ``start``/``end`` (seconds) select a part of it (Kaldi
        ``segments``), ``end=None`` meaning the end of the file.
    text: the word transcript as written (normalised later, by :mod:`asr.lexicon`).
    phones: hand-labelled timed phones (TIMIT ``.PHN``, 61 labels), if the corpus has them.
    words: hand-labelled timed words (TIMIT ``.WRD``), if any.
    rel: the path of the utterance inside its corpus, without suffix: outputs keep this structure.
    """

    utt_id: str
    speaker: str
    audio: str
    text: str = ""
    phones: tuple[Segment, ...] | None = None
    words: tuple[Segment, ...] | None = None
    start: float = 0.0
    end: float | None = None
    rel: str = ""

    @property
    def phone_labels(self) -> list[str]:
        return [s.label for s in self.phones or ()]


class CorpusError(ValueError):
    """A corpus that cannot be read: names the path and says what was expected."""
