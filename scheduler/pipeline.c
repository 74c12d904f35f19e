/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Pipelines: "name:key=value:..." parsed against the kernel's declared parameters. All
 * parsing, bounds and defaults come from the declaration; there is no per-kernel code. */
#include "scheduler_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

zs_status zs_pipeline_new(zs_pipeline **out)
{
    ZS_FORWARD(zs__kernel_registry_check());
    *out = calloc(1, sizeof **out);
    ZS_RETURN_IF(!*out, ZS_ENOMEM, "out of memory");
    atomic_init(&(*out)->refs, 1);
    for (int i = 0; i < 3; i++) (*out)->voxel[i] = 1.0;
    return ZS_OK;
}

zs_pipeline *zs__pipeline_retain(const zs_pipeline *p)
{
    zs_pipeline *m = (zs_pipeline *)p; /* the count is the one field a plan changes */
    atomic_fetch_add(&m->refs, 1);
    return m;
}

void zs__pipeline_release(zs_pipeline *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1) return;
    for (int i = 0; i < p->n; i++) free(p->st[i].params);
    free(p);
}

/* The caller's handle goes; plans made from the pipeline keep it until they are freed. */
void zs_pipeline_free(zs_pipeline *p) { zs__pipeline_release(p); }

/* Stages are added before any plan is made: a plan sized its rings and halos for the stages it saw. */
static zs_status check_unplanned(const zs_pipeline *p)
{
    ZS_RETURN_IF(atomic_load(&((zs_pipeline *)p)->refs) > 1, ZS_EINVAL,
                 "the pipeline has plans made from it: add its stages before zs_plan_create, or make a new "
                 "pipeline");
    return ZS_OK;
}

void zs_pipeline_set_voxel(zs_pipeline *p, const double voxel[3], const char *unit)
{
    memcpy(p->voxel, voxel, sizeof p->voxel);
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
    p->has_voxel = 1;
}

int zs_pipeline_length(const zs_pipeline *p) { return p->n; }
const zs_stage *zs__pipeline_stage(const zs_pipeline *p, int i) { return i >= 0 && i < p->n ? &p->st[i] : NULL; }

void zs_pipeline_halo(const zs_pipeline *p, int64_t lo[3], int64_t hi[3])
{
    for (int a = 0; a < 3; a++) lo[a] = hi[a] = 0;
    for (int i = 0; i < p->n; i++)
        for (int a = 0; a < 3; a++) {
            lo[a] += p->st[i].halo.lo[a];
            hi[a] += p->st[i].halo.hi[a];
        }
}

/* Units a physical length may carry, in micrometres. */
static int unit_um(const char *u, double *um)
{
    static const struct {
        const char *name;
        double um;
    } units[] = {{"nm", 1e-3}, {"um", 1.0}, {"\xc2\xb5m", 1.0}, {"micron", 1.0}, {"mm", 1e3}, {"cm", 1e4}, {"m", 1e6}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(u, units[i].name) == 0) {
            *um = units[i].um;
            return 1;
        }
    return 0;
}

/* One number, possibly with a physical unit: converted to voxels along `axis`. */
static zs_status parse_number(const zs_pipeline *p, const char *kname, const zs_param_desc *d, const char *s, int axis,
                              double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    ZS_RETURN_IF(end == s || errno == ERANGE || !isfinite(v), ZS_EPARAM,
                 "%s: parameter '%s' must be a number, got '%s'", kname, d->name, s);
    if (*end) {
        double um_per_unit, voxel_um;
        ZS_RETURN_IF(!unit_um(end, &um_per_unit) || (d->type != ZS_PARAM_FLOAT3 && d->type != ZS_PARAM_INT3), ZS_EPARAM,
                     "%s: parameter '%s': cannot read '%s' (a number%s)", kname, d->name, s,
                     d->type == ZS_PARAM_FLOAT3 || d->type == ZS_PARAM_INT3 ? ", optionally with a unit: nm, um, mm"
                                                                            : "");
        ZS_RETURN_IF(!p->has_voxel || !unit_um(p->unit[0] ? p->unit : "-", &voxel_um), ZS_EPARAM,
                     "%s: parameter '%s=%s' is in physical units but the input has no voxel size with a unit (none in "
                     "its header, or one that is zero, negative or not a number)",
                     kname, d->name, s);
        v = v * um_per_unit / (p->voxel[axis] * voxel_um);
        if (d->type == ZS_PARAM_INT3) v = floor(v + 0.5);
    }
    *out = v;
    return ZS_OK;
}

