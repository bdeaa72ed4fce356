"""From transcripts (phone or word) to the unit sequences the aligner walks, and back to timed
phone and word segments."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .audio import FRAME_SHIFT_S
from .lexicon import Lexicon, normalize_text
from .phones import SILENCE, UnitSet, fold
from .segment import Segment


class TranscriptError(ValueError):
    """A transcript that cannot be turned into targets (empty, OOV words)."""


@dataclass
class Targets:
    """What one utterance must be aligned to.

    units: (N,) unit ids, the aligner's positions.
    optional: (N,) True where a position may be skipped (silence between words).
    phone_of: (N,) index into ``phones`` of each position.
    phones: the phone sequence (48 set).
    word_of: per phone, index into ``words`` (-1 for silence).
    words: the words, if the transcript was in words.
    """

    units: np.ndarray
    optional: np.ndarray
    phone_of: np.ndarray
    phones: list[str]
    word_of: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


def _expand(phones: list[str], units: UnitSet) -> tuple[np.ndarray, np.ndarray]:
    """Unit ids of a phone sequence (S states each) and the phone index of every unit."""
    return (np.asarray(units.units(phones), dtype=np.int64),
            np.repeat(np.arange(len(phones)), units.states_per_phone))


def phone_targets(phones: list[str], units: UnitSet) -> Targets:
    """Targets for a phone transcript (TIMIT 61 or 48 labels; folded to 48, ``q`` dropped)."""
    folded = fold(phones, "48")
    if not folded:
        raise TranscriptError("empty phone transcript")
    u, phone_of = _expand(folded, units)
    return Targets(u, np.zeros(len(u), bool), phone_of, folded, [-1] * len(folded))


def word_targets(text: str, lexicon: Lexicon, units: UnitSet, optional_silence: bool = True) -> Targets:
    """Targets for a word transcript: first pronunciation of each word, with an optional silence
    before, between and after words (skippable by the aligner)."""
    words = normalize_text(text)
    if not words:
        raise TranscriptError("empty transcript")
    oov = lexicon.oovs(words)
    if oov:
        raise TranscriptError(f"words not in the dictionary: {' '.join(sorted(set(oov)))}")
    return pronunciation_targets(words, [lexicon.lookup(w)[0] for w in words], units, optional_silence)


def pronunciation_targets(words: list[str], prons: list[tuple[str, ...]], units: UnitSet,
                          optional_silence: bool = True) -> Targets:
    """Targets for words with given pronunciations (e.g. the variants a decoder chose)."""
    phones, optional, word_of = [], [], []
    for i, pron in enumerate(prons):
        if optional_silence:
            phones.append(SILENCE), optional.append(True), word_of.append(-1)
        for p in pron:
            phones.append(p), optional.append(False), word_of.append(i)
    if optional_silence:
        phones.append(SILENCE), optional.append(True), word_of.append(-1)
    u, phone_of = _expand(phones, units)
    # an optional silence is one position (its first state), so that it can be skipped as a whole
    first_state = np.arange(len(u)) % units.states_per_phone == 0
    is_opt = np.asarray(optional)[phone_of]
    keep = ~is_opt | first_state
    u, phone_of, opt = u[keep], phone_of[keep], is_opt[keep]
    return Targets(u, opt, phone_of, phones, word_of, list(words))


def frames_to_time(frames: int) -> float:
    return round(frames * FRAME_SHIFT_S, 6)


def phone_segments(positions: np.ndarray, targets: Targets, frame_scores: np.ndarray | None = None) -> list[Segment]:
    """Timed phones (seconds) from a frame path of positions; skipped phones do not appear.

    ``frame_scores`` (T,) gives each segment the sum of its frames' log-probabilities.
    """
    phone_idx = targets.phone_of[positions]
    change = np.flatnonzero(np.diff(phone_idx)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(positions)]])
    out = []
    for s, e in zip(starts, ends):
        score = float(frame_scores[s:e].sum()) if frame_scores is not None else 0.0
        out.append(Segment(targets.phones[phone_idx[s]], frames_to_time(int(s)), frames_to_time(int(e)), score))
    return out


def word_segments(positions: np.ndarray, targets: Targets) -> list[Segment]:
    """Timed words from a frame path; silence between words is left out (shown as gaps)."""
    phone_idx = targets.phone_of[positions]
    word_idx = np.asarray(targets.word_of)[phone_idx]
    out = []
    change = np.flatnonzero(np.diff(word_idx)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(positions)]])
    for s, e in zip(starts, ends):
        w = int(word_idx[s])
        if w >= 0:
            out.append(Segment(targets.words[w], frames_to_time(int(s)), frames_to_time(int(e))))
    return out
