/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Labels in parts and resumed runs (docs/labels.md, "Parts and resume"). Pass 1 is split: each
 * part runs its slab range of the journal, and each slab's record is made durable in
 * OUT.zsjournal/slab-N before the journal records the slab (reduce.c). The part that finds every
 * slab recorded and takes the finisher's lock reads the records back in slab order, merges and
 * numbers them as one run does; it then writes OUT in one pass 2 (zs_label_write), because the
 * labels' dtype is known only after counting and the other parts of a job array have exited. */
#include "label_internal.h"
#include "reduce_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The journal header's `reduction`: every option that decides the records or OUT. */
static zs_status reduction_text(const zs_volume *in, const zs_label_opts *o, const char *extra, char *buf, size_t n)
{
    char thr[40] = "none";
    if (o->has_threshold) snprintf(thr, sizeof thr, "%.17g", o->threshold);
    const zs_label_numbering num = o->numbering == ZS_NUMBER_AUTO ? zs__label_auto_numbering(in) : o->numbering;
    int len = snprintf(buf, n, "label connectivity=%d threshold=%s numbering=%s min-size=%lld max-size=%lld table=%d",
                       o->connectivity, thr, num == ZS_NUMBER_ZYX ? "zyx" : "xyz", (long long)o->min_size,
                       (long long)o->max_size, o->table ? 1 : 0);
    if (o->table && o->intensity && len > 0 && (size_t)len < n) {
        const zs_volume_info *v = zs_volume_get_info(o->intensity);
        zs_files_sum f;
        ZS_FORWARD(zs__info_files_sum(v, &f));
        len +=
            snprintf(buf + len, n - (size_t)len, " intensity=%s %llu %lld.%09ld %016llx", v->path,
                     (unsigned long long)f.bytes, (long long)f.newest_sec, f.newest_nsec, (unsigned long long)f.hash);
    }
    if (extra && *extra && len > 0 && (size_t)len < n) snprintf(buf + len, n - (size_t)len, " %s", extra);
    return ZS_OK;
}

zs_status zs_label_journal_attach(zs_journal *j, const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts,
                                  const char *extra)
{
    ZS_RETURN_IF(!j || !plan || !in || !opts, ZS_EINVAL, "zs_label_journal_attach: no journal, plan, input or options");
    ZS_CHECK_UNSTABLE(opts, "zs_label_opts");
    char text[4096];
    ZS_FORWARD(reduction_text(in, opts, extra, text, sizeof text));
    return zs__journal_attach_records(j, plan, text);
}

zs_status zs_label_count_part(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts, zs_journal *j)
{
    ZS_RETURN_IF(!j || !zs__journal_dir(j), ZS_EINVAL, "zs_label_count_part: no journal attached for records");
    zs_labeling *L = NULL;
    ZS_FORWARD(zs__label_new(plan, in, opts, &L));
    zs_status st = zs__label_pass1(L, j);
    zs_label_free(L); /* counted nothing here: the records are on disk */
    return st;
}

zs_status zs_label_journal_finisher(zs_journal *j, int *finisher)
{
    *finisher = 0;
    ZS_RETURN_IF(!j || !zs__journal_dir(j), ZS_EINVAL, "zs_label_journal_finisher: no journal attached for records");
    int64_t done = 0;
    int complete = 0;
    zs_status st = zs_journal_finish(j, &done, &complete);
    if (st == ZS_OK && !complete && done == zs__journal_slabs(j)) st = zs__journal_claim_finish(j, finisher);
    /* Parts that finish together: the finisher may have written OUT and removed the journal
     * (whose files this part then fails to read) before this part looked. */
    if (zs__journal_output_exists(j)) {
        if (st < 0) zs_clear_error();
        *finisher = 0;
        return ZS_OK;
    }
    return st;
}

zs_status zs_label_count_records(const zs_plan *plan, const zs_volume *in, const zs_label_opts *opts,
                                 const zs_journal *j, zs_labeling **out)
{
    *out = NULL;
    const char *dir = j ? zs__journal_dir(j) : NULL;
    ZS_RETURN_IF(!dir, ZS_EINVAL, "zs_label_count_records: no journal attached for records");
    zs_labeling *L = NULL;
    ZS_FORWARD(zs__label_new(plan, in, opts, &L));
    zs_status st = ZS_OK;
    for (int64_t s = 0; st == ZS_OK && s < plan->nslabs; s++) {
        int found = 0;
        void *rec = NULL;
        size_t size = 0;
        st = zs__record_get(dir, s, &found, &rec, &size);
        if (st == ZS_OK && !found)
            st = ZS_ERR(ZS_EFORMAT,
                        "%s/slab-%lld: the journal records slab %lld but its record is missing; remove %s "
                        "to start over",
                        dir, (long long)s, (long long)s, dir);
        if (st == ZS_OK) st = zs__label_merge(L, s, rec, size);
        free(rec);
        if (st == ZS_OK && opts->stop && *opts->stop) st = ZS_ERR(ZS_ECANCELED, "%s: stopped", plan->in.path);
    }
    st = zs__label_finish(L, st);
    if (st < 0) {
        zs_label_free(L);
        return st;
    }
    *out = L;
    return ZS_OK;
}
