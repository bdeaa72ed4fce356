import pytest

from asr.metrics import BoundaryScore, boundary_errors, edit_alignment, fold_timed, per, per_speaker, wer
from asr.segment import Segment


def segs(*items):
    """segs(("h#", 0, 10), ...) with times in ms."""
    return [Segment(l, s / 1000, e / 1000) for l, s, e in items]


def test_fold_merges_closures_q_and_silences():
    ref = segs(("h#", 0, 100), ("pau", 100, 120), ("kcl", 120, 180), ("k", 180, 200), ("ae", 200, 300),
               ("q", 300, 320), ("tcl", 320, 380), ("s", 380, 450), ("epi", 450, 470), ("h#", 470, 500))
    got = [(s.label, round(s.start * 1000), round(s.end * 1000)) for s in fold_timed(ref)]
    # kcl k -> one k from the closure; q into ae; unreleased tcl -> t; epi+h# merged silence
    assert got == [("sil", 0, 120), ("k", 120, 200), ("ae", 200, 320), ("t", 320, 380), ("s", 380, 450),
                   ("sil", 450, 500)]


def test_boundary_case_with_merged_closure_computed_by_hand():
    ref = segs(("h#", 0, 100), ("bcl", 100, 150), ("b", 150, 170), ("iy", 170, 300), ("h#", 300, 400))
    # hypothesis puts b (no closure) at 140 ms: reference b starts at the closure, 100 ms -> error 40 ms
    hyp = segs(("sil", 0, 140), ("b", 140, 180), ("iy", 180, 310), ("sil", 310, 400))
    errors, misses = boundary_errors(ref, hyp)
    assert [round(e * 1000) for e in errors] == [40, 10, 10] and misses == 0
    s = BoundaryScore().add(ref, hyp)
    assert s.within(10) == pytest.approx(200 / 3) and s.within(50) == 100 and s.mean_ms == pytest.approx(20)


def test_missing_phone_counts_as_a_miss():
    ref = segs(("h#", 0, 100), ("s", 100, 200), ("t", 200, 250), ("aa", 250, 400), ("h#", 400, 500))
    hyp = segs(("sil", 0, 105), ("s", 105, 240), ("aa", 240, 400), ("sil", 400, 500))
    errors, misses = boundary_errors(ref, hyp)
    assert misses == 1 and [round(e * 1000) for e in errors] == [5, 10, 0]
    s = BoundaryScore().add(ref, hyp)
    assert s.within(20) == 75.0


def test_edit_alignment_by_hand():
    assert edit_alignment(list("abcd"), list("abd")) == [(0, 0), (1, 1), (2, None), (3, 2)]
    assert edit_alignment(list("abd"), list("axbd")) == [(0, 0), (None, 1), (1, 2), (2, 3)]
    assert edit_alignment([], list("ab")) == [(None, 0), (None, 1)]


def test_per_folds_to_39_and_counts_by_hand():
    ref = [["h#", "sh", "ix", "hv", "eh", "dcl", "h#"]]
    hyp = [["sil", "sh", "ih", "hh", "ae", "vcl", "sil"]]  # ix=ih, hv=hh, closures=sil; eh->ae is 1 sub
    r = per(ref, hyp)
    assert (r.errors, r.ref_len, r.substitutions) == (1, 6, 1)  # dcl+h# merge into one sil
    assert r.rate == pytest.approx(100 / 6)


def test_wer_and_per_speaker():
    refs = {"a1": "one two three", "a2": "four", "b1": "five six"}
    hyps = {"a1": "one too three", "a2": "four", "b1": "five six seven"}
    table = per_speaker(list(refs), {"a1": "A", "a2": "A", "b1": "B"},
                        {k: v.split() for k, v in refs.items()}, {k: v.split() for k, v in hyps.items()})
    assert table["A"].rate == 25.0 and table["B"].rate == 50.0 and table["all"].errors == 2
    assert wer(["a b c d"], ["a c d e"]).errors == 2


def test_uniform_baseline_on_the_shared_sample_matches_the_published_figure(timit_root):
    """A uniform segmentation between the true first and last speech boundaries: 21.0% within 20 ms."""
    from asr.corpus.timit import prepare_timit

    utts = [u for s in prepare_timit(timit_root, include_sa=True).values() for u in s]
    score = BoundaryScore()
    for u in utts:
        f = fold_timed(u.phones)
        s0, s1 = f[0].end, f[-1].start
        labels = [s.label for s in f if s.label != "sil"]
        d = (s1 - s0) / len(labels)
        hyp = ([Segment("sil", 0, s0)] + [Segment(l, s0 + i * d, s0 + (i + 1) * d) for i, l in enumerate(labels)]
               + [Segment("sil", s1, u.phones[-1].end)])
        score.add(u.phones, hyp)
    assert score.n == 3915
    assert score.within(20) == pytest.approx(21.0, abs=0.05)
