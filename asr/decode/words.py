"""Dictionary-constrained word decoder: only phone sequences that spell dictionary words come out.

The graph is compiled from the dictionary: every pronunciation is a left-to-right chain of phone
states (``S`` per phone, each at least one frame, with a self-loop), followed by one optional
silence state; a leading silence state opens the utterance. Leaving a word (from its last phone
state or its trailing silence) enters the first state of any word, scored by the word LM (bigram
with backoff, or none), ``lm_scale`` and the word insertion penalty. Two identical adjacent phones
(``some more``: ``m m``) are two chains in the graph, so the dictionary settles "long phone or
repeated phone", which the greedy decoder cannot.

Search is frame-synchronous token passing in compiled code (numba): one score, one word-start
frame and one back-link per state; word ends become links only when some next word uses them, so
memory grows with the words hypothesised, not with frames x states. Beam pruning drops states more
than ``beam`` below the frame's best. Emissions are hybrid scaled likelihoods,
``log posterior - prior_scale * log prior``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from ..audio import FRAME_SHIFT_S
from ..lexicon import Lexicon, normalize_word
from ..lm import BOS, EOS, UNK, BigramLM
from ..phones import SILENCE, UnitSet
from ..segment import Segment


@dataclass
class DecodingGraph:
    """Flat arrays describing the word loop (see the module docstring).

    State 0 is the leading silence. Pronunciation ``k`` of word ``pron_word[k]`` occupies states
    ``pron_first[k] .. pron_last[k]`` (its phone states) and ``pron_last[k] + 1`` (its silence).
    """

    words: tuple[str, ...]
    prons: list[tuple[str, ...]]
    pron_word: np.ndarray
    pron_first: np.ndarray
    pron_last: np.ndarray
    state_unit: np.ndarray
    units: UnitSet

    @property
    def num_states(self) -> int:
        return len(self.state_unit)


def compile_graph(lexicon: Lexicon, units: UnitSet, words: list[str] | None = None) -> DecodingGraph:
    """Word loop over ``words`` (default: every dictionary word), all pronunciation variants."""
    vocab = sorted({normalize_word(w) for w in words} if words is not None else lexicon.prons)
    missing = [w for w in vocab if not lexicon.lookup(w)]
    if missing:
        raise ValueError(f"words not in the dictionary: {' '.join(missing[:10])}")
    if not vocab:
        raise ValueError("the decoding vocabulary is empty")
    S = units.states_per_phone
    sil = units.units([SILENCE])[0]  # silence between words is one state, as in training
    state_unit = [sil]
    prons, pron_word, first, last = [], [], [], []
    for wi, w in enumerate(vocab):
        for pron in lexicon.lookup(w):
            first.append(len(state_unit))
            state_unit.extend(units.units(list(pron)))
            last.append(len(state_unit) - 1)
            state_unit.append(sil)
            prons.append(tuple(pron))
            pron_word.append(wi)
    i32 = np.int32
    return DecodingGraph(tuple(vocab), prons, np.asarray(pron_word, i32), np.asarray(first, i32),
                         np.asarray(last, i32), np.asarray(state_unit, i32), units)


@dataclass
class LMArrays:
    """A word LM as arrays over the graph's vocabulary (natural-log scores)."""

    start: np.ndarray    # (V,) log P(w | <s>)
    end: np.ndarray      # (V,) log P(</s> | w)
    unigram: np.ndarray  # (V,) log P(w)
    backoff: np.ndarray  # (V,) log alpha(w)
    ptr: np.ndarray      # (V + 1,) CSR over successors: bigrams into word v are pred[ptr[v]:ptr[v+1]]
    pred: np.ndarray
    logp: np.ndarray
    empty: float         # log P(</s> | <s>): an utterance with no word


def lm_arrays(lm: BigramLM | None, vocab: tuple[str, ...]) -> LMArrays:
    """Arrays for ``vocab``; ``lm=None`` gives a flat loop (no LM score, every word equally likely)."""
    V = len(vocab)
    z = np.zeros(V)
    if lm is None:
        return LMArrays(z, z.copy(), z.copy(), z.copy(), np.zeros(V + 1, np.int32), np.zeros(0, np.int32),
                        np.zeros(0), 0.0)
    index = {w: i for i, w in enumerate(vocab)}
    unk = lm.unigram.get(UNK, -99.0)
    uni = np.array([lm.unigram.get(w.lower(), lm.unigram.get(w.upper(), unk)) for w in vocab])
    bo = np.array([lm.backoff.get(w, 0.0) for w in vocab])
    start = np.array([lm.logp(w, BOS) for w in vocab])
    end = np.array([lm.logp(EOS, w) for w in vocab])
    by_succ: list[list[tuple[int, float]]] = [[] for _ in range(V)]
    for (a, b), p in lm.bigram.items():
        if a in index and b in index:
            by_succ[index[b]].append((index[a], p))
    ptr = np.zeros(V + 1, np.int32)
    ptr[1:] = np.cumsum([len(x) for x in by_succ])
    pred = np.array([a for x in by_succ for a, _ in x], np.int32)
    logp = np.array([p for x in by_succ for _, p in x], np.float64)
    return LMArrays(np.maximum(start, -1e9), np.maximum(end, -1e9), np.maximum(uni, -1e9), bo, ptr, pred, logp,
                    float(lm.logp(EOS, BOS)))


