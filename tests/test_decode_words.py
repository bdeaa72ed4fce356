"""The dictionary-constrained word decoder and the word LM: planted paths, exhaustive search, ARPA."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asr.align import viterbi_align
from asr.decode import compile_graph, decode_words, greedy_decode, lm_arrays
from asr.lexicon import parse_lexicon
from asr.lm import BOS, EOS, BigramLM, LMError, estimate_bigram_lm, read_arpa, write_arpa
from asr.phones import UnitSet
from asr.transcript import pronunciation_targets


def planted(units: UnitSet, runs: list[tuple[str, int]], p: float = 0.8) -> np.ndarray:
    """Log-probabilities where each (phone, frames-per-state) run is the likely unit sequence."""
    seq = []
    for phone, n in runs:
        states = units.units([phone])[:1] if phone == "sil" else units.units([phone])
        seq += [u for u in states for _ in range(n)]
    lp = np.full((len(seq), len(units)), math.log((1 - p) / len(units)))
    lp[np.arange(len(seq)), seq] = math.log(p)
    return lp


def test_dictionary_resolves_repeated_phone_that_greedy_merges():
    units = UnitSet(states_per_phone=3)
    lex = parse_lexicon(["some s ah m", "more m ao r", "mass m ae s", "or ao r"])
    lp = planted(units, [("sil", 4), ("s", 3), ("ah", 3), ("m", 3), ("m", 2), ("ao", 2), ("r", 2), ("sil", 3)])
    hyp = decode_words(lp, compile_graph(lex, units))
    assert hyp.text == "some more"
    assert hyp.prons == [("s", "ah", "m"), ("m", "ao", "r")]
    # word times: 'some' after 4 silence frames, 9 states x 3 frames; 'more' right after
    assert (hyp.words[0].start, hyp.words[0].end, hyp.words[1].end) == (0.04, 0.31, 0.49)
    greedy = [s.label for s in greedy_decode(lp, units)]
    assert greedy.count("m") == 1  # the naive decoder merges the two m's


def test_silence_between_words_and_empty_utterance():
    units = UnitSet(states_per_phone=1)
    lex = parse_lexicon(["a ah", "b b iy"])
    g = compile_graph(lex, units)
    hyp = decode_words(planted(units, [("sil", 3), ("ah", 4), ("sil", 5), ("b", 2), ("iy", 2), ("sil", 2)]), g)
    assert hyp.text == "a b"
    assert hyp.words[0].end == 0.07 and hyp.words[1].start == 0.12  # the silence is a gap, not a word
    assert decode_words(planted(units, [("sil", 10)]), g).words == []


def test_word_penalty_trades_insertions():
    units = UnitSet(states_per_phone=1)
    lex = parse_lexicon(["a ah", "aa ah ah"])
    g = compile_graph(lex, units)
    lp = planted(units, [("ah", 6)])
    # one long 'ah' or many words: the penalty per word decides (acoustics are equal)
    assert decode_words(lp, g, word_penalty=-1.0).text == "a"
    assert decode_words(lp, g, word_penalty=+1.0).text == "a a a a a a"


def _brute_force(lp, lex, units, lm, lm_scale, penalty, max_words=3):
    """Best total score over every word sequence (and variant), by forced alignment of each."""
    words = sorted(lex.prons)
    sil = units.units(["sil"])[0]
    best = lp[:, sil].sum() + lm_scale * (lm.logp(EOS, BOS) if lm else 0.0)  # silence only
    for n in range(1, max_words + 1):
        for seq in itertools.product(words, repeat=n):
            for prons in itertools.product(*(lex.lookup(w) for w in seq)):
                tg = pronunciation_targets(list(seq), list(prons), units)
                a = viterbi_align(lp[None], [tg.units], None, [tg.optional])[0]
                if a.error:
                    continue
                total = a.score + n * penalty + lm_scale * (lm.sentence_logp(list(seq)) if lm else 0.0)
                best = max(best, total)
    return best


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), T=st.integers(2, 5), use_lm=st.booleans(), tree=st.booleans(),
       penalty=st.sampled_from([-2.0, 0.0, 1.0]))
def test_decoder_finds_the_exhaustive_best(seed, T, use_lm, tree, penalty):
    units = UnitSet(("sil", "ah", "b", "iy"), 1)
    lex = parse_lexicon(["a ah", "b b iy", "bee b iy", "bee b ah iy"])
    rng = np.random.default_rng(seed)
    lp = np.log(rng.dirichlet(np.ones(len(units)) * 0.5, size=T))
    lm = None
    if use_lm:  # every bigram explicit, backoff never better: the search is then exact
        vocab = sorted(lex.prons)
        probs = {a: rng.dirichlet(np.ones(len(vocab) + 1)) for a in [BOS] + vocab}
        lm = BigramLM({w: math.log(1 / len(vocab)) for w in vocab} | {EOS: -3.0},
                      {a: -80.0 for a in [BOS] + vocab},
                      {(a, b): math.log(p) for a in probs for b, p in zip(vocab + [EOS], probs[a])})
    g = compile_graph(lex, units, tree=tree and not use_lm)  # a prefix tree is exact without bigrams
    hyp = decode_words(lp, g, lm_arrays(lm, g.words), lm_scale=0.7, word_penalty=penalty, beam=1e9)
    want = _brute_force(lp, lex, units, lm, 0.7, penalty, max_words=T)
    assert hyp.score == pytest.approx(want, abs=1e-3)


def test_beam_pruning_keeps_the_answer_on_clear_input():
    units = UnitSet(states_per_phone=3)
    lex = parse_lexicon(["some s ah m", "more m ao r", "sum s ah m"])
    lp = planted(units, [("sil", 4), ("s", 3), ("ah", 3), ("m", 3), ("m", 2), ("ao", 2), ("r", 2), ("sil", 3)])
    g = compile_graph(lex, units)
    assert decode_words(lp, g, beam=5.0).text == decode_words(lp, g, beam=1e9).text


def test_prefix_tree_shares_states_and_gives_the_flat_answer():
    units = UnitSet(states_per_phone=3)
    lex = parse_lexicon(["some s ah m", "sum s ah m", "sun s ah n", "more m ao r", "mass m ae s"])
    flat, tree = compile_graph(lex, units, tree=False), compile_graph(lex, units)
    assert flat.num_states == 1 + 3 * 3 * 5 + 5  # five chains of three phones, five silences
    assert tree.num_states == 1 + 3 * (3 + 1 + 3 + 2) + 4  # s-ah shared, m/n, m-ao-r, ae-s; some/sum share an end
    lp = planted(units, [("sil", 4), ("s", 3), ("ah", 3), ("n", 3), ("m", 2), ("ae", 2), ("s", 2), ("sil", 3)])
    a, b = decode_words(lp, flat), decode_words(lp, tree)
    assert a.text == b.text == "sun mass" and a.score == pytest.approx(b.score)
    assert [(w.start, w.end) for w in a.words] == [(w.start, w.end) for w in b.words]


def test_graph_errors():
    units = UnitSet(states_per_phone=1)
    lex = parse_lexicon(["a ah"])
    with pytest.raises(ValueError, match="not in the dictionary: zzz"):
        compile_graph(lex, units, ["a", "zzz"])
    with pytest.raises(ValueError, match=r"log_probs must be \(T, 48\)"):
        decode_words(np.zeros((4, 3)), compile_graph(lex, units))


def test_estimated_bigram_is_a_distribution_and_round_trips_through_arpa(tmp_path):
    text = [s.split() for s in ["one two three", "two three", "three one", "one one two"]]
    lm = estimate_bigram_lm(text)
    vocab = ["one", "two", "three", EOS]
    for ctx in [BOS, "one", "two", "three"]:
        assert sum(math.exp(lm.logp(w, ctx)) for w in vocab) == pytest.approx(1.0, abs=1e-6)
    assert lm.logp("two", "one") > lm.logp("three", "one")  # seen beats unseen
    write_arpa(lm, tmp_path / "lm.arpa")
    back = read_arpa(tmp_path / "lm.arpa")
    for ctx in [BOS, "one", "two", "three"]:
        for w in vocab:
            assert back.logp(w, ctx) == pytest.approx(lm.logp(w, ctx), abs=1e-5)


def test_arpa_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.arpa"
    bad.write_text("\\data\\\nngram 1=1\n\n\\1-grams:\nnot-a-number one\n\\end\\\n")
    with pytest.raises(LMError, match=r"bad.arpa:5: expected 'log10prob"):
        read_arpa(bad)
    (tmp_path / "text.arpa").write_text("hello world\n")
    with pytest.raises(LMError, match="not an ARPA language model"):
        read_arpa(tmp_path / "text.arpa")


def test_lm_steers_acoustically_ambiguous_words():
    units = UnitSet(states_per_phone=1)
    lex = parse_lexicon(["some s ah m", "sum s ah m", "more m ao r"])
    lp = planted(units, [("sil", 2), ("s", 2), ("ah", 2), ("m", 2), ("m", 2), ("ao", 2), ("r", 2), ("sil", 2)])
    g = compile_graph(lex, units, tree=False)
    lm = estimate_bigram_lm([["some", "more"], ["some", "more"], ["sum"]])
    with pytest.raises(ValueError, match="tree=False"):
        decode_words(lp, compile_graph(lex, units), lm_arrays(lm, g.words))
    assert decode_words(lp, g, lm_arrays(lm, g.words)).text == "some more"
    lm2 = estimate_bigram_lm([["sum", "more"], ["sum", "more"], ["some"]])
    assert decode_words(lp, g, lm_arrays(lm2, g.words)).text == "sum more"
