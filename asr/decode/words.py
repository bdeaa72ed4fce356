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

    State 0 is the leading silence. Every other state ``j`` emits ``state_unit[j]`` and is entered
    from ``state_pred[j] < j`` (or, where that is -1, from the word loop: the word
    ``state_entry_word[j]``, or any word in a prefix tree). ``state_sil[j]`` marks the silence after
    a word. Exits ``e``: leaving state ``exit_state[e]`` (a word's last phone state or its silence)
    ends word ``exit_word[e]`` spelled ``prons[exit_pron[e]]``.
    """

    words: tuple[str, ...]
    prons: list[tuple[str, ...]]
    state_unit: np.ndarray
    state_pred: np.ndarray
    state_entry_word: np.ndarray
    state_sil: np.ndarray
    exit_state: np.ndarray
    exit_word: np.ndarray
    exit_pron: np.ndarray
    units: UnitSet
    tree: bool

    @property
    def num_states(self) -> int:
        return len(self.state_unit)

    def __post_init__(self):
        # what the search walks: successors of each state, exits of each state, the states words start in
        J = len(self.state_unit)
        has_pred = self.state_pred >= 0
        self.succ_ptr, order = _csr(self.state_pred[has_pred], J)
        self.succ = np.flatnonzero(has_pred)[order].astype(np.int32)
        self.exit_ptr, self.exit_idx = _csr(self.exit_state, J)
        self.entry_states = np.flatnonzero(~has_pred)[1:].astype(np.int32)  # state 0 is the leading silence


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Group item indices by key in 0..n-1: items of key k are ``order[ptr[k]:ptr[k + 1]]``."""
    ptr = np.zeros(n + 1, np.int32)
    np.add.at(ptr, keys + 1, 1)
    return np.cumsum(ptr).astype(np.int32), np.argsort(keys, kind="stable").astype(np.int32)


def compile_graph(lexicon: Lexicon, units: UnitSet, words: list[str] | None = None,
                  tree: bool = True) -> DecodingGraph:
    """Word loop over ``words`` (default: every dictionary word), all pronunciation variants.

    ``tree=True`` shares common pronunciation prefixes (a lexicon prefix tree): far fewer states near
    the word starts, where most tokens are, so large vocabularies decode fast; LM scores then apply at
    word ends, which is exact for no LM or a unigram. A bigram LM needs ``tree=False`` (one chain per
    pronunciation, LM applied on entering a word).
    """
    vocab = sorted({normalize_word(w) for w in words} if words is not None else lexicon.prons)
    missing = [w for w in vocab if not lexicon.lookup(w)]
    if missing:
        raise ValueError(f"words not in the dictionary: {' '.join(missing[:10])}")
    if not vocab:
        raise ValueError("the decoding vocabulary is empty")
    S = units.states_per_phone
    sil = units.units([SILENCE])[0]  # silence between words is one state, as in training
    nodes: dict[tuple, int] = {}
    node_phone, node_parent, node_word = [], [], []
    ends: list[tuple[int, int, int]] = []  # (node, word, pron)
    prons: list[tuple[str, ...]] = []
    for wi, w in enumerate(vocab):
        for pron in lexicon.lookup(w):
            k = len(prons)
            prons.append(tuple(pron))
            parent = -1
            for i, ph in enumerate(pron):
                key = (parent, ph) if tree else (k, i)
                if key not in nodes:
                    nodes[key] = len(node_phone)
                    node_phone.append(ph)
                    node_parent.append(parent)
                    node_word.append(-1 if tree else wi)
                parent = nodes[key]
            ends.append((parent, wi, k))
    n_nodes = len(node_phone)
    phone_units = np.asarray(units.units(node_phone), np.int32).reshape(n_nodes, S)
    end_nodes = sorted({n for n, _, _ in ends})
    J = 1 + n_nodes * S + len(end_nodes)
    unit = np.empty(J, np.int32)
    pred = np.full(J, -1, np.int32)
    entry_word = np.full(J, -1, np.int32)
    is_sil = np.zeros(J, np.bool_)
    unit[0] = sil
    first = 1 + np.arange(n_nodes) * S
    unit[1:1 + n_nodes * S] = phone_units.reshape(-1)
    for s in range(1, S):
        pred[first + s] = first + s - 1
    parent = np.asarray(node_parent)
    has_parent = parent >= 0
    pred[first[has_parent]] = first[parent[has_parent]] + S - 1
    entry_word[first] = np.asarray(node_word)
    sil_of = {n: 1 + n_nodes * S + i for i, n in enumerate(end_nodes)}
    for n, j in sil_of.items():
        unit[j], pred[j], is_sil[j] = sil, first[n] + S - 1, True
    ex_state, ex_word, ex_pron = [], [], []
    for n, wi, k in ends:
        for j in (first[n] + S - 1, sil_of[n]):
            ex_state.append(j), ex_word.append(wi), ex_pron.append(k)
    i32 = np.int32
    return DecodingGraph(tuple(vocab), prons, unit, pred, entry_word, is_sil, np.asarray(ex_state, i32),
                         np.asarray(ex_word, i32), np.asarray(ex_pron, i32), units, tree)


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
    start_backoff: float = 0.0  # log alpha(<s>)

    @property
    def has_bigrams(self) -> bool:
        return len(self.pred) > 0 or bool(np.any(self.start != self.start_backoff + self.unigram))


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
                    float(lm.logp(EOS, BOS)), float(lm.backoff.get(BOS, 0.0)))