@numba.njit(cache=True)
def _grow(a, n):  # pragma: no cover
    b = np.empty(max(2 * len(a), n), a.dtype)
    b[:len(a)] = a
    return b


@numba.njit(cache=True)
def _decode(scores, state_unit, pron_word, pron_first, pron_last, V, lm_start, lm_end, lm_uni, lm_bo, ptr, pred,
            lp, lm_empty, lm_scale, penalty, sil_penalty, beam):  # pragma: no cover
    T = scores.shape[0]
    J = len(state_unit)
    K = len(pron_word)
    NEG = -1e30
    delta = np.full(J, NEG)
    new = np.full(J, NEG)
    link = np.full(J, -1, np.int64)      # link of the word before the one this token is in
    nlink = np.full(J, -1, np.int64)
    wstart = np.zeros(J, np.int64)       # frame the current word was entered
    nwstart = np.zeros(J, np.int64)
    wend = np.zeros(J, np.int64)         # silence states: frame the word before them ended
    nwend = np.zeros(J, np.int64)
    # links: word, pronunciation, start frame, end frame (exclusive), previous link, score at end
    cap = 1024
    L_word = np.empty(cap, np.int64)
    L_pron = np.empty(cap, np.int64)
    L_start = np.empty(cap, np.int64)
    L_end = np.empty(cap, np.int64)
    L_prev = np.empty(cap, np.int64)
    L_score = np.empty(cap)
    nl = 0
    # word-level exits of the previous frame and entries for the current one
    ex = np.full(V, NEG)
    ex_pron = np.zeros(V, np.int64)
    ex_link = np.zeros(V, np.int64)
    ex_start = np.zeros(V, np.int64)
    ex_end = np.zeros(V, np.int64)
    made = np.full(V, -1, np.int64)
    entry = np.empty(V)
    entry_from = np.empty(V, np.int64)  # -1: from <s> (no word), else predecessor word
    for v in range(V):
        entry[v] = lm_scale * lm_start[v] + penalty
        entry_from[v] = -1
    start_score = 0.0  # leading silence score before frame 0
    for t in range(T):
        # --- transitions into every state (old scores in delta) ---
        new[0] = (delta[0] if t > 0 else start_score)
        nlink[0] = -1
        for k in range(K):
            w = pron_word[k]
            f = pron_first[k]
            l = pron_last[k]
            # first state: stay, or enter the word
            best = delta[f]
            bl, bs = link[f], wstart[f]
            e = entry[w]
            if e > best:
                src = entry_from[w]
                if src < 0:
                    bl = -1
                else:
                    if made[src] < 0:
                        if nl == len(L_word):
                            L_word = _grow(L_word, nl + 1)
                            L_pron = _grow(L_pron, nl + 1)
                            L_start = _grow(L_start, nl + 1)
                            L_end = _grow(L_end, nl + 1)
                            L_prev = _grow(L_prev, nl + 1)
                            L_score = _grow(L_score, nl + 1)
                        L_word[nl] = src
                        L_pron[nl] = ex_pron[src]
                        L_start[nl] = ex_start[src]
                        L_end[nl] = ex_end[src]
                        L_prev[nl] = ex_link[src]
                        L_score[nl] = ex[src]
                        made[src] = nl
                        nl += 1
                    bl = made[src]
                best, bs = e, t
            new[f], nlink[f], nwstart[f] = best, bl, bs
            for j in range(f + 1, l + 1):
                if delta[j] >= delta[j - 1]:
                    new[j], nlink[j], nwstart[j] = delta[j], link[j], wstart[j]
                else:
                    new[j], nlink[j], nwstart[j] = delta[j - 1], link[j - 1], wstart[j - 1]
            s = l + 1  # trailing silence
            into = delta[l] + sil_penalty
            if delta[s] >= into:
                new[s], nlink[s], nwstart[s], nwend[s] = delta[s], link[s], wstart[s], wend[s]
            else:
                new[s], nlink[s], nwstart[s], nwend[s] = into, link[l], wstart[l], t
        # --- emissions and beam ---
        best = NEG
        for j in range(J):
            if new[j] > NEG:
                new[j] += scores[t, state_unit[j]]
                if new[j] > best:
                    best = new[j]
        floor = best - beam
        for j in range(J):
            if new[j] < floor:
                new[j] = NEG
            delta[j], link[j], wstart[j], wend[j] = new[j], nlink[j], nwstart[j], nwend[j]
        # --- word exits after frame t, entries for frame t + 1 ---
        for v in range(V):
            ex[v] = NEG
            made[v] = -1
        for k in range(K):
            w = pron_word[k]
            l = pron_last[k]
            if delta[l] > ex[w]:
                ex[w], ex_pron[w], ex_link[w], ex_start[w], ex_end[w] = delta[l], k, link[l], wstart[l], t + 1
            s = l + 1
            if delta[s] > ex[w]:
                ex[w], ex_pron[w], ex_link[w], ex_start[w], ex_end[w] = delta[s], k, link[s], wstart[s], wend[s]
        best_bo, arg_bo = NEG, -1
        for v in range(V):
            if ex[v] > NEG:
                c = ex[v] + lm_scale * lm_bo[v]
                if c > best_bo:
                    best_bo, arg_bo = c, v
        from_sil = delta[0]
        for v in range(V):
            b, a = from_sil + lm_scale * lm_start[v], -1
            if arg_bo >= 0:
                c = best_bo + lm_scale * lm_uni[v]
                if c > b:
                    b, a = c, arg_bo
            for i in range(ptr[v], ptr[v + 1]):
                p = pred[i]
                if ex[p] > NEG:
                    c = ex[p] + lm_scale * lp[i]
                    if c > b:
                        b, a = c, p
            entry[v] = b + penalty
            entry_from[v] = a
    # --- final: end of sentence after a word, or silence only ---
    final, arg = delta[0] + lm_scale * lm_empty, -1
    for v in range(V):
        if ex[v] > NEG:
            c = ex[v] + lm_scale * lm_end[v]
            if c > final:
                final, arg = c, v
    out = np.zeros((0, 4), np.int64)
    scores_out = np.zeros(0)
    if arg < 0:
        return out, scores_out, final
    n = 1
    cur = ex_link[arg]
    while cur >= 0:
        n += 1
        cur = L_prev[cur]
    out = np.zeros((n, 4), np.int64)
    scores_out = np.zeros(n)
    out[n - 1, 0], out[n - 1, 1], out[n - 1, 2], out[n - 1, 3] = arg, ex_pron[arg], ex_start[arg], ex_end[arg]
    scores_out[n - 1] = ex[arg]
    cur = ex_link[arg]
    i = n - 2
    while cur >= 0:
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = L_word[cur], L_pron[cur], L_start[cur], L_end[cur]
        scores_out[i] = L_score[cur]
        cur = L_prev[cur]
        i -= 1
    return out, scores_out, final


