"""Shared fixtures: the real corpora (skipped with a reason where absent) and flite speech."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASR_SHARED_DATA", ROOT.parent / "shared" / "data"))
TIMIT = SHARED / "timit-sample"
FSDD = SHARED / "fsdd" / "recordings"


@pytest.fixture(scope="session")
def timit_root() -> Path:
    if not (TIMIT / "TIMIT").is_dir():
        pytest.skip(f"TIMIT sample not found at {TIMIT} (set ASR_SHARED_DATA)")
    return TIMIT


@pytest.fixture(scope="session")
def fsdd_dir() -> Path:
    if not FSDD.is_dir():
        pytest.skip(f"FSDD recordings not found at {FSDD} (set ASR_SHARED_DATA)")
    return FSDD


def flite_available() -> bool:
    return shutil.which("flite") is not None


@pytest.fixture(scope="session")
def flite():
    if not flite_available():
        pytest.skip("flite is not installed (apt-get install flite)")
    return synth


def synth(text: str, out: Path, voice: str = "kal") -> list[tuple[str, float]]:
    """Synthesise ``text`` to ``out`` (wav) with flite; returns (phone, end time in s) from -psdur."""
    res = subprocess.run(["flite", "-voice", voice, "-psdur", "-t", text, "-o", str(out)],
                         check=True, capture_output=True, text=True)
    pairs = []
    for tok in res.stdout.split():
        if ":" in tok:
            ph, end = tok.rsplit(":", 1)
            pairs.append((ph, float(end)))
    return pairs


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
