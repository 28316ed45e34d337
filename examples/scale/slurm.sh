#!/bin/bash
# Solve the parts of a partitioned placement as a Slurm job array, one part per task.
# Submit: jid=$(sbatch --parsable slurm.sh)
# Merge:  sbatch --dependency=afterany:"$jid" --wrap 'archc merge placement.arch parts/*.json --out plan.txt'
#SBATCH --job-name=archc-parts
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --time=00:20:00
set -euo pipefail
mkdir -p parts
archc solve placement.arch --partition jobs:4 --shard auto/4 \
    --time-limit 600 --quiet --out "parts/part-${SLURM_ARRAY_TASK_ID}.json"
