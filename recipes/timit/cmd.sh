# How each job runs (as Kaldi's cmd.sh): a launcher taking "LOG command args...".
# Local processes by default; on a Slurm cluster use  cmd="$utils/slurm.sh"  (see utils/slurm.sh).
cmd="$utils/run_local.sh"
