#!/usr/bin/env python3
"""Stage 5 of the TIMIT recipe: RESULTS.md from the scores, the alignment log, the config and the time.

    python local/results.py WORK_DIR CONFIG TIMIT_DIR SECONDS
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def main() -> int:
    work, config, timit, seconds = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    exp = work / "exp"
    rows = []
    for name in ("dev", "test"):
        f = exp / f"decode_{name}" / "score.json"
        if f.is_file():
            s = json.loads(f.read_text())["all"]
            rows.append((name, s))
    if not rows:
        print(f"results: no scores under {exp}/decode_*/score.json (run stages 4 and 5)", file=sys.stderr)
        return 2
    align_log = exp / "align_train" / "align.log"
    boundary = ""
    if align_log.is_file():
        m = re.findall(r"boundary agreement on (\d+) utterances: (.*)", align_log.read_text())
        boundary = f"{m[-1][1]} ({m[-1][0]} utterances)" if m else ""
    history = exp / "blstm" / "history.json"
    flat = ""
    if history.is_file():
        h = json.loads(history.read_text())
        if h and h[0].get("boundary_within_20ms") is not None:
            flat = f"{h[0]['boundary_within_20ms']:.1f}% within 20 ms at the flat start"
    lines = ["# TIMIT recipe results", "", f"Corpus: `{timit}`. Config: `{config.name}`. Wall time of the run: "
             f"{seconds / 60:.1f} min.", "",
             "| set | phones (39) | sub | del | ins | PER % |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {n} | {s['tokens']} | {s['sub']} | {s['del']} | {s['ins']} | {s['rate']:.2f} |" for n, s in rows]
    lines += ["", "Decoding: phone loop with the training transcripts' phone bigram (`asr-transcribe --phones`).", ""]
    if boundary:
        lines += [f"Training-set alignment (stage 3) against the hand labels: {boundary}"
                  + (f"; {flat}." if flat else "."), ""]
    lines += ["```yaml", config.read_text().rstrip(), "```", ""]
    tmp = work / "RESULTS.md.tmp"
    tmp.write_text("\n".join(lines))
    tmp.replace(work / "RESULTS.md")
    print("; ".join(f"{n} PER {s['rate']:.2f}%" for n, s in rows) + (f"; train alignment {boundary}" if boundary else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
