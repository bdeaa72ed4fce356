"""The recipes end to end on the shared corpora with tiny configs: every stage runs, the results files
exist, the figures are sane, a re-run skips finished work, and a wrong corpus path stops clearly."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

RECIPES = Path(__file__).resolve().parent.parent / "recipes"


def run(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def timit_run(timit_root, tmp_path_factory):
    work = tmp_path_factory.mktemp("timit_recipe")
    res = run(RECIPES / "timit" / "run.sh", "--timit", str(timit_root), "--work-dir", str(work),
              "--config", str(RECIPES / "timit" / "conf" / "tiny.yaml"), "--nj", "2")
    return work, res


def test_timit_recipe_runs_every_stage(timit_run):
    work, res = timit_run
    assert res.returncode == 0, res.stderr[-2000:]
    lines = [line for line in res.stdout.splitlines() if line.startswith("stage ")]
    assert [line.split(":")[0] for line in lines] == [f"stage {i}" for i in range(6)]
    for x in ("train", "test"):
        assert (work / "data" / x / "wav.scp").is_file() and (work / "data" / x / "text.phn").is_file()
    assert len(list((work / "exp" / "align_train").rglob("*.TextGrid"))) == 64
    assert len(list((work / "exp" / "align_train").rglob("*.PHN"))) == 64
    score = json.loads((work / "exp" / "decode_test" / "score.json").read_text())["all"]
    assert score["tokens"] > 1000 and 0 < score["rate"] < 100
    results = (work / "RESULTS.md").read_text()
    assert "| test |" in results and "tiny.yaml" in results
    within20 = float(re.search(r"<20ms\s+([\d.]+)%", results).group(1))
    assert within20 > 40.0  # the flat start is about 10%, uniform between true speech edges 21%


def test_timit_recipe_rerun_skips_training_and_bad_path_stops(timit_run, tmp_path):
    work, _ = timit_run
    res = run(RECIPES / "timit" / "run.sh", "--work-dir", str(work), "--stage", "2", "--stop-stage", "2",
              "--config", str(RECIPES / "timit" / "conf" / "tiny.yaml"))
    assert res.returncode == 0 and "exp/blstm/model.pt exists, skipped" in res.stdout
    res = run(RECIPES / "timit" / "run.sh", "--timit", str(tmp_path / "nowhere"), "--work-dir", str(tmp_path))
    assert res.returncode == 2 and "expected the LDC TIMIT tree" in res.stderr
    (tmp_path / "notimit").mkdir()
    res = run(RECIPES / "timit" / "run.sh", "--timit", str(tmp_path / "notimit"), "--work-dir", str(tmp_path))
    assert res.returncode == 2 and "not a TIMIT tree" in res.stderr
    res = run(RECIPES / "timit" / "run.sh", "--stagee", "1")
    assert res.returncode == 2 and "unknown option --stagee" in res.stderr


def test_digits_recipe_leave_one_speaker_out(fsdd_dir, tmp_path):
    res = run(RECIPES / "digits" / "run.sh", "--fsdd", str(fsdd_dir), "--work-dir", str(tmp_path), "--per-digit", "2",
              "--config", str(RECIPES / "digits" / "conf" / "tiny.yaml"), "--stop-stage", "3",
              "--synthetic", "false")
    assert res.returncode == 0, res.stderr[-2000:]
    results = (tmp_path / "RESULTS.md").read_text()
    folds = re.findall(r"^\| (\w+) \| 20 \| \d+ \| \d+ \| \d+ \| ([\d.]+) \|$", results, re.M)
    assert sorted(f[0] for f in folds) == ["george", "jackson", "lucas", "nicolas"]
    assert all(0 <= float(r) <= 100 for _, r in folds)
    assert "**mean**" in results
    hyp = (tmp_path / "exp" / "fold_george" / "decode" / "hyp.txt").read_text().split("\n")
    vocab = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
    assert all(set(line.split()[1:]) <= vocab for line in hyp if line)  # only dictionary words come out