@dataclass
class WordHypothesis:
    """Decoded words (timed, with their share of the path score), their phones, and the total score."""

    words: list[Segment]
    prons: list[tuple[str, ...]]
    score: float

    @property
    def text(self) -> str:
        return " ".join(w.label for w in self.words)


def decode_words(log_probs: np.ndarray, graph: DecodingGraph, lm: LMArrays | None = None,
                 log_priors: np.ndarray | None = None, prior_scale: float = 1.0, lm_scale: float = 1.0,
                 word_penalty: float = 0.0, silence_penalty: float = 0.0, beam: float = 40.0) -> WordHypothesis:
    """Best word sequence through the dictionary graph.

    Args:
        log_probs: (T, U) per-frame log-posteriors over ``graph.units``.
        lm: :func:`lm_arrays` for ``graph.words`` (None: a flat word loop).
        log_priors: (U,) unit log-priors for scaled likelihoods.
        lm_scale: weight of LM log-probabilities; word_penalty: added per word (negative: fewer words).
        silence_penalty: added on entering the silence after a word; beam: pruning width (log units).
    Returns:
        A :class:`WordHypothesis`; each word's score is the path score it added (acoustic + LM + penalty).
    """
    U = len(graph.units)
    if log_probs.ndim != 2 or log_probs.shape[1] != U:
        raise ValueError(f"log_probs must be (T, {U}), got {log_probs.shape}")
    if lm is None:
        lm = lm_arrays(None, graph.words)
    if len(lm.start) != len(graph.words):
        raise ValueError(f"LM arrays cover {len(lm.start)} words, the graph {len(graph.words)}")
    scores = np.asarray(log_probs, dtype=np.float32)
    if log_priors is not None:
        scores = scores - np.float32(prior_scale) * np.asarray(log_priors, np.float32)[None, :]
    if len(scores) == 0:
        return WordHypothesis([], [], 0.0)
    rows, ends, total = _decode(np.ascontiguousarray(scores), graph.state_unit, graph.pron_word, graph.pron_first,
                                graph.pron_last, len(graph.words), lm.start, lm.end, lm.unigram, lm.backoff, lm.ptr,
                                lm.pred, lm.logp, lm.empty, float(lm_scale), float(word_penalty),
                                float(silence_penalty), float(beam))
    words, prons, before = [], [], 0.0
    for (w, k, s, e), sc in zip(rows, ends):
        words.append(Segment(graph.words[w], round(int(s) * FRAME_SHIFT_S, 6), round(int(e) * FRAME_SHIFT_S, 6),
                             float(sc - before)))
        prons.append(graph.prons[k])
        before = float(sc)
    return WordHypothesis(words, prons, float(total))