@numba.njit(cache=True)
def _grow(a, n):  # pragma: no cover
    b = np.empty(max(2 * len(a), n), a.dtype)
    b[:len(a)] = a
    return b


@numba.njit(cache=True)
def _decode(scores, state_unit, state_pred, state_entry_word, state_sil, succ_ptr, succ, exit_ptr, exit_idx,
            entry_states, exit_word, exit_pron, tree, V, lm_start, lm_end, lm_uni, lm_bo, ptr, pred, lp, lm_empty,
            start_bo, lm_scale, penalty, sil_penalty, beam):  # pragma: no cover
    T = scores.shape[0]
    J = len(state_unit)
    NEG = -1e30
    # two generations of tokens (previous frame, this frame); a value is valid where its stamp is its frame
    d_old, d_new = np.full(J, NEG), np.full(J, NEG)
    l_old, l_new = np.full(J, -1, np.int64), np.full(J, -1, np.int64)   # link of the word before this one
    s_old, s_new = np.zeros(J, np.int64), np.zeros(J, np.int64)          # frame the current word was entered
    e_old, e_new = np.zeros(J, np.int64), np.zeros(J, np.int64)          # silence: frame the word before ended
    st_old, st_new = np.full(J, -2, np.int64), np.full(J, -2, np.int64)
    seen = np.full(J, -2, np.int64)
    act, nxt = np.empty(J, np.int64), np.empty(J, np.int64)
    cand = np.empty(J, np.int64)
    n_act = 0
    # links: word, pronunciation, start frame, end frame (exclusive), previous link, score at end
    cap = 1024
    L_word = np.empty(cap, np.int64)
    L_pron = np.empty(cap, np.int64)
    L_start = np.empty(cap, np.int64)
    L_end = np.empty(cap, np.int64)
    L_prev = np.empty(cap, np.int64)
    L_score = np.empty(cap)
    nl = 0
    # word exits of the previous frame; entries (per word, or one shared by a prefix tree) for this one
    ex = np.full(V, NEG)
    ex_pron = np.zeros(V, np.int64)
    ex_link = np.zeros(V, np.int64)
    ex_start = np.zeros(V, np.int64)
    ex_end = np.zeros(V, np.int64)
    made = np.full(V, -1, np.int64)
    entry = np.empty(V + 1)              # entry[V]: the shared tree entry
    entry_from = np.empty(V + 1, np.int64)  # -1: from <s> / leading silence, else the previous word
    for v in range(V):
        entry[v] = lm_scale * lm_start[v] + penalty
        entry_from[v] = -1
    entry[V] = lm_scale * start_bo + penalty
    entry_from[V] = -1
    prev_best = 0.0
    for t in range(T):
        # candidates: live states, their successors, and word starts whose entry is within the beam
        floor = prev_best - beam
        n_c = 0
        if t == 0:
            cand[0] = 0
            seen[0] = 0
            n_c = 1
        for i in range(n_act):
            a = act[i]
            if seen[a] != t:
                seen[a] = t
                cand[n_c] = a
                n_c += 1
            for k in range(succ_ptr[a], succ_ptr[a + 1]):
                b = succ[k]
                if seen[b] != t:
                    seen[b] = t
                    cand[n_c] = b
                    n_c += 1
        if tree:
            if entry[V] >= floor:
                for b in entry_states:
                    if seen[b] != t:
                        seen[b] = t
                        cand[n_c] = b
                        n_c += 1
        else:
            for b in entry_states:
                if entry[state_entry_word[b]] >= floor and seen[b] != t:
                    seen[b] = t
                    cand[n_c] = b
                    n_c += 1
        best = NEG
        n_nxt = 0
        for i in range(n_c):
            j = cand[i]
            v, lk, ws, we = NEG, -1, 0, 0
            if st_old[j] == t - 1:
                v, lk, ws, we = d_old[j], l_old[j], s_old[j], e_old[j]
            p = state_pred[j]
            if p >= 0:
                if st_old[p] == t - 1:
                    into = d_old[p] + sil_penalty if state_sil[j] else d_old[p]
                    if into > v:
                        v, lk, ws, we = into, l_old[p], s_old[p], t
            elif j == 0:
                if t == 0:
                    v, lk, ws = 0.0, -1, 0
            else:
                ew = state_entry_word[j]
                if ew < 0:
                    ew = V
                e = entry[ew]
                if e > v:
                    src = entry_from[ew]
                    lk = -1
                    if src >= 0:
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
                        lk = made[src]
                    v, ws = e, t
            if v < floor:
                continue
            v += scores[t, state_unit[j]]
            d_new[j], l_new[j], s_new[j], e_new[j], st_new[j] = v, lk, ws, we, t
            nxt[n_nxt] = j
            n_nxt += 1
            if v > best:
                best = v
        prev_best = best
        # --- word exits after frame t, entries for frame t + 1 ---
        for v in range(V):
            ex[v] = NEG
            made[v] = -1
        for i in range(n_nxt):
            j = nxt[i]
            for k in range(exit_ptr[j], exit_ptr[j + 1]):
                x = exit_idx[k]
                w = exit_word[x]
                sc = d_new[j] + lm_scale * lm_uni[w] if tree else d_new[j]
                if sc > ex[w]:
                    ex[w], ex_pron[w], ex_link[w], ex_start[w] = sc, exit_pron[x], l_new[j], s_new[j]
                    ex_end[w] = e_new[j] if state_sil[j] else t + 1
        d_old, d_new = d_new, d_old
        l_old, l_new = l_new, l_old
        s_old, s_new = s_new, s_old
        e_old, e_new = e_new, e_old
        st_old, st_new = st_new, st_old
        act, nxt = nxt, act
        n_act = n_nxt
        best_bo, arg_bo = NEG, -1
        for v in range(V):
            if ex[v] > NEG:
                c = ex[v] + lm_scale * lm_bo[v]
                if c > best_bo:
                    best_bo, arg_bo = c, v
        from_sil = d_old[0] if st_old[0] == t else NEG
        if tree:
            b, a = from_sil + lm_scale * start_bo, -1
            if best_bo > b:
                b, a = best_bo, arg_bo
            entry[V], entry_from[V] = b + penalty, a
            continue
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
    delta0 = d_old[0] if T > 0 and st_old[0] == T - 1 else NEG
    # --- final: end of sentence after a word, or silence only ---
    final, arg = delta0 + lm_scale * lm_empty, -1
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
    if graph.tree and lm.has_bigrams:
        raise ValueError("a bigram LM needs a graph compiled with tree=False (LM scores on entering words)")
    g = graph
    rows, ends, total = _decode(np.ascontiguousarray(scores), g.state_unit, g.state_pred, g.state_entry_word,
                                g.state_sil, g.succ_ptr, g.succ, g.exit_ptr, g.exit_idx, g.entry_states,
                                g.exit_word, g.exit_pron, g.tree,
                                len(g.words), lm.start, lm.end, lm.unigram, lm.backoff, lm.ptr, lm.pred, lm.logp,
                                lm.empty, lm.start_backoff, float(lm_scale), float(word_penalty),
                                float(silence_penalty), float(beam))
    words, prons, before = [], [], 0.0
    for (w, k, s, e), sc in zip(rows, ends):
        words.append(Segment(graph.words[w], round(int(s) * FRAME_SHIFT_S, 6), round(int(e) * FRAME_SHIFT_S, 6),
                             float(sc - before)))
        prons.append(graph.prons[k])
        before = float(sc)
    return WordHypothesis(words, prons, float(total))
