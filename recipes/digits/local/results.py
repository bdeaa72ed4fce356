#!/usr/bin/env python3
"""Stage 3 of the digits recipe: collect each fold's score into RESULTS.md (per fold and mean WER).

    python local/results.py EXP_DIR CONFIG RESULTS_MD SECONDS
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    exp, config, out, seconds = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
    rows = []
    for f in sorted(exp.glob("fold_*/decode/score.json")):
        s = json.loads(f.read_text())["all"]
        rows.append((f.parts[-3].removeprefix("fold_"), s))
    if not rows:
        print(f"results: no fold scores under {exp}/fold_*/decode/score.json", file=sys.stderr)
        return 2
    mean = sum(s["rate"] for _, s in rows) / len(rows)
    lines = ["# Digits recipe results", "",
             "Leave one speaker out: train on the other speakers, decode the held-out one with the ten-word",
             "dictionary decoder (flat word loop). Word error rate per held-out speaker:", "",
             "| held-out speaker | words | sub | del | ins | WER % |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {spk} | {s['tokens']} | {s['sub']} | {s['del']} | {s['ins']} | {s['rate']:.2f} |" for spk, s in rows]
    lines += [f"| **mean** | | | | | **{mean:.2f}** |", "",
              f"Wall time of the run: {seconds / 60:.1f} min. Config (`{config.name}`):", "", "```yaml",
              config.read_text().rstrip(), "```", ""]
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(out)
    folds = ", ".join(f"{k} {s['rate']:.2f}" for k, s in rows)
    print(f"mean WER over {len(rows)} folds: {mean:.2f}% ({folds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
