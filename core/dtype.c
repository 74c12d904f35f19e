/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* dtypes with numpy's spellings, and conversion to and from the work buffers (float32, float64,
 * or int64/uint64 for a plan with no stages). */
#include "zs_internal.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    char kind; /* numpy kind: u, i, f, b */
    size_t size;
} types[ZS_TYPE_COUNT] = {
    [ZS_U8] = {"uint8", 'u', 1},    [ZS_I8] = {"int8", 'i', 1},    [ZS_U16] = {"uint16", 'u', 2},
    [ZS_I16] = {"int16", 'i', 2},   [ZS_U32] = {"uint32", 'u', 4}, [ZS_I32] = {"int32", 'i', 4},
    [ZS_U64] = {"uint64", 'u', 8},  [ZS_I64] = {"int64", 'i', 8},  [ZS_F32] = {"float32", 'f', 4},
    [ZS_F64] = {"float64", 'f', 8}, [ZS_BOOL] = {"bool", 'b', 1},
};

int zs__host_big_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

size_t zs_dtype_size(zs_dtype d) { return (unsigned)d.type < ZS_TYPE_COUNT ? types[d.type].size : 0; }
const char *zs_dtype_name(zs_dtype d) { return (unsigned)d.type < ZS_TYPE_COUNT ? types[d.type].name : "?"; }
int zs_dtype_is_float(zs_dtype d) { return d.type == ZS_F32 || d.type == ZS_F64; }

void zs_dtype_descr(zs_dtype d, char *buf, size_t n)
{
    if ((unsigned)d.type >= ZS_TYPE_COUNT) {
        snprintf(buf, n, "?");
        return;
    }
    char bo = types[d.type].size == 1 ? '|' : (d.big_endian ? '>' : '<');
    snprintf(buf, n, "%c%c%zu", bo, types[d.type].kind, types[d.type].size);
}

static int find_kind_size(char kind, size_t size)
{
    for (int t = 0; t < ZS_TYPE_COUNT; t++)
        if (types[t].kind == kind && types[t].size == size) return t;
    return -1;
}

zs_status zs_dtype_parse(const char *s, zs_dtype *out)
{
    if (!s || !out) return ZS_ERR(ZS_EINVAL, "dtype: no text given");
    const char *p = s;
    int big = zs__host_big_endian(), explicit_order = 0;
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=') {
        if (*p == '<') big = 0;
        if (*p == '>') big = 1;
        explicit_order = *p != '|' && *p != '=';
        p++;
    }
    int t = -1;
    static const struct {
        const char *alias;
        zs_type t;
    } aliases[] = {
        {"float", ZS_F64}, {"double", ZS_F64}, {"single", ZS_F32}, {"ubyte", ZS_U8},
        {"byte", ZS_I8},   {"ushort", ZS_U16}, {"short", ZS_I16},  {"uintc", ZS_U32},
        {"intc", ZS_I32},  {"?", ZS_BOOL},     {"bool_", ZS_BOOL},
    };
    for (int i = 0; i < ZS_TYPE_COUNT && t < 0; i++)
        if (strcmp(p, types[i].name) == 0) t = i;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0] && t < 0; i++)
        if (strcmp(p, aliases[i].alias) == 0) t = (int)aliases[i].t;
    if (t < 0 && (p[0] == 'u' || p[0] == 'i' || p[0] == 'f' || p[0] == 'b') && p[1] >= '1' && p[1] <= '8' &&
        p[2] == '\0')
        t = find_kind_size(p[0], (size_t)(p[1] - '0'));
    if (t < 0 && p[0] == 'B' && p[1] == '\0') t = ZS_U8;
    if (t < 0 && p[0] == 'b' && p[1] == '\0') t = ZS_I8;
    if (t < 0)
        return ZS_ERR(ZS_EINVAL,
                      "unknown dtype '%s' (expected one of uint8 int8 uint16 int16 uint32 int32 "
                      "uint64 int64 float32 float64 bool, or numpy's '<u2', '>f4', '|b1', ...)",
                      s);
    (void)explicit_order;
    out->type = (zs_type)t;
    out->big_endian = types[t].size == 1 ? 0 : big;
    return ZS_OK;
}

