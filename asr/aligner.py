"""Forced alignment of utterances with a trained model: features, CMVN, network, Viterbi, segments.

The math lives in :mod:`asr.align`; this module only feeds it and turns paths into timed words and
phones. Used by ``asr-align`` and the recipes.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Iterator

import numpy as np

from .align import pad_log_probs, viterbi_align
from .audio import AudioError, load_audio
from .corpus.utterance import Utterance
from .features import compute_features, normalize
from .io.writers import AlignedUtterance
from .lexicon import Lexicon
from .model import AcousticModel
from .transcript import TranscriptError, phone_segments, phone_targets, word_segments, word_targets


@dataclass
class AlignResult:
    utt: Utterance
    aligned: AlignedUtterance | None = None
    error: str | None = None


def utterance_audio(utt: Utterance) -> np.ndarray:
    """The utterance's samples at 16 kHz (the ``start``/``end`` part of its file)."""
    audio = load_audio(utt.audio)
    s0 = int(round(utt.start * audio.sample_rate))
    s1 = int(round(utt.end * audio.sample_rate)) if utt.end is not None else len(audio.samples)
    if s1 - s0 < 400:
        raise AudioError(utt.audio, f"segment {utt.start}-{utt.end} s is too short")
    return audio.samples[s0:s1]


def align_utterances(utts: list[Utterance], model: AcousticModel, lexicon: Lexicon | None,
                     transcripts: str = "words", device: str = "cpu", batch: int = 8,
                     prior_scale: float = 1.0) -> Iterator[AlignResult]:
    """Align every utterance; failures come back as results with ``error`` set (the rest go on).

    Speaker CMVN statistics are taken over each speaker's utterances in ``utts``.
    """
    by_speaker = sorted(utts, key=lambda u: u.speaker) if model.features.cmvn == "speaker" else utts
    groups = [list(g) for _, g in groupby(by_speaker, key=lambda u: u.speaker)] if model.features.cmvn == "speaker" \
        else [by_speaker[i:i + batch] for i in range(0, len(by_speaker), batch)]
    for group in groups:
        feats, targets, ok = {}, {}, []
        for u in group:
            try:
                if transcripts == "phones" and u.phones:
                    tg = phone_targets(u.phone_labels, model.units)
                else:
                    if lexicon is None:
                        raise TranscriptError("word transcripts need a dictionary")
                    tg = word_targets(u.text, lexicon, model.units)
                feats[u.utt_id] = compute_features(utterance_audio(u), model.features)
                targets[u.utt_id] = tg
                ok.append(u)
            except (AudioError, TranscriptError, ValueError) as e:
                yield AlignResult(u, error=str(e).replace("\n", " "))
        if not ok:
            continue
        normed, _ = normalize(feats, model.features.cmvn, {u.utt_id: u.speaker for u in ok}, model.cmvn)
        for i in range(0, len(ok), batch):
            chunk = ok[i:i + batch]
            lps = model.log_probs([normed[u.utt_id] for u in chunk], device)
            if prior_scale and model.log_priors is not None:
                lps = [lp - prior_scale * model.log_priors for lp in lps]
            padded, lengths = pad_log_probs(lps)
            res = viterbi_align(padded, [targets[u.utt_id].units for u in chunk], lengths,
                                [targets[u.utt_id].optional for u in chunk])
            for u, lp, a in zip(chunk, lps, res):
                if a.error:
                    yield AlignResult(u, error=a.error)
                    continue
                yield AlignResult(u, segments_to_aligned(u.utt_id, a.positions, targets[u.utt_id],
                                                         lp[np.arange(len(lp)), a.units]))


def segments_to_aligned(utt_id: str, positions: np.ndarray, targets, frame_scores: np.ndarray | None = None) -> AlignedUtterance:
    """Timed phones and words of a frame path."""
    from .transcript import frames_to_time

    return AlignedUtterance(utt_id, word_segments(positions, targets) if targets.words else [],
                            phone_segments(positions, targets, frame_scores), frames_to_time(len(positions)))