static zs_status check_bounds(const char *kname, const zs_param_desc *d, double v, const char *given)
{
    if (v < d->min || v > d->max || (d->type == ZS_PARAM_INT || d->type == ZS_PARAM_INT3 ? v != floor(v) : 0))
        return ZS_ERR(ZS_EPARAM, "%s: parameter '%s' must be %s in [%g, %g], got '%s'", kname, d->name,
                      d->type == ZS_PARAM_INT || d->type == ZS_PARAM_INT3 ? "an integer" : "a number", d->min, d->max,
                      given);
    return ZS_OK;
}

/* Splits a per-axis value in place at any of `seps` ("xX," for numbers: "AxBxC" or "A,B,C"; "," for
 * modes, whose names would make "x" ambiguous in messages): 1 or 3 parts, or the count found. */
static int split_axes(char *buf, const char *seps, char *parts[3])
{
    int n = 1;
    parts[0] = buf;
    for (char *c = buf; *c; c++)
        if (strchr(seps, *c)) {
            if (n == 3) return 4;
            *c = '\0';
            parts[n++] = c + 1;
        }
    return n;
}

/* One choice of an enum (a boundary mode also by scipy's grid-* names), or -1. */
static int find_choice(const zs_param_desc *d, const char *val)
{
    for (int i = 0; d->choices[i]; i++)
        if (strcmp(d->choices[i], val) == 0) return i;
    return d->choices == zs_border_names ? zs__border_alias(val) : -1;
}

