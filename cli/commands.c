/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The command table: dispatch, the commands of zslab --help and of the unknown-command
 * message; and the environment variables the tool reads, for zslab --help. A command is a
 * row here and a file of its own (cmd_*.c) that defines its cli_command: name, summary,
 * help, checks and run; its flags are rows of the option table (options.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
    &cli_command_info,  &cli_command_create, &cli_command_filter,   &cli_command_convert,
    &cli_command_list,  &cli_command_bench,  &cli_command_status,   &cli_command_preview,
    &cli_command_label, &cli_command_detect, &cli_command_resample,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Every environment variable the tool or the library reads (test hooks aside), for zslab
 * --help (tests/cli/test_usage.sh checks the list against the sources): names, what it sets. */
static const struct {
    const char *names, *what;
} environment[] = {
    {"ZS_THREADS", "worker threads"},
    {"OMP_NUM_THREADS", "worker threads without ZS_THREADS"},
    {"ZS_TRACE=1", "trace errors"},
    {"ZS_PLUGINS=A.so:B.so", "kernel plugins to load"},
    {"ZS_DROP_CACHE=0|1", "the default of filter --drop-cache"},
    {"ZS_JOURNAL_WAIT=S", "how long a part waits for OUT to be created"},
    {"ZS_MPI=0|1", "an MPI launch or not"},
    {"OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK, SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_NTASKS", "MPI ranks"},
    {"SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP", "--part slurm"},
    {"TMPDIR", "where bench --smoke writes"},
};

const cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

int cli_command_unknown(const char *name)
{
    char list[256];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < NCOMMANDS && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", commands[i]->name);
    cli_error("unknown command '%s' (commands: %s; see zslab --help)", name, list);
    return CLI_EXIT_USAGE;
}

static void print_environment(FILE *f)
{
    char text[1024];
    size_t len = 0;
    text[0] = '\0';
    for (size_t i = 0; i < sizeof environment / sizeof environment[0] && len < sizeof text; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s (%s)", i ? ", " : "", environment[i].names,
                                environment[i].what);
    fputs("environment: ", f);
    cli_wrap(f, text, 90, 13);
    fputc('\n', f);
}

void cli_usage_main(FILE *f)
{
    fprintf(f, "usage: zslab COMMAND [options]\n\n"
               "Filters 3-D volumes far larger than memory, slab by slab (.npy, NIfTI, TIFF, ...:\n"
               "zslab info --formats lists the formats).\n\n"
               "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        for (int k = 0; k < 2 && commands[i]->summary[k][1]; k++) {
            char tag[64];
            snprintf(tag, sizeof tag, "%s %s", commands[i]->name, commands[i]->summary[k][0]);
            fprintf(f, "  %-21s %s\n", tag, commands[i]->summary[k][1]);
        }
    fputs("\noptions: -h/--help, --version; per command: zslab COMMAND --help\n", f);
    print_environment(f);
    fputs("exit codes: 0 success, 1 runtime error, 2 usage error, 3 incomplete output (status),\n"
          "            75 interrupted with a journal: run the same command with --resume\n",
          f);
}

int cli_command_main(const cli_command *c, int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(c, argc, argv, &o);
    if (rc == CLI_RUN) rc = c->run(&o);
    cli_opts_free(&o);
    return rc;
}
