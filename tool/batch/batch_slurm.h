/*
 * Slurm submission for batch mode: a job script that runs the manifest as
 * an array, one task per job (`dialogueduck batch MANIFEST --task env`),
 * with a limit on how many tasks run at once, handed to sbatch.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_SLURM_H
#define DD_BATCH_SLURM_H

#include <stdio.h>

typedef struct BatchSlurm {
    const char *exe;           /**< absolute path of the program */
    const char *manifest;      /**< absolute path of the manifest */
    const char *workdir;       /**< absolute; tasks run there */
    char *const *task_args;    /**< extra arguments for every task */
    int nb_task_args;
    char *const *sbatch_args;  /**< given to sbatch, override the script's */
    int nb_sbatch_args;
    int nb_jobs;               /**< array 0..nb_jobs-1 */
    int limit;                 /**< at most this many tasks at once */
} BatchSlurm;

/** Write the job script. Returns 0 or -1 on a write error. */
int batch_slurm_write_script(FILE *fp, const BatchSlurm *s);

/**
 * Submit the script with `sbatch --parsable [sbatch_args]` (script on its
 * standard input); sbatch prints the job id on stdout. Returns sbatch's
 * exit code, or 127 if it cannot be run.
 */
int batch_slurm_submit(const BatchSlurm *s);

#endif /* DD_BATCH_SLURM_H */
