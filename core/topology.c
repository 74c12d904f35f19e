/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Machine facts: usable cores (cpuset, OMP_NUM_THREADS, ZS_THREADS), cache sizes, memory
 * available under cgroup limits, and binding workers to cores. hwloc when present. */
#include "zs_internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifdef ZS_HAVE_HWLOC
#include <hwloc.h>
#include <omp.h>
#include <pthread.h>

static hwloc_topology_t topo;
static int topo_ok = -1;

static void destroy_topology(void)
{
    hwloc_topology_destroy(topo);
    topo_ok = 0;
}

static void load_topology(void)
{
    topo_ok = hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0;
    if (topo_ok) atexit(destroy_topology);
}

static hwloc_topology_t topology(void)
{
    /* Loaded exactly once: workers may be the first callers (zs_plan_create does not ask
     * for the topology when --threads is given), and two loads would be destroyed twice. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, load_topology);
    return topo_ok > 0 ? topo : NULL;
}
#endif

static int env_int(const char *name)
{
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return *end == '\0' && v > 0 && v < 100000 ? (int)v : 0;
}

static int affinity_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void zs__topology_facts(zs_topology_facts *f)
{
    memset(f, 0, sizeof *f);
    f->pus = affinity_cpus();
    f->cores = f->pus;
    f->numa_nodes = 1;
#ifdef ZS_HAVE_HWLOC
    hwloc_topology_t t = topology();
    if (t) {
        hwloc_bitmap_t allowed = hwloc_bitmap_alloc();
        if (allowed && hwloc_get_cpubind(t, allowed, HWLOC_CPUBIND_PROCESS) == 0) {
            int cores = hwloc_get_nbobjs_inside_cpuset_by_type(t, allowed, HWLOC_OBJ_CORE);
            if (cores > 0) f->cores = cores;
        }
        hwloc_bitmap_free(allowed);
        hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, 0);
        for (hwloc_obj_t o = pu; o; o = o->parent) {
            if (o->type == HWLOC_OBJ_L2CACHE && o->attr) f->l2 = o->attr->cache.size;
            if (o->type == HWLOC_OBJ_L3CACHE && o->attr) f->l3 = o->attr->cache.size;
        }
        int nn = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
        if (nn > 0) f->numa_nodes = nn;
    }
#endif
    if (!f->l2) f->l2 = 1u << 20;
}

void zs__topology_bind_thread(int i)
{
#ifdef ZS_HAVE_HWLOC
    hwloc_topology_t t = topology();
    if (!t) return;
    hwloc_bitmap_t allowed = hwloc_bitmap_alloc();
    if (!allowed) return;
    if (hwloc_get_cpubind(t, allowed, HWLOC_CPUBIND_PROCESS) == 0) {
        int n = hwloc_get_nbobjs_inside_cpuset_by_type(t, allowed, HWLOC_OBJ_CORE);
        hwloc_obj_t core = n > 0 ? hwloc_get_obj_inside_cpuset_by_type(t, allowed, HWLOC_OBJ_CORE, i % n) : NULL;
        if (core && core->cpuset) {
            hwloc_bitmap_t set = hwloc_bitmap_dup(core->cpuset);
            hwloc_bitmap_and(set, set, allowed);
            if (!hwloc_bitmap_iszero(set)) (void)hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD);
            hwloc_bitmap_free(set);
        }
    }
    hwloc_bitmap_free(allowed);
#else
    (void)i;
#endif
}

zs_status zs__check_env_threads(void)
{
    const char *s = getenv("ZS_THREADS");
    ZS_RETURN_IF(s && *s && !env_int("ZS_THREADS"), ZS_EINVAL,
                 "ZS_THREADS='%.32s' is not a thread count (a whole number from 1 to 99999; unset it to use every "
                 "usable core)",
                 s);
    return ZS_OK;
}

int zs_sys_threads(void)
{
    int n = env_int("ZS_THREADS");
    if (!n) n = env_int("OMP_NUM_THREADS");
    if (!n) {
        zs_topology_facts f;
        zs__topology_facts(&f);
        n = f.cores;
    }
    return n > 0 ? n : 1;
}

/* The smallest limit in one cgroup file and its parents up to `root`; 0 when none. */
static uint64_t limit_up_tree(const char *root, const char *rel, const char *file)
{
    char dir[1024];
    uint64_t best = 0;
    if ((size_t)snprintf(dir, sizeof dir, "%s%s", root, rel) >= sizeof dir) return 0;
    for (;;) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *f = fopen(path, "r");
        if (f) {
            char buf[64] = "";
            int ok = fgets(buf, sizeof buf, f) != NULL;
            fclose(f);
            unsigned long long v = ok && strncmp(buf, "max", 3) != 0 ? strtoull(buf, NULL, 10) : 0;
            if (v > 0 && v < (1ull << 60) && (!best || v < best)) best = v;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) < strlen(root)) break;
        *slash = '\0';
    }
    return best;
}

