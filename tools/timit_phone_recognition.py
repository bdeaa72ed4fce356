"""Phone recognition on TIMIT with the phone-loop decoder: a model trained on the TRAIN speakers
(``asr-train``), a phone bigram from the training transcripts, PER on the 39 folded phones per
speaker of the test set.

    asr-train ../shared/data/timit-sample exp/timit --config recipes/timit/conf/sample.yaml
    python tools/timit_phone_recognition.py exp/timit/model.pt ../shared/data/timit-sample [--lm-weight 1 --penalty 0]
"""
from __future__ import annotations

import argparse

from asr.aligner import utterance_audio
from asr.corpus.timit import prepare_timit
from asr.decode import estimate_bigram, greedy_decode, phone_loop_decode
from asr.features import compute_features, normalize
from asr.metrics import per_speaker, per
from asr.model import load_model
from asr.phones import fold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("timit")
    ap.add_argument("--lm-weight", type=float, default=1.0)
    ap.add_argument("--penalty", type=float, default=0.0, help="insertion penalty (log domain, per phone)")
    ap.add_argument("--include-sa", action="store_true")
    args = ap.parse_args()
    model = load_model(args.model)
    splits = prepare_timit(args.timit, include_sa=args.include_sa)
    start, big = estimate_bigram([fold(u.phone_labels, "48") for u in splits["train"]], model.units.phones)
    test = splits["test"]
    feats = {u.utt_id: compute_features(utterance_audio(u), model.features) for u in test}
    normed, _ = normalize(feats, model.features.cmvn, {u.utt_id: u.speaker for u in test}, model.cmvn)
    lps = dict(zip(normed, model.log_probs(list(normed.values()))))
    refs = {u.utt_id: fold(u.phone_labels, "48") for u in test}
    loop = {k: [s.label for s in phone_loop_decode(lp, model.units, start, big, args.lm_weight, args.penalty,
                                                   model.log_priors)] for k, lp in lps.items()}
    greedy = {k: [s.label for s in greedy_decode(lp, model.units)] for k, lp in lps.items()}
    spk = {u.utt_id: u.speaker for u in test}
    table = per_speaker([u.utt_id for u in test], spk, refs, loop, per)
    print(f"{len(test)} test utterances; PER on 39 phones (phone loop, lm weight {args.lm_weight}, "
          f"penalty {args.penalty})")
    for s, r in table.items():
        print(f"  {s:<8} {r.rate:6.1f}%  (sub {r.substitutions}, del {r.deletions}, ins {r.insertions}, n {r.ref_len})")
    g = per([refs[k] for k in refs], [greedy[k] for k in refs])
    print(f"greedy decoder for comparison: {g.rate:.1f}%")


if __name__ == "__main__":
    main()
