/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* MPI for `zslab filter` under mpirun or srun. Only the tool links MPI, and only when built
 * with ZS_WITH_MPI; the library never does. MPI is initialised only when the launcher's
 * environment shows more than one rank, so a plain `zslab` never pays for MPI_Init (nor
 * for OpenMPI's slow singleton start). Ranks talk only at a few collective points (see
 * filter_journal.c): every rank reaches each of them whatever happened, so a failing rank
 * makes the job fail with its message instead of hanging it. */
#define _GNU_SOURCE

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifdef ZS_HAVE_MPI
#include <mpi.h>
#endif

int cli_mpi_built(void)
{
#ifdef ZS_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

static long env_long(const char *name)
{
    const char *e = getenv(name);
    return e && *e ? strtol(e, NULL, 10) : 0;
}

/* Ranks the launcher started: OpenMPI's mpirun, MPICH/Intel's hydra (PMI), srun with PMIx.
 * A zslab built without MPI also counts the tasks of any srun step (SLURM_PROCID is set in
 * every task srun starts): it cannot tell its task from the others, so `srun -n 4 zslab`
 * would have four processes write the whole output. */
static long launch_size(void)
{
    long n = env_long("OMPI_COMM_WORLD_SIZE");
    if (!n) n = env_long("PMI_SIZE");
    if (!n && getenv("PMIX_RANK")) {
        n = env_long("SLURM_STEP_NUM_TASKS");
        if (!n) n = env_long("SLURM_NTASKS");
    }
#ifndef ZS_HAVE_MPI
    if (!n && getenv("SLURM_PROCID")) n = env_long("SLURM_STEP_NUM_TASKS");
#endif
    return n;
}

int cli_mpi_launched(void)
{
    const char *force = getenv("ZS_MPI");
    if (force && *force) return strcmp(force, "0") != 0;
    return launch_size() > 1;
}

int cli_mpi_start(cli_mpi *m)
{
    memset(m, 0, sizeof *m);
    m->size = m->local_size = 1;
    if (!cli_mpi_launched()) return 0;
#ifdef ZS_HAVE_MPI
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cli_error("MPI_Init failed");
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    m->active = 1; /* even with one rank: MPI_Finalize is owed */
    if (m->size == 1 && launch_size() > 1) {
        /* e.g. MPICH's mpiexec starting a zslab linked with OpenMPI: each rank is alone */
        cli_error("the launcher started %ld ranks, but MPI sees only this one (an mpirun of another MPI than the "
                  "one zslab was built with?): every rank would write the whole output",
                  launch_size());
        MPI_Finalize();
        m->active = 0;
        return -1;
    }
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &m->local_size);
        MPI_Comm_free(&node);
    }
    return 0;
#else
    cli_error("started by an MPI launcher with %ld ranks, but this zslab was built without MPI: every rank would "
              "write the whole output. Rebuild with MPI (libopenmpi-dev; cmake -DZS_WITH_MPI=ON), or run a job "
              "array with --part I/N",
              launch_size());
    return -1;
#endif
}

/* Severity: an error (1, 2, other) beats an interruption (75), which beats success. */
static int severity(int rc) { return rc == CLI_EXIT_OK ? 0 : rc == CLI_EXIT_INTERRUPTED ? 1 : 2; }

int cli_mpi_agree(const cli_mpi *m, int rc)
{
#ifdef ZS_HAVE_MPI
    if (!m->active) return rc;
    int sev = severity(rc), worst_sev, code, worst_code;
    MPI_Allreduce(&sev, &worst_sev, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    code = sev == worst_sev ? rc : -1; /* the largest code of the worst kind */
    MPI_Allreduce(&code, &worst_code, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return worst_code;
#else
    (void)m;
    return rc;
#endif
}

int64_t cli_mpi_bcast(const cli_mpi *m, int64_t v)
{
#ifdef ZS_HAVE_MPI
    if (m->active) MPI_Bcast(&v, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
#else
    (void)m;
#endif
    return v;
}

void cli_mpi_reduce_stats(const cli_mpi *m, zs_run_stats *rs)
{
#ifdef ZS_HAVE_MPI
    if (!m->active) return;
    double tmax = rs->seconds, sums[3] = {rs->load_seconds, rs->compute_seconds, rs->store_seconds}, s3[3];
    uint64_t u[3] = {rs->voxels, rs->bytes_read, rs->bytes_written}, u3[3];
    int threads = rs->threads;
    MPI_Allreduce(MPI_IN_PLACE, &tmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(sums, s3, 3, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(u, u3, 3, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &threads, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    rs->seconds = tmax;
    rs->load_seconds = s3[0], rs->compute_seconds = s3[1], rs->store_seconds = s3[2];
    rs->voxels = u3[0], rs->bytes_read = u3[1], rs->bytes_written = u3[2];
    rs->threads = threads;
#else
    (void)m, (void)rs;
#endif
}

void cli_mpi_barrier(const cli_mpi *m)
{
#ifdef ZS_HAVE_MPI
    if (m->active) MPI_Barrier(MPI_COMM_WORLD);
#else
    (void)m;
#endif
}

void cli_mpi_end(cli_mpi *m)
{
#ifdef ZS_HAVE_MPI
    if (m->active) MPI_Finalize();
#endif
    m->active = 0;
}

void cli_mpi_share_node(const cli_mpi *m, int *threads, int *bind)
{
    if (!m->active || m->local_size < 2) return;
    cpu_set_t set;
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < online) return; /* bound by the launcher */
    /* Every rank of this node sees every core: share them, and leave binding to nobody
     * (each rank would bind its worker i to core i, all on the same cores). */
    *bind = 0;
    const char *t = getenv("ZS_THREADS"), *omp = getenv("OMP_NUM_THREADS");
    if (*threads == 0 && !(t && *t) && !(omp && *omp)) {
        int n = zs_sys_threads() / m->local_size;
        *threads = n > 0 ? n : 1;
    }
}