void zs__bswap(void *p, size_t size, size_t n)
{
    unsigned char *b = p;
    switch (size) {
    case 2:
        for (size_t i = 0; i < n; i++) {
            uint16_t v;
            memcpy(&v, b + 2 * i, 2);
            v = __builtin_bswap16(v);
            memcpy(b + 2 * i, &v, 2);
        }
        break;
    case 4:
        for (size_t i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, b + 4 * i, 4);
            v = __builtin_bswap32(v);
            memcpy(b + 4 * i, &v, 4);
        }
        break;
    case 8:
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            memcpy(&v, b + 8 * i, 8);
            v = __builtin_bswap64(v);
            memcpy(b + 8 * i, &v, 8);
        }
        break;
    default:
        break;
    }
}

/* ---- to the work type --------------------------------------------------------------- */
/* memcpy loads keep the loops free of alignment and aliasing assumptions; compilers turn
 * them into plain vector loads. WT is the work type the loops write (float or double): each
 * conversion function is one macro body, instantiated once per work type. */
#define LOAD_LOOP(T, SWAP)                                                                                             \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        T v;                                                                                                           \
        memcpy(&v, s + i * sizeof(T), sizeof(T));                                                                      \
        SWAP;                                                                                                          \
        dst[i] = (WT)v;                                                                                                \
    }
#define LOAD_LOOP_SCALED(T, SWAP)                                                                                      \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        T v;                                                                                                           \
        memcpy(&v, s + i * sizeof(T), sizeof(T));                                                                      \
        SWAP;                                                                                                          \
        dst[i] = (WT)(slope * (double)v + inter);                                                                      \
    }

#define SW16                                                                                                           \
    {                                                                                                                  \
        uint16_t u;                                                                                                    \
        memcpy(&u, &v, 2);                                                                                             \
        u = __builtin_bswap16(u);                                                                                      \
        memcpy(&v, &u, 2);                                                                                             \
    }
#define SW32                                                                                                           \
    {                                                                                                                  \
        uint32_t u;                                                                                                    \
        memcpy(&u, &v, 4);                                                                                             \
        u = __builtin_bswap32(u);                                                                                      \
        memcpy(&v, &u, 4);                                                                                             \
    }
#define SW64                                                                                                           \
    {                                                                                                                  \
        uint64_t u;                                                                                                    \
        memcpy(&u, &v, 8);                                                                                             \
        u = __builtin_bswap64(u);                                                                                      \
        memcpy(&v, &u, 8);                                                                                             \
    }

#define DISPATCH_LOAD(LOOP)                                                                                            \
    switch (dt.type) {                                                                                                 \
    case ZS_U8:                                                                                                        \
    case ZS_BOOL:                                                                                                      \
        LOOP(uint8_t, (void)0) break;                                                                                  \
    case ZS_I8:                                                                                                        \
        LOOP(int8_t, (void)0) break;                                                                                   \
    case ZS_U16:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(uint16_t, SW16)                                                                                       \
        } else {                                                                                                       \
            LOOP(uint16_t, (void)0)                                                                                    \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_I16:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(int16_t, SW16)                                                                                        \
        } else {                                                                                                       \
            LOOP(int16_t, (void)0)                                                                                     \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_U32:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(uint32_t, SW32)                                                                                       \
        } else {                                                                                                       \
            LOOP(uint32_t, (void)0)                                                                                    \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_I32:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(int32_t, SW32)                                                                                        \
        } else {                                                                                                       \
            LOOP(int32_t, (void)0)                                                                                     \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_U64:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(uint64_t, SW64)                                                                                       \
        } else {                                                                                                       \
            LOOP(uint64_t, (void)0)                                                                                    \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_I64:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(int64_t, SW64)                                                                                        \
        } else {                                                                                                       \
            LOOP(int64_t, (void)0)                                                                                     \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_F32:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(float, SW32)                                                                                          \
        } else {                                                                                                       \
            LOOP(float, (void)0)                                                                                       \
        }                                                                                                              \
        break;                                                                                                         \
    case ZS_F64:                                                                                                       \
        if (swap) {                                                                                                    \
            LOOP(double, SW64)                                                                                         \
        } else {                                                                                                       \
            LOOP(double, (void)0)                                                                                      \
        }                                                                                                              \
        break;                                                                                                         \
    default:                                                                                                           \
        break;                                                                                                         \
    }

