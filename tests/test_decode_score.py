import numpy as np
import pytest

from asr.cli.score import main as score_main
from asr.decode import greedy_decode
from asr.metrics import confusions, format_alignment
from asr.phones import UnitSet


def _posteriors(frame_units, num_units):
    lp = np.full((len(frame_units), num_units), np.log(0.01 / num_units), dtype=np.float32)
    lp[np.arange(len(frame_units)), frame_units] = np.log(0.99)
    return lp


def test_greedy_collapses_states_and_merges_repeats():
    units = UnitSet(states_per_phone=3)
    s, m, ah = (units.units([p]) for p in ("s", "m", "ah"))
    # "s ah m m ah": the two m's are separate phones in the truth
    frames = [s[0], s[1], s[2], ah[0], ah[1], ah[2], m[0], m[1], m[2], m[0], m[1], m[2], ah[0], ah[2]]
    segs = greedy_decode(_posteriors(frames, len(units)), units)
    # the naive decoder merges the repeated m: the failure the dictionary decoder exists to fix
    assert [x.label for x in segs] == ["s", "ah", "m", "ah"]
    assert (segs[2].start, segs[2].end) == (0.06, 0.12)


def test_greedy_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(T, 48\)"):
        greedy_decode(np.zeros((5, 3)), UnitSet())


def test_confusions_and_sclite_print():
    conf = confusions([["a", "b", "c"], ["a", "b"], ["c"]], [["a", "x", "c"], ["a", "x"], ["c", "y"]])
    assert conf == {("b", "x"): 2, ("***", "y"): 1}
    text = format_alignment(["the", "cat", "sat"], ["the", "bat", "sat", "down"])
    assert text.splitlines() == ["REF: the CAT sat ***", "HYP: the BAT sat DOWN", "         S       I"]


def test_asr_score_cli(tmp_path, capsys):
    ref = tmp_path / "ref.txt"
    hyp = tmp_path / "hyp.txt"
    ref.write_text("spk1_u1 one two three\nspk1_u2 four\nspk2_u1 five six\n")
    hyp.write_text("spk1_u1 one too three\nspk1_u2 four\nspk2_u1 Five, six seven\n")
    assert score_main([str(ref), str(hyp), "--show", "1"]) == 0
    out = capsys.readouterr().out
    lines = {l.split()[0]: l.split() for l in out.splitlines() if l.startswith(("spk", "all"))}
    assert lines["spk1"][-1] == "25.00%" and lines["spk2"][-1] == "50.00%" and lines["all"][-1] == "33.33%"
    assert "two -> too" in out and "*** -> seven" in out
    phn_ref = tmp_path / "p_ref.txt"
    phn_hyp = tmp_path / "p_hyp.txt"
    phn_ref.write_text("a_1 h# sh ix hv eh dcl h#\n")
    phn_hyp.write_text("a_1 sil sh ih hh ae vcl sil\n")
    assert score_main([str(phn_ref), str(phn_hyp), "--phones", "--show", "0"]) == 0
    assert "16.67%" in capsys.readouterr().out
    phn_hyp.write_text("a_1 sil zz\n")
    assert score_main([str(phn_ref), str(phn_hyp), "--phones"]) == 2


def test_phone_loop_recovers_a_planted_sequence_with_repeats():
    from asr.decode.phone_loop import estimate_bigram, phone_loop_decode

    units = UnitSet(states_per_phone=3)
    truth = ["sil", "m", "m", "ah", "sil"]  # a repeated phone: two passes through the chain
    frames, bounds, t = [], [], 0
    rng = np.random.default_rng(0)
    for p in truth:
        d = int(rng.integers(4, 9))
        seq = units.units([p])
        frames += [seq[min(3 * k // d, 2)] for k in range(d)]
        bounds.append(round(t * 0.01, 6))
        t += d
    lp = np.log(rng.dirichlet(np.ones(len(units)), size=len(frames)) * 0.5 + 1e-6)
    lp[np.arange(len(frames)), frames] = np.log(0.5)
    start, big = estimate_bigram([truth], units.phones)
    segs = phone_loop_decode(lp, units, start, big)
    assert [s.label for s in segs] == truth and [s.start for s in segs] == bounds


def test_phone_loop_bigram_and_insertion_penalty_decide_ambiguous_frames():
    from asr.decode.phone_loop import estimate_bigram, phone_loop_decode

    units = UnitSet(states_per_phone=1)
    i = units.index
    lp = np.full((12, len(units)), np.log(1e-4))
    lp[:, i["s"]] = lp[:, i["z"]] = np.log(0.45)  # s and z equally likely everywhere
    start, big = estimate_bigram([["s"]] * 10 + [["z"]], units.phones)
    assert [s.label for s in phone_loop_decode(lp, units, start, big)] == ["s"]
    start, big = estimate_bigram([["z"]] * 10 + [["s"]], units.phones)
    assert [s.label for s in phone_loop_decode(lp, units, start, big)] == ["z"]
    alt = lp.copy()
    alt[::2, i["s"]] = np.log(0.5)  # alternating evidence tempts insertions
    alt[1::2, i["z"]] = np.log(0.5)
    flat = np.zeros_like(big)
    many = phone_loop_decode(alt, units, np.zeros(len(units)), flat, insertion_penalty=0.0)
    few = phone_loop_decode(alt, units, np.zeros(len(units)), flat, insertion_penalty=-5.0)
    assert len(many) == 12 and len(few) == 1
