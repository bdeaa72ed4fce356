"""TIMIT in the LDC layout: ``TIMIT/{TRAIN,TEST}/DRn/SPKR/UTT.{WAV,PHN,WRD,TXT}``.

Upper or lower case names, SPHERE or RIFF audio. ``prepare_timit`` returns the standard splits
(462-speaker train, 50-speaker dev, 24-speaker core test); the dev and core-test speaker lists are
data files in ``asr/data``, and the training set is every speaker of the TRAIN folder (462 on the full corpus). A corpus without those speakers (such as a sample) falls back to its
own TRAIN/TEST folders, and says so in the log.
"""
from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from ..io.timit_labels import read_labels, read_txt
from ..phones import TIMIT61
from .utterance import CorpusError, Utterance

log = logging.getLogger(__name__)


def speaker_list(name: str) -> list[str]:
    """A speaker list shipped in ``asr/data`` (``dev`` or ``core_test``), lower case."""
    text = resources.files("asr.data").joinpath(f"timit_{name}_spk.list").read_text()
    return [w.lower() for line in text.splitlines() if not line.startswith("#") for w in line.split()]


def _child(parent: Path, name: str) -> Path | None:
    """The child of ``parent`` called ``name`` in any case."""
    for p in parent.iterdir():
        if p.name.lower() == name.lower():
            return p
    return None


def find_timit_root(path: str | Path) -> Path | None:
    """The folder holding TRAIN/TEST (``path`` itself, or its ``TIMIT`` child), else ``None``."""
    path = Path(path)
    if not path.is_dir():
        return None
    for cand in (path, _child(path, "timit"), _child(path, "data")):
        if cand is not None and cand.is_dir() and (_child(cand, "train") or _child(cand, "test")):
            return cand
    return None


def _read_utterance(spk_dir: Path, stem: str, files: dict[str, Path]) -> Utterance:
    spk = spk_dir.name.lower()
    audio = files.get("wav")
    if audio is None:
        raise CorpusError(f"{spk_dir / stem}: no .WAV file beside the labels")
    phones = tuple(read_labels(files["phn"], known=TIMIT61)) if "phn" in files else None
    words = tuple(read_labels(files["wrd"])) if "wrd" in files else None
    if "txt" in files:
        text = read_txt(files["txt"])
    else:
        text = " ".join(w.label for w in words or ())
    root = spk_dir.parent.parent.parent
    rel = str((spk_dir / stem).relative_to(root))
    return Utterance(f"{spk}_{stem.lower()}", spk, str(audio), text, phones, words, rel=rel)


def read_timit_folder(split_dir: Path, include_sa: bool = False) -> list[Utterance]:
    """All utterances below one TIMIT split folder (``TRAIN`` or ``TEST``)."""
    utts = []
    for dr in sorted(p for p in split_dir.iterdir() if p.is_dir()):
        for spk_dir in sorted(p for p in dr.iterdir() if p.is_dir()):
            groups: dict[str, dict[str, Path]] = {}
            for f in spk_dir.iterdir():
                ext = f.suffix.lower().lstrip(".")
                if ext in ("wav", "phn", "wrd", "txt"):
                    groups.setdefault(f.stem.upper(), {})[ext] = f
            for stem in sorted(groups):
                if not include_sa and stem.startswith("SA"):
                    continue
                utts.append(_read_utterance(spk_dir, groups[stem]["wav"].stem if "wav" in groups[stem]
                                            else stem, groups[stem]))
    return utts


def prepare_timit(path: str | Path, include_sa: bool = False) -> dict[str, list[Utterance]]:
    """Read a TIMIT tree into ``{"train", "dev", "test"}`` utterance lists.

    Standard splits when the corpus holds the core-test speakers; otherwise TRAIN -> train,
    TEST -> test and an empty dev set (logged). SA sentences are excluded unless ``include_sa``.
    """
    root = find_timit_root(path)
    if root is None:
        raise CorpusError(f"{path}: not a TIMIT tree (expected TRAIN/ and TEST/ folders, "
                          f"e.g. TIMIT/TRAIN/DR1/FCJF0/SA1.WAV)")
    train_dir, test_dir = _child(root, "train"), _child(root, "test")
    train = read_timit_folder(train_dir, include_sa) if train_dir else []
    test_all = read_timit_folder(test_dir, include_sa) if test_dir else []
    core, dev_spk = set(speaker_list("core_test")), set(speaker_list("dev"))
    test_spk = {u.speaker for u in test_all}
    if test_spk & core:
        test = [u for u in test_all if u.speaker in core]
        dev = [u for u in test_all if u.speaker in dev_spk]
        log.info("TIMIT %s: standard splits: %d train, %d dev (%d speakers), %d core test (%d speakers)",
                 root, len(train), len(dev), len({u.speaker for u in dev}), len(test), len({u.speaker for u in test}))
    else:
        test, dev = test_all, []
        log.warning("TIMIT %s: none of the 24 core-test speakers is present; falling back to the corpus's "
                    "own folders: TRAIN -> train (%d utts), TEST -> test (%d utts), no dev set",
                    root, len(train), len(test))
    if not train and not test_all:
        raise CorpusError(f"{root}: TIMIT folders hold no utterances (expected DRn/SPEAKER/UTT.WAV)")
    return {"train": train, "dev": dev, "test": test}