#define DEFINE_TO(NAME)                                                                                                \
    ZS_TARGET_CLONES void NAME(const void *src, zs_dtype dt, size_t n, double slope, double inter, WT *dst)            \
    {                                                                                                                  \
        const unsigned char *s = src;                                                                                  \
        const int swap = zs_dtype_size(dt) > 1 && dt.big_endian != zs__host_big_endian();                              \
        if (slope == 1.0 && inter == 0.0) {                                                                            \
            DISPATCH_LOAD(LOAD_LOOP)                                                                                   \
        } else {                                                                                                       \
            DISPATCH_LOAD(LOAD_LOOP_SCALED)                                                                            \
        }                                                                                                              \
    }

#define WT float
DEFINE_TO(zs__to_f32)
#undef WT
#define WT double
DEFINE_TO(zs__to_f64)
#undef WT

/* Integer work (a plan with no stages): 32- and 64-bit integers widened to int64 (signed) or
 * uint64 (unsigned), native byte order, every value exact. */
#define DEFINE_TO_INT(NAME, T32, T64)                                                                                  \
    void NAME(const void *src, zs_dtype dt, size_t n, WT *dst)                                                         \
    {                                                                                                                  \
        const unsigned char *s = src;                                                                                  \
        const int swap = dt.big_endian != zs__host_big_endian();                                                       \
        if (zs_dtype_size(dt) == 4) {                                                                                  \
            if (swap) {                                                                                                \
                LOAD_LOOP(T32, SW32)                                                                                   \
            } else {                                                                                                   \
                LOAD_LOOP(T32, (void)0)                                                                                \
            }                                                                                                          \
        } else if (swap) {                                                                                             \
            LOAD_LOOP(T64, SW64)                                                                                       \
        } else {                                                                                                       \
            LOAD_LOOP(T64, (void)0)                                                                                    \
        }                                                                                                              \
    }

#define WT int64_t
DEFINE_TO_INT(zs__to_i64, int32_t, int64_t)
#undef WT
#define WT uint64_t
DEFINE_TO_INT(zs__to_u64, uint32_t, uint64_t)
#undef WT

/* Where a 64-bit integer leaves the integers a double holds exactly. */
#define INEXACT_LOOP(T, SWAP, LOW)                                                                                     \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        T v;                                                                                                           \
        memcpy(&v, s + i * sizeof(T), sizeof(T));                                                                      \
        SWAP;                                                                                                          \
        if (v > (T)ZS_F64_EXACT || (LOW)) return i;                                                                    \
    }

size_t zs__f64_inexact(const void *src, zs_dtype dt, size_t n)
{
    const unsigned char *s = src;
    const int swap = dt.big_endian != zs__host_big_endian();
    if (dt.type == ZS_I64) {
        if (swap) {
            INEXACT_LOOP(int64_t, SW64, v < -(int64_t)ZS_F64_EXACT)
        } else {
            INEXACT_LOOP(int64_t, (void)0, v < -(int64_t)ZS_F64_EXACT)
        }
    } else if (dt.type == ZS_U64) {
        if (swap) {
            INEXACT_LOOP(uint64_t, SW64, 0)
        } else {
            INEXACT_LOOP(uint64_t, (void)0, 0)
        }
    }
    return n;
}