static zs_status bad_choice(const zs_kernel_desc *k, const zs_param_desc *d, const char *val, const char *whole)
{
    char list[256] = "";
    for (int i = 0; d->choices[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", d->choices[i]);
    if (d->choices == zs_border_names)
        snprintf(list + strlen(list), sizeof list - strlen(list), " (or grid-mirror, grid-constant, grid-wrap)");
    if (whole != val)
        return ZS_ERR(ZS_EPARAM, "%s: parameter '%s' must be one of %s, got '%s' in '%s'", k->name, d->name, list, val,
                      whole);
    return ZS_ERR(ZS_EPARAM, "%s: parameter '%s' must be one of %s, got '%s'", k->name, d->name, list, val);
}

/* A boundary mode per axis: "reflect" (all axes) or "reflect,nearest,wrap" (x y z). */
static zs_status set_modes(const zs_kernel_desc *k, const zs_param_desc *d, unsigned char *dst, const char *val)
{
    char buf[256];
    char *parts[3];
    ZS_RETURN_IF(strlen(val) >= sizeof buf, ZS_EPARAM, "%s: parameter '%s' is too long", k->name, d->name);
    snprintf(buf, sizeof buf, "%s", val);
    const int n = split_axes(buf, ",", parts);
    ZS_RETURN_IF(n != 1 && n != 3, ZS_EPARAM,
                 "%s: parameter '%s' takes 1 or 3 boundary modes (x y z, written reflect,nearest,wrap), got %s in "
                 "'%s'",
                 k->name, d->name, n > 3 ? "more than 3" : "2", val);
    int m[3];
    for (int a = 0; a < n; a++) {
        m[a] = find_choice(d, parts[a]);
        if (m[a] < 0) return bad_choice(k, d, parts[a], n == 1 ? parts[a] : val);
    }
    for (int a = 0; a < 3; a++) memcpy(dst + a * sizeof(int), &m[n == 1 ? 0 : a], sizeof(int));
    return ZS_OK;
}

/* An enum parameter: one of its choices (a list of boundary modes is refused with the reason). */
static zs_status set_enum(const zs_kernel_desc *k, const zs_param_desc *d, unsigned char *dst, const char *val)
{
    const int c = find_choice(d, val);
    if (c >= 0) {
        memcpy(dst, &c, sizeof c);
        return ZS_OK;
    }
    if (d->choices == zs_border_names && strchr(val, ',')) {
        const char *why = d->help ? strrchr(d->help, ';') : NULL;
        return ZS_ERR(ZS_EPARAM, "%s: parameter '%s' takes one boundary mode, got the list '%s'%s%s%s", k->name,
                      d->name, val, why ? " (" : "", why ? why + 2 : "", why ? ")" : "");
    }
    return bad_choice(k, d, val, val);
}

/* A FLOAT3 or INT3 parameter: one value for the three axes, or three written AxBxC, each within bounds. */
static zs_status set_triple(const zs_pipeline *p, const zs_kernel_desc *k, const zs_param_desc *d, unsigned char *dst,
                            const char *val)
{
    double v[3];
    char buf[256];
    char *parts[3];
    snprintf(buf, sizeof buf, "%s", val);
    const int n = split_axes(buf, "xX,", parts);
    ZS_RETURN_IF(n != 1 && n != 3, ZS_EPARAM, "%s: parameter '%s' takes 1 or 3 values (x y z, written AxBxC), got '%s'",
                 k->name, d->name, val);
    for (int a = 0; a < 3; a++) {
        ZS_FORWARD(parse_number(p, k->name, d, parts[n == 1 ? 0 : a], a, &v[a]));
        ZS_FORWARD(check_bounds(k->name, d, v[a], val));
    }
    for (int a = 0; a < 3; a++) {
        if (d->type == ZS_PARAM_INT3) {
            int64_t i = (int64_t)v[a];
            memcpy(dst + a * sizeof i, &i, sizeof i);
        } else
            memcpy(dst + a * sizeof v[a], &v[a], sizeof v[a]);
    }
    return ZS_OK;
}

static zs_status set_param(const zs_pipeline *p, const zs_kernel_desc *k, const zs_param_desc *d, void *params,
                           const char *val)
{
    unsigned char *dst = (unsigned char *)params + d->offset;
    double v;
    switch (d->type) {
    case ZS_PARAM_MODE3:
        return set_modes(k, d, dst, val);
    case ZS_PARAM_ENUM:
        return set_enum(k, d, dst, val);
    case ZS_PARAM_BOOL: {
        int b = strcmp(val, "1") == 0 || strcmp(val, "true") == 0 || strcmp(val, "yes") == 0;
        ZS_RETURN_IF(!b && strcmp(val, "0") && strcmp(val, "false") && strcmp(val, "no"), ZS_EPARAM,
                     "%s: parameter '%s' must be 0 or 1, got '%s'", k->name, d->name, val);
        memcpy(dst, &b, sizeof b);
        return ZS_OK;
    }
    case ZS_PARAM_INT:
    case ZS_PARAM_FLOAT:
        ZS_FORWARD(parse_number(p, k->name, d, val, 0, &v));
        ZS_FORWARD(check_bounds(k->name, d, v, val));
        if (d->type == ZS_PARAM_INT) {
            int64_t i = (int64_t)v;
            memcpy(dst, &i, sizeof i);
        } else
            memcpy(dst, &v, sizeof v);
        return ZS_OK;
    case ZS_PARAM_FLOAT3:
    case ZS_PARAM_INT3:
        return set_triple(p, k, d, dst, val);
    }
    return ZS_ERR(ZS_EINTERNAL, "%s: parameter '%s' has an unknown type", k->name, d->name);
}

static const zs_param_desc *find_param(const zs_kernel_desc *k, const char *name)
{
    for (int i = 0; i < k->nparams; i++)
        if (strcmp(k->params[i].name, name) == 0) return &k->params[i];
    return NULL;
}

/* Appends stage k with the parameters "key=value:key=value" in kv (modified; may be empty). */
static zs_status add_stage(zs_pipeline *p, const zs_kernel_desc *k, char *kv_list)
{
    ZS_FORWARD(check_unplanned(p));
    ZS_RETURN_IF(p->n >= ZS_MAX_STAGES, ZS_EPARAM, "a pipeline holds at most %d stages", ZS_MAX_STAGES);
    void *params = calloc(1, k->params_size ? k->params_size : 1);
    ZS_RETURN_IF(!params, ZS_ENOMEM, "out of memory");
    zs_status st = ZS_OK;
    for (int i = 0; i < k->nparams && st == ZS_OK; i++)
        if (k->params[i].def) st = set_param(p, k, &k->params[i], params, k->params[i].def);
    char *save = NULL;
    for (char *kv = strtok_r(kv_list, ":", &save); kv && st == ZS_OK; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            st = ZS_ERR(ZS_EPARAM, "%s: '%s' is not key=value", k->name, kv);
            break;
        }
        *eq = '\0';
        const zs_param_desc *d = find_param(k, kv);
        if (!d) {
            char list[512] = "";
            for (int i = 0; i < k->nparams; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", k->params[i].name);
            st = ZS_ERR(ZS_EPARAM, "%s: unknown parameter '%s' (parameters: %s)", k->name, kv,
                        k->nparams ? list : "none");
            break;
        }
        st = set_param(p, k, d, params, eq + 1);
    }
    if (st == ZS_OK && k->validate) {
        char msg[512] = "";
        st = k->validate(params, msg, sizeof msg);
        if (st < 0) st = ZS_ERR(ZS_EPARAM, "%s: %s", k->name, msg[0] ? msg : "invalid parameters");
    }
    zs_halo h;
    memset(&h, 0, sizeof h);
    if (st == ZS_OK) {
        k->halo(params, &h);
        for (int a = 0; a < 3 && st == ZS_OK; a++)
            if (h.lo[a] < 0 || h.hi[a] < 0 || h.lo[a] > ((int64_t)1 << 40) || h.hi[a] > ((int64_t)1 << 40))
                st = ZS_ERR(ZS_EPARAM, "%s: the kernel declares a halo of %lld/%lld along axis %d", k->name,
                            (long long)h.lo[a], (long long)h.hi[a], a);
        if (!(k->flags & ZS_KF_YMODE)) h.ymode = h.zmode; /* one mode for z and y */
        if (st == ZS_OK && ((int)h.zmode > (int)ZS_BORDER_WRAP || (int)h.ymode > (int)ZS_BORDER_WRAP))
            st = ZS_ERR(ZS_EPARAM, "%s: the kernel declares an unknown boundary mode %d", k->name,
                        (int)h.zmode > (int)ZS_BORDER_WRAP ? (int)h.zmode : (int)h.ymode);
    }
    if (st < 0) {
        free(params);
        return st;
    }
    zs_stage *s = &p->st[p->n++];
    s->k = k;
    s->params = params;
    s->halo = h;
    return ZS_OK;
}

zs_status zs_pipeline_add(zs_pipeline *p, const char *spec)
{
    char buf[1024];
    ZS_RETURN_IF(strlen(spec) >= sizeof buf, ZS_EPARAM, "stage '%.40s...': too long", spec);
    snprintf(buf, sizeof buf, "%s", spec);
    ZS_RETURN_IF(buf[0] == '\0' || buf[0] == ':', ZS_EPARAM, "stage '%s': no kernel name (see zslab list)", spec);
    char *colon = strchr(buf, ':');
    if (colon) *colon = '\0';
    const zs_kernel_desc *k = zs_kernel_find(buf);
    ZS_RETURN_IF(!k, ZS_EPARAM, "unknown kernel '%s' (zslab list shows the kernels)", buf);
    return add_stage(p, k, colon ? colon + 1 : buf + strlen(buf));
}

zs_status zs_pipeline_add_kernel(zs_pipeline *p, const zs_kernel_desc *k, const char *params)
{
    ZS_RETURN_IF(!p || !k, ZS_EINVAL, "zs_pipeline_add_kernel: no pipeline or no kernel given");
    ZS_FORWARD(zs__kernel_desc_check(k));
    char buf[1024];
    ZS_RETURN_IF(params && strlen(params) >= sizeof buf, ZS_EPARAM, "kernel %s: parameters too long", k->name);
    snprintf(buf, sizeof buf, "%s", params ? params : "");
    return add_stage(p, k, buf);
}

static void describe_param(const zs_param_desc *d, const void *params, char *buf, size_t n)
{
    const unsigned char *src = (const unsigned char *)params + d->offset;
    double v[3];
    int64_t iv[3];
    int e;
    switch (d->type) {
    case ZS_PARAM_ENUM:
        memcpy(&e, src, sizeof e);
        snprintf(buf, n, "%s", d->choices[e]);
        break;
    case ZS_PARAM_MODE3: { /* one name when the axes agree: the text of a single mode, as before lists */
        int m[3];
        memcpy(m, src, sizeof m);
        if (m[0] == m[1] && m[1] == m[2])
            snprintf(buf, n, "%s", d->choices[m[0]]);
        else
            snprintf(buf, n, "%s,%s,%s", d->choices[m[0]], d->choices[m[1]], d->choices[m[2]]);
        break;
    }
    case ZS_PARAM_BOOL:
        memcpy(&e, src, sizeof e);
        snprintf(buf, n, "%d", e);
        break;
    case ZS_PARAM_INT:
        memcpy(iv, src, sizeof iv[0]);
        snprintf(buf, n, "%lld", (long long)iv[0]);
        break;
    case ZS_PARAM_FLOAT:
        memcpy(v, src, sizeof v[0]);
        snprintf(buf, n, "%g", v[0]);
        break;
    case ZS_PARAM_INT3:
        memcpy(iv, src, sizeof iv);
        snprintf(buf, n, "%lldx%lldx%lld", (long long)iv[0], (long long)iv[1], (long long)iv[2]);
        break;
    case ZS_PARAM_FLOAT3:
        memcpy(v, src, sizeof v);
        snprintf(buf, n, "%gx%gx%g", v[0], v[1], v[2]);
        break;
    }
}

/* Appends text to buf (n bytes) as snprintf would at offset *len, and counts it in *len. */
static void append(char *buf, size_t n, size_t *len, const char *text)
{
    const size_t l = strlen(text);
    if (*len + 1 < n) {
        const size_t room = n - 1 - *len, k = l < room ? l : room;
        memcpy(buf + *len, text, k);
        buf[*len + k] = '\0';
    }
    *len += l;
}

size_t zs_pipeline_describe(const zs_pipeline *p, char *buf, size_t n)
{
    size_t len = 0;
    if (buf && n) buf[0] = '\0';
    if (!buf) n = 0;
    if (!p) return 0;
    for (int i = 0; i < p->n; i++) {
        const zs_kernel_desc *k = p->st[i].k;
        if (i) append(buf, n, &len, " | ");
        append(buf, n, &len, k->name);
        for (int j = 0; j < k->nparams; j++) {
            char v[128], kv[192];
            describe_param(&k->params[j], p->st[i].params, v, sizeof v);
            snprintf(kv, sizeof kv, ":%s=%s", k->params[j].name, v);
            append(buf, n, &len, kv);
        }
    }
    return len;
}
