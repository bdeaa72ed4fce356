#!/usr/bin/env bash
# Free Spoken Digit recognition, leave one speaker out, in Kaldi-style stages.
#
#   bash run.sh [--fsdd DIR] [--stage N] [--stop-stage M] [--config conf/digits.yaml] [--nj 2]
#               [--per-digit N] [--synthetic true] [--work-dir DIR] [--install-model false]
#
#   --fsdd DIR          folder of {digit}_{speaker}_{n}.wav files (default: $ASR_SHARED_DATA/fsdd/recordings)
#   --per-digit N       use only the first N recordings per speaker and digit (0: all; small N for a quick test)
#   --synthetic B       add flite's four voices saying the digits (12 rate/pitch variants each, 8 kHz) to
#                       every training set (never to a test set): more speakers for the phone models
#   --work-dir DIR      where data/, exp/ and RESULTS.md go (default: this folder)
#   --install-model B   stage 4 copies the all-speaker model into the package (asr/data/models/digits.pt)
#
# Stages: 0 data: Kaldi data dirs for each fold (train on the other speakers, test on one) and for all
#         1 train one model per fold (flat-start Viterbi training, words through the digit dictionary)
#         2 decode each held-out speaker with the ten-word dictionary decoder
#         3 score: WER per fold and mean, into RESULTS.md
#         4 train on every speaker: the model asr-transcribe ships as its embedded default
# Every stage logs to a file under exp/ and prints one summary line; a finished step is skipped on re-run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
utils=$here/../utils
fsdd=${ASR_SHARED_DATA:-$root/../shared/data}/fsdd/recordings
stage=0
stop_stage=4
config=$here/conf/digits.yaml
nj=2
per_digit=0
synthetic=true
work_dir=$here
install_model=false
. "$utils/parse_options.sh"
. "$here/cmd.sh"

config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
mkdir -p "$work_dir"
cd "$work_dir"
start=$(date +%s)
[ -f "$config" ] || { echo "run.sh: config $config not found" >&2; exit 2; }

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  [ -d "$fsdd" ] || { echo "run.sh: --fsdd $fsdd: no such folder (expected {digit}_{speaker}_{n}.wav files)" >&2; exit 2; }
  extra=()
  if [ "$synthetic" = true ]; then
    $cmd exp/log/synth_digits.log python3 "$here/local/synth_digits.py" data/local/synth
    extra=(--extra "$PWD/data/local/synth")
  fi
  $cmd exp/log/prepare_data.log python3 "$here/local/prepare_data.py" "$fsdd" data --per-digit "$per_digit" "${extra[@]}"
  echo "stage 0: $(tail -n 2 exp/log/prepare_data.log | head -n 1)"
fi

folds=$(cd data && ls -d fold_* 2>/dev/null | sed 's/^fold_//' || true)
[ -n "$folds" ] || { echo "run.sh: no folds under $work_dir/data (run stage 0)" >&2; exit 2; }

train() {  # data_dir exp_dir
  if [ -f "$2/model.pt" ]; then echo "  $2/model.pt exists, skipped"; return; fi
  $cmd "$2/train_stage.log" asr-train "$1" "$2" --config "$config" --dict data/lang/lexicon.txt --no-progress
}

if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  for spk in $folds; do train "data/fold_$spk/train" "exp/fold_$spk"; done
  echo "stage 1: trained $(echo $folds | wc -w) fold models under exp/fold_*"
fi

if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  for spk in $folds; do
    $cmd "exp/fold_$spk/decode/decode.log" asr-transcribe "data/fold_$spk/test" --model "exp/fold_$spk/model.pt" \
      --dict data/lang/lexicon.txt -j "$nj" -o "exp/fold_$spk/decode/hyp.txt" --no-progress
  done
  echo "stage 2: decoded $(cat exp/fold_*/decode/hyp.txt | wc -l) held-out recordings"
fi

if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  for spk in $folds; do
    $cmd "exp/fold_$spk/decode/score.log" asr-score "data/fold_$spk/test/text" "exp/fold_$spk/decode/hyp.txt" \
      --utt2spk "data/fold_$spk/test/utt2spk" --json "exp/fold_$spk/decode/score.json"
  done
  summary=$(python3 "$here/local/results.py" exp "$config" RESULTS.md $(( $(date +%s) - start )))
  echo "stage 3: $summary"
fi

if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  train data/all exp/all
  if [ "$install_model" = true ]; then
    mkdir -p "$root/asr/data/models"
    cp exp/all/model.pt "$root/asr/data/models/digits.pt.tmp" && mv "$root/asr/data/models/digits.pt.tmp" "$root/asr/data/models/digits.pt"
  fi
  echo "stage 4: all-speaker model exp/all/model.pt$([ "$install_model" = true ] && echo ", installed as asr/data/models/digits.pt")"
fi
echo "done in $(( $(date +%s) - start )) s; results in $work_dir/RESULTS.md"
