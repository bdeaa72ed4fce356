"""Transcription with a trained model: audio -> features -> network -> word (or phone) decoder.

The decoders live in :mod:`asr.decode` (pure functions on log-probabilities); this module feeds
them and times phones inside the decoded words by forced alignment. Used by ``asr-transcribe``,
the digits recipe and the benchmarks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .align import pad_log_probs, viterbi_align
from .audio import FRAME_SHIFT_S
from .aligner import utterance_audio
from .audio import AudioError
from .corpus.utterance import Utterance
from .decode import compile_graph, decode_words, lm_arrays, phone_loop_decode
from .features import compute_features, normalize
from .io.writers import AlignedUtterance
from .lexicon import Lexicon
from .lm import BigramLM
from .model import AcousticModel
from .phones import SILENCE, UnitSet
from .segment import Segment
from .transcript import frames_to_time, phone_segments, pronunciation_targets


@dataclass
class DecodeConfig:
    """Decoder settings (the YAML keys of ``asr-transcribe --config``).

    beam: pruning width in log units (states this far below the frame's best are dropped).
    lm_scale: weight of the word LM's log-probabilities against the acoustic scores.
    word_penalty: added to the score per word (negative: fewer insertions).
    silence_penalty: added on entering the silence after a word.
    prior_scale: scaled likelihoods ``log posterior - prior_scale * log prior`` (0: posteriors).
    phone_lm_weight: weight of the phone bigram in ``--phones`` mode.
    phone_insertion_penalty: added per phone in ``--phones`` mode.
    """

    beam: float = 20.0
    lm_scale: float = 1.0
    word_penalty: float = 0.0
    silence_penalty: float = 0.0
    prior_scale: float = 1.0
    phone_lm_weight: float = 1.0
    phone_insertion_penalty: float = 0.0


def phones_within_words(lp: np.ndarray, words: list[Segment], prons: list[tuple[str, ...]], units: UnitSet,
                        batch: int = 64) -> list[Segment]:
    """Timed phones: each decoded word's pronunciation aligned inside the word's own frames (the
    decoder fixed the word boundaries), silence in the gaps. Memory grows with the longest word, not
    with the file, so long recordings are fine."""
    spans = [(int(round(w.start / FRAME_SHIFT_S)), int(round(w.end / FRAME_SHIFT_S))) for w in words]
    phones: list[Segment] = []
    aligned: list[list[Segment]] = []
    for i in range(0, len(words), batch):
        chunk = list(range(i, min(i + batch, len(words))))
        targets = [pronunciation_targets([words[k].label], [prons[k]], units, optional_silence=False) for k in chunk]
        padded, lengths = pad_log_probs([lp[spans[k][0]:spans[k][1]] for k in chunk])
        for k, tg, a in zip(chunk, targets, viterbi_align(padded, [t.units for t in targets], lengths)):
            s0 = spans[k][0]
            part = lp[s0:spans[k][1]]
            segs = phone_segments(a.positions, tg, part[np.arange(len(part)), a.units]) if not a.error else []
            aligned.append([Segment(x.label, round(x.start + s0 * FRAME_SHIFT_S, 6),
                                    round(x.end + s0 * FRAME_SHIFT_S, 6), x.score) for x in segs])
    t = 0.0
    for w, segs in zip(words, aligned):
        if w.start > t:
            phones.append(Segment(SILENCE, t, w.start))
        phones.extend(segs)
        t = w.end
    total = frames_to_time(len(lp))
    if total > t:
        phones.append(Segment(SILENCE, t, total))
    return phones


@dataclass
class Transcription:
    """One file's result: timed words (with scores) and phones, or the reason it failed."""

    utt_id: str
    source: str
    result: AlignedUtterance | None = None
    score: float = 0.0
    error: str | None = None

    @property
    def text(self) -> str:
        if self.result is None:
            return ""
        segs = self.result.words if self.result.words else self.result.phones
        return " ".join(s.label for s in segs)


@dataclass
class Transcriber:
    """A model with its decoding vocabulary; ``phones=True`` decodes phones with the phone loop instead."""

    model: AcousticModel
    lexicon: Lexicon | None = None
    lm: BigramLM | None = None
    config: DecodeConfig = field(default_factory=DecodeConfig)
    phones: bool = False
    device: str = "cpu"

    def __post_init__(self):
        if not self.phones:
            lexicon = self.lexicon or self.model.lexicon()
            if lexicon is None:
                raise ValueError("the model file keeps no dictionary: give one (--dict) or decode phones")
            self.lm_arrays = lm_arrays(self.lm, tuple(sorted(lexicon.prons)))  # the graph's word order
            # a prefix tree, unless the LM has bigrams (then LM scores apply on entering each word)
            self.graph = compile_graph(lexicon, self.model.units, tree=not self.lm_arrays.has_bigrams)
        else:
            big = self.model.phone_bigram()
            P = len(self.model.units.phones)
            self.phone_lm = big if big is not None else (np.full(P, -np.log(P)), np.full((P, P), -np.log(P)))

    def log_probs(self, samples: np.ndarray) -> np.ndarray:
        """(T, U) scaled log-likelihoods of 16 kHz samples."""
        feats = compute_features(samples, self.model.features)
        normed, _ = normalize({"x": feats}, self.model.features.cmvn, {"x": "x"}, self.model.cmvn)
        lp = self.model.log_probs([normed["x"]], self.device)[0]
        if self.config.prior_scale and self.model.log_priors is not None:
            lp = lp - self.config.prior_scale * self.model.log_priors
        return lp

    def decode(self, utt_id: str, lp: np.ndarray) -> tuple[AlignedUtterance, float]:
        """Words (timed, scored) and phones from scaled log-likelihoods."""
        c = self.config
        duration = frames_to_time(len(lp))
        if self.phones:
            start, bigram = self.phone_lm
            segs = phone_loop_decode(lp, self.model.units, start, bigram, c.phone_lm_weight, c.phone_insertion_penalty)
            return AlignedUtterance(utt_id, [], segs, duration), 0.0
        hyp = decode_words(lp, self.graph, self.lm_arrays, None, 0.0, c.lm_scale, c.word_penalty,
                           c.silence_penalty, c.beam)
        if not hyp.words:
            return AlignedUtterance(utt_id, [], [], duration), hyp.score
        return AlignedUtterance(utt_id, hyp.words, phones_within_words(lp, hyp.words, hyp.prons, self.model.units),
                                duration), hyp.score

    def transcribe(self, utt: Utterance) -> Transcription:
        """Read (the ``start``/``end`` part of) the audio and decode it; unreadable audio comes back as a
        :class:`Transcription` with ``error`` set, so that a batch goes on."""
        try:
            result, score = self.decode(utt.utt_id, self.log_probs(utterance_audio(utt)))
            return Transcription(utt.utt_id, utt.audio, result, score)
        except (AudioError, ValueError, OSError) as e:
            msg = str(e).replace("\n", " ")
            return Transcription(utt.utt_id, utt.audio, error=msg if utt.audio in msg else f"{utt.audio}: {msg}")
