/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* PNG encoding of 8-bit images (previews) through libpng's simplified API: grey or RGB,
 * in memory or to a file written as NAME.partial (zs_partial_file) and renamed when complete. */
#include "zs_internal.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

static zs_status check_image(const zs_image *img)
{
    ZS_RETURN_IF(!img || !img->pixels || img->width < 1 || img->height < 1 || img->width > 0x7fffffff ||
                     img->height > 0x7fffffff || (img->channels != 1 && img->channels != 3),
                 ZS_EINVAL, "PNG: not an 8-bit grey or RGB image");
    return ZS_OK;
}

zs_status zs_image_encode_png(const zs_image *img, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    ZS_FORWARD(check_image(img));
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)img->width;
    pi.height = (png_uint_32)img->height;
    pi.format = img->channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_alloc_size_t n = 0;
    const png_int_32 stride = (png_int_32)(img->width * img->channels);
    if (!png_image_write_to_memory(&pi, NULL, &n, 0, img->pixels, stride, NULL))
        return ZS_ERR(ZS_EINTERNAL, "PNG: libpng cannot encode a %lld x %lld image: %s", (long long)img->width,
                      (long long)img->height, pi.message);
    unsigned char *b = malloc(n ? n : 1);
    ZS_RETURN_IF(!b, ZS_ENOMEM, "PNG: out of memory for %zu bytes", (size_t)n);
    if (!png_image_write_to_memory(&pi, b, &n, 0, img->pixels, stride, NULL)) {
        free(b);
        return ZS_ERR(ZS_EINTERNAL, "PNG: libpng failed: %s", pi.message);
    }
    *buf = b;
    *len = (size_t)n;
    return ZS_OK;
}

zs_status zs_image_write_png(const zs_image *img, const char *path)
{
    unsigned char *buf;
    size_t len;
    ZS_FORWARD(zs_image_encode_png(img, &buf, &len));
    zs_partial_file *p = NULL;
    zs_status st = zs_partial_file_new(path, &p);
    if (st == ZS_OK && fwrite(buf, 1, len, zs_partial_file_stream(p)) != len)
        st = ZS_ERR_SYS(zs__status_from_errno(errno), errno, "%s.partial: cannot write", path);
    free(buf);
    if (st == ZS_OK) st = zs_partial_file_commit(p);
    zs_partial_file_free(p); /* uncommitted: removed */
    return st;
}
