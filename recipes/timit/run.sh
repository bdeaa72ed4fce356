#!/usr/bin/env bash
# TIMIT phone recognition and alignment with asr, in Kaldi-style stages.
#
#   bash run.sh --timit /path/to/TIMIT [--stage N] [--stop-stage M] [--config conf/sample.yaml]
#               [--nj 2] [--nproc 1] [--device cpu] [--work-dir DIR]
#
#   --timit DIR      the LDC TIMIT tree (TRAIN/ and TEST/ inside; upper or lower case; default: the
#                    shared 12-speaker sample, $ASR_SHARED_DATA/timit-sample)
#   --config FILE    training config: conf/sample.yaml (small, the sample on a 2-core CPU) or conf/full.yaml
#   --nj N           worker processes for alignment and decoding
#   --nproc N        training processes (torchrun DistributedDataParallel; one per GPU on a GPU machine)
#   --device D       cpu or cuda
#   --work-dir DIR   where data/, exp/ and RESULTS.md go (default: this folder)
#
# Stages: 0 data: Kaldi data dirs (wav.scp, text, utt2spk, spk2utt, text.phn = 48-phone references)
#         1 features of every utterance into exp/feats (CMVN is applied when used)
#         2 flat-start Viterbi training on the train split's phone transcripts (times ignored)
#         3 alignments of the training set: TextGrid + .PHN, boundary agreement against the hand labels
#         4 decoding of dev and test with the phone loop (phone bigram of the training transcripts)
#         5 scoring: PER on the 39 folded phones; RESULTS.md with the figures, the config and the time
# Jobs run through $cmd (cmd.sh: local processes, or Slurm). Each stage logs under exp/ and prints one
# summary line; finished steps are skipped on a re-run (delete their output to redo them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
utils=$here/../utils
timit=${ASR_SHARED_DATA:-$root/../shared/data}/timit-sample
stage=0
stop_stage=5
config=$here/conf/sample.yaml
nj=2
nproc=1
device=cpu
work_dir=$here
. "$utils/parse_options.sh"
. "$here/cmd.sh"

config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
[ -f "$config" ] || { echo "run.sh: config $config not found" >&2; exit 2; }
timit=$(cd "$timit" 2>/dev/null && pwd) || { echo "run.sh: --timit $timit: no such folder (expected the LDC TIMIT tree with TRAIN/ and TEST/)" >&2; exit 2; }
mkdir -p "$work_dir/exp/log"
cd "$work_dir"
start=$(date +%s)
echo "$start" > exp/log/start_time

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  $cmd exp/log/prepare_data.log python3 "$here/local/prepare_data.py" "$timit" data \
    || { echo "run.sh: $timit is not a TIMIT tree it can read (see exp/log/prepare_data.log)" >&2; exit 2; }
  echo "stage 0: $(grep -v '^#' exp/log/prepare_data.log | grep utts | tail -n 1)"
fi

splits=$(for x in train dev test; do [ -f "data/$x/wav.scp" ] && echo $x; done || true)
[ -n "$splits" ] || { echo "run.sh: no data dirs under $work_dir/data (run stage 0)" >&2; exit 2; }
eval_sets=$(echo $splits | tr ' ' '\n' | grep -v '^train$' || true)

if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  $cmd exp/log/compute_features.log python3 "$here/local/compute_features.py" "$config" exp/feats \
    $(for x in $splits; do echo "data/$x"; done)
  echo "stage 1: $(grep -v '^#' exp/log/compute_features.log | grep cached | tail -n 1)"
fi

if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  if [ -f exp/blstm/model.pt ]; then
    echo "stage 2: exp/blstm/model.pt exists, skipped"
  else
    if [ "$nproc" -gt 1 ]; then train=(torchrun --nproc_per_node="$nproc" -m asr.cli.train); else train=(asr-train); fi
    resume=$([ -f exp/blstm/checkpoint.pt ] && echo --resume || true)
    $cmd exp/blstm/train_stage.log "${train[@]}" "$timit" exp/blstm --config "$config" --cache-dir exp/feats \
      --device "$device" --no-progress $resume
    echo "stage 2: $(grep 'iteration' exp/blstm/train.log | grep -v epoch | tail -n 1 | cut -d' ' -f4-)"
  fi
fi

if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  $cmd exp/align_train/align.log asr-align "$timit" exp/align_train --split train --model exp/blstm/model.pt \
    --transcripts phones --format textgrid,phn -j "$nj" --reference-dir "$timit" --device "$device" --no-progress
  echo "stage 3: $(grep 'boundary agreement' exp/align_train/align.log | tail -n 1)"
fi

if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  for x in $eval_sets; do
    $cmd exp/decode_$x/decode.log asr-transcribe data/$x --phones --model exp/blstm/model.pt -j "$nj" \
      -o exp/decode_$x/hyp.txt --device "$device" --no-progress
  done
  echo "stage 4: decoded $(cat $(for x in $eval_sets; do echo exp/decode_$x/hyp.txt; done) | wc -l) utterances ($eval_sets)"
fi

if [ "$stage" -le 5 ] && [ "$stop_stage" -ge 5 ]; then
  for x in $eval_sets; do
    $cmd exp/decode_$x/score.log asr-score data/$x/text.phn exp/decode_$x/hyp.txt --phones \
      --utt2spk data/$x/utt2spk --json exp/decode_$x/score.json
  done
  summary=$(python3 "$here/local/results.py" "$work_dir" "$config" "$timit" $(( $(date +%s) - $(cat exp/log/start_time) )))
  echo "stage 5: $summary"
fi
echo "done in $(( $(date +%s) - start )) s; results in $work_dir/RESULTS.md"
