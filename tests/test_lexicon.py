import pytest

from asr.lexicon import (LexiconError, default_lexicon, format_oov_report, normalize_text, oov_report,
                         parse_lexicon, read_lexicon)


def test_cmudict_style_with_variants_and_stress():
    lex = parse_lexicon([";;; comment", "TOMATO  T AH0 M EY1 T OW2", "TOMATO(2)  T AH0 M AA1 T OW2", "READ R IY D"])
    assert lex.lookup("tomato") == [("t", "ax", "m", "ey", "t", "ow"), ("t", "ax", "m", "aa", "t", "ow")]
    assert lex.lookup("Read,") == [("r", "iy", "d")]


def test_timit_style_and_plain():
    lex = parse_lexicon(["; TIMIT", "about /ax b aw1 t/", "water /w ao1 dx axr/", "cat\tk ae t"])
    assert lex.lookup("about") == [("ax", "b", "aw", "t")]
    assert lex.lookup("WATER") == [("w", "ao", "dx", "er")]
    assert lex.lookup("cat") == [("k", "ae", "t")]


def test_malformed_lines_name_the_line(tmp_path):
    p = tmp_path / "d.dict"
    p.write_text("HELLO HH AH L OW\nBROKEN\n")
    with pytest.raises(LexiconError, match=r"d.dict:2: word 'BROKEN' has no pronunciation"):
        read_lexicon(p)
    with pytest.raises(LexiconError, match=r":1: .*XYZ"):
        parse_lexicon(["WORD XYZ AA"])
    with pytest.raises(LexiconError, match=r":1: expected 'word /ph1 ph2/'"):
        parse_lexicon(["word /aa b"])


def test_normalisation_is_shared_by_dictionary_and_transcripts():
    assert normalize_text("Don't ask me, \"Sir\"!  co-operate.") == ["don't", "ask", "me", "sir", "co-operate"]
    lex = parse_lexicon(["DON'T D OW N T"])
    assert "don't" in lex and "Don't," in lex


def test_default_english_dictionary_and_oov_report():
    lex = default_lexicon()
    assert len(lex) > 100000
    assert ("dh", "ax") in lex.lookup("the") and len(lex.lookup("the")) >= 2
    report = oov_report({"u1": "the zzyzxq cat", "u2": "zzyzxq again qwxv", "u3": "the cat"}, lex)
    assert report == {"qwxv": ["u2"], "zzyzxq": ["u1", "u2"]}
    assert format_oov_report(report).splitlines()[1] == "zzyzxq (2 utts): u1 u2"


def test_timit_words_are_mostly_in_the_default_dictionary(timit_root):
    from asr.corpus.timit import prepare_timit

    utts = [u for s in prepare_timit(timit_root, include_sa=True).values() for u in s]
    report = oov_report({u.utt_id: u.text for u in utts}, default_lexicon())
    words = {w for u in utts for w in normalize_text(u.text)}
    assert len(report) < 0.05 * len(words)