/* ---- from the work type ------------------------------------------------------------- */
/* Round half to even: for |v| < 2^23 (2^52 in double), (v + 1.5*2^23) - 1.5*2^23 rounds in the
 * FPU's default mode (to nearest, ties to even). Values are saturated first, so the trick holds
 * for every type up to 16 bits; wider integers go through rint() in double. */
#define STORE_SMALL(T, LO, HI, SWAP)                                                                                   \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        WT f = src[i];                                                                                                 \
        f = f == f ? f : (WT)0;                                                                                        \
        f = f < (WT)(LO) ? (WT)(LO) : f;                                                                               \
        f = f > (WT)(HI) ? (WT)(HI) : f;                                                                               \
        f = (f + WT_ROUND) - WT_ROUND;                                                                                 \
        T v = (T)f;                                                                                                    \
        SWAP;                                                                                                          \
        memcpy(d + i * sizeof(T), &v, sizeof(T));                                                                      \
    }
/* For 32/64-bit integers, saturate in double against the exact limits. (double)HI for
 * 64-bit types rounds up to 2^64 / 2^63, so compare with >= and store the limit itself. */
#define STORE_WIDE(T, LO, HI, SWAP)                                                                                    \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        double f = src[i];                                                                                             \
        T v;                                                                                                           \
        if (f != f)                                                                                                    \
            v = 0;                                                                                                     \
        else if (f <= (double)(LO))                                                                                    \
            v = (LO);                                                                                                  \
        else if (f >= (double)(HI))                                                                                    \
            v = (HI);                                                                                                  \
        else                                                                                                           \
            v = (T)rint(f);                                                                                            \
        SWAP;                                                                                                          \
        memcpy(d + i * sizeof(T), &v, sizeof(T));                                                                      \
    }
/* Integer work: saturate in the integers (every target's LO is <= 0 and its HI >= 0). */
static inline int64_t sat_i64(int64_t v, int64_t lo, uint64_t hi)
{
    return v < lo ? lo : v >= 0 && (uint64_t)v > hi ? (int64_t)hi : v;
}
static inline uint64_t sat_u64(uint64_t v, int64_t lo, uint64_t hi)
{
    (void)lo;
    return v > hi ? hi : v;
}
#define STORE_SAT(T, LO, HI, SWAP)                                                                                     \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        T v = (T)WT_SAT(src[i], (int64_t)(LO), (uint64_t)(HI));                                                        \
        SWAP;                                                                                                          \
        memcpy(d + i * sizeof(T), &v, sizeof(T));                                                                      \
    }
/* To a float type: one rounding cast (to nearest) from any work type. */
#define STORE_FLOAT(T, SWAP)                                                                                           \
    for (size_t i = 0; i < n; i++) {                                                                                   \
        T v = (T)src[i];                                                                                               \
        SWAP;                                                                                                          \
        memcpy(d + i * sizeof(T), &v, sizeof(T));                                                                      \
    }

/* One body per work type WT: SMALL stores to types up to 16 bits, WIDE to 32/64-bit integers,
 * WT_TRUE(x) is a value's truth for bool, WT_FLOAT says whether WT is a float type. */