/* The memory limit of this process's cgroup (a SLURM job's, a container's): cgroup v2
 * memory.max, else v1 memory.limit_in_bytes, of the cgroup named in /proc/self/cgroup and
 * of its parents; 0 when unlimited or unknown. The test hook ZS_TEST_CGROUP_ROOT=DIR reads
 * DIR/proc/self/cgroup and DIR/sys/fs/cgroup instead, so that both sides of every decision
 * taken on the limit (the --drop-cache default, the memory available) can be tested. */
static uint64_t cgroup_limit(void)
{
    char v2[512] = "", v1[512] = "", line[1024], path[1024], sysfs[1024], sysfs1[1100];
    const char *root = getenv("ZS_TEST_CGROUP_ROOT");
    if (!root) root = "";
    snprintf(path, sizeof path, "%s/proc/self/cgroup", root);
    snprintf(sysfs, sizeof sysfs, "%s/sys/fs/cgroup", root);
    snprintf(sysfs1, sizeof sysfs1, "%s/memory", sysfs);
    FILE *f = fopen(path, "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
            if (!b) continue;
            *b = '\0';
            if (strcmp(a + 1, "") == 0 && strncmp(line, "0", 1) == 0)
                snprintf(v2, sizeof v2, "%s", b + 1);
            else if (strstr(a + 1, "memory"))
                snprintf(v1, sizeof v1, "%s", b + 1);
        }
        fclose(f);
    }
    if (strcmp(v2, "/") == 0) v2[0] = '\0';
    if (strcmp(v1, "/") == 0) v1[0] = '\0';
    uint64_t lim = limit_up_tree(sysfs, v2, "memory.max");
    if (!lim) lim = limit_up_tree(sysfs1, v1, "memory.limit_in_bytes");
    return lim;
}

uint64_t zs_sys_memory_limit(void) { return cgroup_limit(); }

uint64_t zs_sys_available_memory(void)
{
    /* Test hook: pretend this many bytes are available (the automatic engine's rule is tested on
     * small files with it). Not for production use. */
    const char *test = getenv("ZS_TEST_MEM_AVAILABLE");
    if (test && strtoull(test, NULL, 10) > 0) return strtoull(test, NULL, 10);
    uint64_t avail = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "MemAvailable:", 13) == 0) {
                avail = strtoull(line + 13, NULL, 10) * 1024;
                break;
            }
        fclose(f);
    }
    if (!avail) avail = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t cg = cgroup_limit();
    return cg && cg < avail ? cg : avail;
}

/* statfs f_type magics of parallel file systems (their kernel modules' SUPER_MAGIC values). */
static const struct {
    unsigned long magic;
    const char *name;
} parallel_fs[] = {
    {0x0BD00BD0ul, "Lustre"},
    {0x47504653ul, "GPFS"},
    {0x19830326ul, "BeeGFS"},
    {0x00C36400ul, "CephFS"},
};

int zs_path_on_parallel_fs(const char *path, char *name, size_t n)
{
    if (name && n) name[0] = '\0';
    if (!path || !path[0]) return 0;
    struct statfs sf;
    int r = statfs(path, &sf);
    if (r != 0) { /* not there yet: its directory */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            dir[1] = '\0';
        else if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        r = statfs(dir, &sf);
    }
    if (r != 0) return 0;
    for (size_t i = 0; i < sizeof parallel_fs / sizeof parallel_fs[0]; i++)
        if ((unsigned long)sf.f_type == parallel_fs[i].magic) {
            if (name && n) snprintf(name, n, "%s", parallel_fs[i].name);
            return 1;
        }
    return 0;
}

void zs_sys_info_get(zs_sys_info *given)
{
    zs_topology_facts f;
    zs__topology_facts(&f);
    zs_sys_info local, *info = &local;
    zs_sys_info_init(info);
    info->cores = f.cores;
    info->pus = f.pus;
    info->numa_nodes = f.numa_nodes;
    info->l2 = f.l2;
    info->l3 = f.l3;
    info->mem_available = zs_sys_available_memory();
    info->page_size = zs_sys_page_size();
    ZS_SIZED_OUT(given, info, zs_sys_info);
}
