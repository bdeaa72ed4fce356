import pytest

from asr.phones import ARPABET, PHONES39, PHONES48, TIMIT61, PhoneError, UnitSet, arpabet_to48, fold, to39, to48


def test_set_sizes_and_closures():
    assert len(TIMIT61) == 61 and len(PHONES48) == 48 and len(PHONES39) == 39
    assert to48("kcl") == "cl" and to48("bcl") == "vcl" and to39("kcl") == "sil" and to39("vcl") == "sil"
    assert to48("h#") == to48("pau") == "sil" and to48("epi") == "epi" and to39("epi") == "sil"
    assert to48("q") is None and to39("ao") == "aa" and to39("zh") == "sh" and to39("ix") == "ih"
    assert fold(["h#", "q", "ix", "kcl", "k", "ax-h"], "39") == ["sil", "ih", "sil", "k", "ah"]


def test_every_arpabet_phone_maps_into_the_model_set():
    assert len(ARPABET) == 39
    assert {arpabet_to48(p) for p in ARPABET} <= set(PHONES48)
    assert arpabet_to48("AH0") == "ax" and arpabet_to48("AH1") == "ah" and arpabet_to48("IH0") == "ix"
    assert arpabet_to48("ER0") == "er" and arpabet_to48("t") == "t"
    with pytest.raises(PhoneError):
        arpabet_to48("XX")


def test_units_with_states():
    u = UnitSet(states_per_phone=3)
    assert len(u) == 144
    seq = u.units(["sil", "sil", "aa"])
    assert len(seq) == 9 and seq[:3] == seq[3:6]  # repeated phones are separate positions of the same units
    assert u.phone_of_unit(seq[-1]) == "aa" and u.name(seq[1]) == "sil_1"
    with pytest.raises(PhoneError):
        u.units(["kcl"])