#define DEFINE_FROM(NAME, SMALL, WIDE)                                                                                 \
    ZS_TARGET_CLONES void NAME(const WT *src, size_t n, zs_dtype dt, void *dst)                                        \
    {                                                                                                                  \
        unsigned char *d = dst;                                                                                        \
        const int swap = zs_dtype_size(dt) > 1 && dt.big_endian != zs__host_big_endian();                              \
        switch (dt.type) {                                                                                             \
        case ZS_BOOL: /* scipy.ndimage: (npy_bool)value, a truncation; stored as 0 or 1; NaN fails both tests: 0 */    \
            for (size_t i = 0; i < n; i++) d[i] = (unsigned char)WT_TRUE(src[i]);                                      \
            break;                                                                                                     \
        case ZS_U8:                                                                                                    \
            SMALL(uint8_t, 0, 255, (void)0) break;                                                                     \
        case ZS_I8:                                                                                                    \
            SMALL(int8_t, -128, 127, (void)0) break;                                                                   \
        case ZS_U16:                                                                                                   \
            if (swap) {                                                                                                \
                SMALL(uint16_t, 0, 65535, SW16)                                                                        \
            } else {                                                                                                   \
                SMALL(uint16_t, 0, 65535, (void)0)                                                                     \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_I16:                                                                                                   \
            if (swap) {                                                                                                \
                SMALL(int16_t, -32768, 32767, SW16)                                                                    \
            } else {                                                                                                   \
                SMALL(int16_t, -32768, 32767, (void)0)                                                                 \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_U32:                                                                                                   \
            if (swap) {                                                                                                \
                WIDE(uint32_t, 0, UINT32_MAX, SW32)                                                                    \
            } else {                                                                                                   \
                WIDE(uint32_t, 0, UINT32_MAX, (void)0)                                                                 \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_I32:                                                                                                   \
            if (swap) {                                                                                                \
                WIDE(int32_t, INT32_MIN, INT32_MAX, SW32)                                                              \
            } else {                                                                                                   \
                WIDE(int32_t, INT32_MIN, INT32_MAX, (void)0)                                                           \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_U64:                                                                                                   \
            if (swap) {                                                                                                \
                WIDE(uint64_t, 0, UINT64_MAX, SW64)                                                                    \
            } else {                                                                                                   \
                WIDE(uint64_t, 0, UINT64_MAX, (void)0)                                                                 \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_I64:                                                                                                   \
            if (swap) {                                                                                                \
                WIDE(int64_t, INT64_MIN, INT64_MAX, SW64)                                                              \
            } else {                                                                                                   \
                WIDE(int64_t, INT64_MIN, INT64_MAX, (void)0)                                                           \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_F32:                                                                                                   \
            if (swap) {                                                                                                \
                STORE_FLOAT(float, SW32)                                                                               \
            } else if (WT_FLOAT && sizeof(WT) == sizeof(float)) {                                                      \
                memcpy(d, src, n * sizeof(float));                                                                     \
            } else {                                                                                                   \
                STORE_FLOAT(float, (void)0)                                                                            \
            }                                                                                                          \
            break;                                                                                                     \
        case ZS_F64:                                                                                                   \
            if (swap) {                                                                                                \
                STORE_FLOAT(double, SW64)                                                                              \
            } else if (WT_FLOAT && sizeof(WT) == sizeof(double)) {                                                     \
                memcpy(d, src, n * sizeof(double));                                                                    \
            } else {                                                                                                   \
                STORE_FLOAT(double, (void)0)                                                                           \
            }                                                                                                          \
            break;                                                                                                     \
        default:                                                                                                       \
            break;                                                                                                     \
        }                                                                                                              \
    }

#define WT_TRUE(x) ((x) >= (WT)1 || (x) <= (WT)-1)
#define WT_FLOAT   1
#define WT         float
#define WT_ROUND   12582912.0f
DEFINE_FROM(zs__from_f32, STORE_SMALL, STORE_WIDE)
#undef WT
#undef WT_ROUND
#define WT       double
#define WT_ROUND 6755399441055744.0
DEFINE_FROM(zs__from_f64, STORE_SMALL, STORE_WIDE)
#undef WT
#undef WT_ROUND
#undef WT_TRUE
#undef WT_FLOAT
#define WT_TRUE(x) ((x) != 0)
#define WT_FLOAT   0
#define WT         int64_t
#define WT_SAT     sat_i64
DEFINE_FROM(zs__from_i64, STORE_SAT, STORE_SAT)
#undef WT
#undef WT_SAT
#define WT     uint64_t
#define WT_SAT sat_u64
DEFINE_FROM(zs__from_u64, STORE_SAT, STORE_SAT)
#undef WT
#undef WT_SAT
#undef WT_TRUE
#undef WT_FLOAT
