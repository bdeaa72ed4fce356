"""asr-score: error rates of hypotheses against references, per speaker, with the most frequent
confusions and sclite-style aligned prints."""
from __future__ import annotations

import sys
from pathlib import Path

from . import parser

EXAMPLE = """asr-score data/test/text exp/decode_test/hyp.txt --utt2spk data/test/utt2spk
  asr-score ref_phones.txt hyp_phones.txt --phones      # PER after folding to the 39 TIMIT phones"""


def read_text_table(path: str) -> dict[str, list[str]]:
    """A Kaldi ``text``-style file: ``utt-id token token ...`` per line."""
    out: dict[str, list[str]] = {}
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if parts[0] in out:
            raise ValueError(f"{path}:{lineno}: utterance {parts[0]!r} appears twice")
        out[parts[0]] = parts[1:]
    return out


def speaker_of(utt: str) -> str:
    """Kaldi convention: the speaker id prefixes the utterance id (``spk_utt`` or ``spk-utt``)."""
    for sep in ("_", "-"):
        if sep in utt:
            return utt.split(sep, 1)[0]
    return utt


def main(argv: list[str] | None = None) -> int:
    p = parser("asr-score", "Score hypotheses against references: WER (default) or PER on the 39 folded "
               "TIMIT phones (--phones); per-speaker table, frequent confusions, aligned prints.", EXAMPLE)
    p.add_argument("ref", help="reference text file (utt-id tokens...)")
    p.add_argument("hyp", help="hypothesis text file (utt-id tokens...)")
    p.add_argument("--phones", action="store_true", help="tokens are phones: fold to 39 and report PER")
    p.add_argument("--utt2spk", help="utt2spk file (default: the utterance id's prefix)")
    p.add_argument("--confusions", type=int, default=10, help="how many frequent confusions to list")
    p.add_argument("--show", type=int, default=5, help="aligned prints of the N worst utterances (0: none)")
    p.add_argument("--json", help="also write the per-speaker figures to this JSON file (for recipes)")
    args = p.parse_args(argv)
    from ..lexicon import normalize_text
    from ..metrics import confusions, error_rate, format_alignment, per, per_speaker
    from ..phones import PhoneError

    try:
        refs, hyps = read_text_table(args.ref), read_text_table(args.hyp)
        spk = dict(line.split()[:2] for line in Path(args.utt2spk).read_text().splitlines() if line.strip()) \
            if args.utt2spk else {}
    except (OSError, ValueError) as e:
        print(f"asr-score: {e}", file=sys.stderr)
        return 2
    if not refs:
        print(f"asr-score: {args.ref}: no references", file=sys.stderr)
        return 2
    missing = sorted(set(refs) - set(hyps))
    if missing:
        print(f"asr-score: {len(missing)} utterances have no hypothesis (scored as all deleted): "
              f"{' '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}", file=sys.stderr)
    utts = sorted(refs)
    if not args.phones:
        refs = {u: normalize_text(" ".join(t)) for u, t in refs.items()}
        hyps = {u: normalize_text(" ".join(t)) for u, t in hyps.items()}
    hyps = {u: hyps.get(u, []) for u in utts}
    scorer = per if args.phones else error_rate
    try:
        table = per_speaker(utts, {u: spk.get(u, speaker_of(u)) for u in utts}, refs, hyps, scorer)
    except PhoneError as e:
        print(f"asr-score: {e}", file=sys.stderr)
        return 2
    name = "PER (39 phones)" if args.phones else "WER"
    print(f"{'speaker':<12} {'tokens':>7} {'sub':>5} {'del':>5} {'ins':>5} {name:>16}")
    for s, r in table.items():
        print(f"{s:<12} {r.ref_len:>7} {r.substitutions:>5} {r.deletions:>5} {r.insertions:>5} {r.rate:>15.2f}%")
    if args.json:
        import json

        from ..io.atomic import atomic_write_text

        atomic_write_text(args.json, json.dumps({s: {"tokens": r.ref_len, "sub": r.substitutions, "del": r.deletions,
                                                     "ins": r.insertions, "rate": round(r.rate, 3)}
                                                 for s, r in table.items()} | {"metric": name}, indent=1))
    if args.phones:
        from ..metrics import fold39_sequence as fold
        rs, hs = [fold(refs[u]) for u in utts], [fold(hyps[u]) for u in utts]
    else:
        rs, hs = [refs[u] for u in utts], [hyps[u] for u in utts]
    conf = list(confusions(rs, hs).items())[:args.confusions]
    if conf:
        print("\nmost frequent errors (ref -> hyp, *** = nothing):")
        for (a, b), n in conf:
            print(f"  {n:5d}  {a} -> {b}")
    if args.show:
        worst = sorted(range(len(utts)), key=lambda i: -error_rate([rs[i]], [hs[i]]).errors)[:args.show]
        for i in worst:
            print(f"\n{utts[i]}\n{format_alignment(rs[i], hs[i])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
