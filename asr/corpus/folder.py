"""The aligner's folder layout (as the Montreal Forced Aligner accepts): audio files, each beside a
``.lab`` or ``.txt`` transcript of the same name; the parent folder names the speaker."""
from __future__ import annotations

from pathlib import Path

from .utterance import CorpusError, Utterance

AUDIO_SUFFIXES = (".wav", ".flac", ".sph", ".ogg")
TRANSCRIPT_SUFFIXES = (".lab", ".txt")


def read_folder(path: str | Path) -> list[Utterance]:
    """Every audio file below ``path`` that has a transcript beside it.

    Audio without a transcript is listed in the error only when *no* file has one.
    """
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    utts, orphans = [], []
    for audio in sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()):
        transcript = next((audio.with_suffix(s) for s in TRANSCRIPT_SUFFIXES + tuple(x.upper() for x in TRANSCRIPT_SUFFIXES)
                           if audio.with_suffix(s).is_file()), None)
        if transcript is None:
            orphans.append(audio)
            continue
        text = transcript.read_text(encoding="utf-8", errors="replace")
        if transcript.suffix.lower() == ".txt":
            from ..io.timit_labels import read_txt

            text = read_txt(transcript)
        rel = audio.relative_to(root).with_suffix("")
        speaker = rel.parts[-2] if len(rel.parts) > 1 else audio.stem
        utt_id = "-".join(rel.parts)
        utts.append(Utterance(utt_id, speaker, str(audio), " ".join(text.split()), rel=str(rel)))
    if not utts:
        hint = f" ({len(orphans)} audio files have no .lab/.txt beside them)" if orphans else ""
        raise CorpusError(f"{root}: no audio file with a .lab/.txt transcript of the same name{hint}")
    return utts
