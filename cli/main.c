/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* The zslab tool: zslab --version, zslab help, and the command named by argv[1] (commands.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The tool is linked against the library it was built with; a shared or an older static
 * library may still differ (ZSTD's checkLibVersion does the same). */
static void check_library_version(void)
{
    if (zs_version() != ZS_VERSION_NUMBER)
        cli_error("warning: built with zslab headers %s but running with library %s", ZS_VERSION_STRING,
                  zs_version_string());
}

static int print_version(void)
{
    printf("zslab %s (library %s%s)\n", ZS_VERSION_STRING, zs_version_string(), cli_mpi_built() ? ", MPI" : "");
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    check_library_version();
    /* A file-size limit (ulimit -f, common in batch queues) makes a write fail with EFBIG, which
     * the library reports naming the file and the limit, instead of killing the process and
     * leaving OUT.partial behind. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        cli_usage_main(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) return print_version();
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        /* "zslab help filter" is "zslab filter --help" */
        const cli_command *c = argc > 2 ? cli_command_find(argv[2]) : NULL;
        if (c) {
            cli_help(c, stdout);
            return CLI_EXIT_OK;
        }
        cli_usage_main(stdout);
        return argc > 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const cli_command *c = cli_command_find(cmd);
    return c ? cli_command_main(c, argc - 2, argv + 2) : cli_command_unknown(cmd);
}
