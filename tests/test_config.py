import pytest

from asr.config import ConfigError, dump_yaml, load_yaml
from asr.train import TrainConfig


def test_yaml_round_trip_and_overrides(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("iterations: 7\nmodel:\n  hidden: 64\nfeatures:\n  kind: mfcc\n")
    cfg = load_yaml(TrainConfig, p, {"model.layers": 1, "lr": 0.01})
    assert (cfg.iterations, cfg.model.hidden, cfg.model.layers, cfg.features.kind, cfg.lr) == (7, 64, 1, "mfcc", 0.01)
    p.write_text(dump_yaml(cfg))
    assert load_yaml(TrainConfig, p) == cfg


@pytest.mark.parametrize("text,match", [
    ("iteratons: 3\n", "unknown key iteratons"),
    ("model:\n  hiden: 3\n", "unknown key model.hiden"),
    ("iterations: three\n", "iterations must be an integer"),
    ("features:\n  kind: plp\n", "kind must be one of fbank, mfcc"),
    ("- a\n- b\n", "top level must be a mapping"),
])
def test_bad_configs_name_the_key(tmp_path, text, match):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=match) as e:
        load_yaml(TrainConfig, p)
    assert str(p) in str(e.value)
