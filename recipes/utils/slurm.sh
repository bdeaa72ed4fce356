#!/usr/bin/env bash
# Run one job through Slurm (srun blocks until it ends), logging to a file:
#   utils/slurm.sh LOG command args...
# Options for srun come from SLURM_OPTS, e.g. export SLURM_OPTS="--partition=gpu --gres=gpu:1 --time=4:00:00".
# Select it in a recipe's cmd.sh:  cmd="utils/slurm.sh"
log=$1; shift
mkdir -p "$(dirname "$log")"
# shellcheck disable=SC2086
srun ${SLURM_OPTS:-} --output="$log" --error="$log" "$@"
