"""Property-based tests for the parsers: round trips hold, malformed text gives the clear error."""
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asr.corpus.kaldi_dir import read_kaldi_dir, write_kaldi_dir
from asr.corpus.utterance import Utterance
from asr.io.timit_labels import LabelError, format_labels, parse_labels
from asr.io.writers import AlignedUtterance, read_textgrid_phones, write_textgrid
from asr.lexicon import LexiconError, parse_lexicon
from asr.phones import ARPABET, PHONES48, TIMIT61
from asr.segment import Segment

durations = st.lists(st.integers(1, 4000), min_size=1, max_size=30)


@given(durations, st.data())
def test_phn_round_trip(durs, data):
    labels = data.draw(st.lists(st.sampled_from(TIMIT61), min_size=len(durs), max_size=len(durs)))
    t, lines = 0, []
    for d, lab in zip(durs, labels):
        lines.append(f"{t} {t + d} {lab}")
        t += d
    text = "\n".join(lines) + "\n"
    assert format_labels(parse_labels(text, known=TIMIT61)) == text


@given(st.text(alphabet=string.printable, max_size=200))
def test_phn_garbage_gives_label_error_or_parses(text):
    try:
        segs = parse_labels(text, known=TIMIT61)
    except LabelError as e:
        assert str(e).startswith("<labels>:") and "\n" not in str(e)
    else:
        assert all(s.end > s.start and s.label in TIMIT61 for s in segs)


words = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=10)


@given(st.dictionaries(words, st.lists(st.lists(st.sampled_from(ARPABET), min_size=1, max_size=6), min_size=1,
                                       max_size=3), min_size=1, max_size=20))
def test_cmudict_round_trip(entries):
    lines = []
    for w, prons in entries.items():
        for k, pron in enumerate(prons):
            lines.append(f"{w.upper()}{f'({k + 1})' if k else ''}  {' '.join(pron)}")
    lex = parse_lexicon(lines)
    for w, prons in entries.items():
        expected = []
        for pron in prons:
            mapped = tuple(p.lower() for p in pron)
            if mapped not in expected:
                expected.append(mapped)
        assert lex.lookup(w) == expected
        assert all(set(p) <= set(PHONES48) for p in lex.lookup(w))


@given(st.lists(st.text(alphabet=string.printable, max_size=40), max_size=10))
def test_dictionary_garbage_gives_lexicon_error_or_parses(lines):
    try:
        parse_lexicon(lines)
    except LexiconError as e:
        assert str(e).startswith("<dictionary>:") and "\n" not in str(e)


ids = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(st.dictionaries(ids, st.tuples(ids, st.lists(words, max_size=6)), min_size=1, max_size=10))
def test_kaldi_dir_round_trip(tmp_path, utts):
    recs = [Utterance(u, spk, f"/data/{u}.wav", " ".join(ws)) for u, (spk, ws) in utts.items()]
    d = Path(tmp_path) / f"d{abs(hash(tuple(utts))) % 10**9}"
    write_kaldi_dir(recs, d)
    back = read_kaldi_dir(d)
    assert [(u.utt_id, u.speaker, u.audio, u.text) for u in back] == \
        sorted((u.utt_id, u.speaker, u.audio, u.text) for u in recs)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(st.lists(st.tuples(st.sampled_from(PHONES48), st.integers(1, 30)), min_size=1, max_size=25))
def test_textgrid_round_trip(tmp_path, phones):
    t, segs = 0, []
    for p, d in phones:
        segs.append(Segment(p, t / 100, (t + d) / 100))
        t += d
    path = Path(tmp_path) / f"x{abs(hash(tuple(phones))) % 10**9}.TextGrid"
    write_textgrid(path, AlignedUtterance("u", [], segs, t / 100))
    back = read_textgrid_phones(path)
    merged = [s for s in back if s.label != "sil"]
    assert [(s.label, round(s.start, 2), round(s.end, 2)) for s in merged] == \
        [(s.label, round(s.start, 2), round(s.end, 2)) for s in segs if s.label != "sil"]


@given(st.lists(st.tuples(words, st.integers(0, 5000), st.integers(1, 500), st.integers(-500, 500)),
                min_size=1, max_size=20))
def test_ctm_round_trip(rows):
    from asr.io.writers import format_ctm, parse_ctm

    segs = [Segment(w, s / 100, (s + d) / 100, sc / 4) for w, s, d, sc in rows]
    text = format_ctm(AlignedUtterance("utt1", segs, [], 100.0))
    back = parse_ctm(text)["utt1"]
    assert [(b.label, round(b.start, 2), round(b.end, 2), round(b.score, 2)) for b in back] == \
           [(x.label, round(x.start, 2), round(x.end, 2), round(x.score, 2)) for x in segs]


@given(st.text(alphabet=string.printable, max_size=200))
def test_ctm_garbage_gives_label_error_or_parses(text):
    from asr.io.writers import parse_ctm

    try:
        parsed = parse_ctm(text, "x.ctm")
    except LabelError as e:
        assert str(e).startswith("x.ctm:") and "\n" not in str(e)
    else:
        assert all(s.end > s.start >= 0 for segs in parsed.values() for s in segs)
