/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 the zslab authors */
/* Whole transfers (core/transfer.c): short transfers are continued, the end of a file stops a
 * read with the bytes moved so far, and the status forms name the file and the offset where the
 * transfer stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "zs_internal.h"

/* A SOCK_SEQPACKET socket returns one packet per read: three packets, three short reads. */
static void test_short_reads_are_continued(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    unsigned char out[30], in[40];
    for (int i = 0; i < 30; i++) out[i] = (unsigned char)(i + 1);
    for (int k = 0; k < 3; k++) assert_int_equal(write(sv[0], out + 10 * k, 10), 10);
    size_t done = 99;
    assert_int_equal(zs__read_full(sv[1], in, 30, -1, 1, &done), 0);
    assert_int_equal(done, 30);
    assert_memory_equal(in, out, 30);
    assert_int_equal(write(sv[0], out, 10), 10);
    assert_int_equal(shutdown(sv[0], SHUT_WR), 0);
    assert_int_equal(zs__read_full(sv[1], in, 40, -1, 1, &done), 0); /* 10 bytes, then the end */
    assert_int_equal(done, 10);
    close(sv[0]);
    close(sv[1]);
}

/* At an offset: a file shorter than the request stops the read at its end; an O_DIRECT-style
 * alignment stops it after a short transfer that leaves the offset unaligned. */
static void test_file_end_and_alignment(void **state)
{
    (void)state;
    const char *path = "transfer.bin";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    static unsigned char buf[8192], back[8192];
    memset(buf, 7, sizeof buf);
    size_t done = 0;
    assert_int_equal(zs__write_full(fd, buf, 5000, 0, 1, &done), 0);
    assert_int_equal(done, 5000);
    assert_int_equal(zs__read_full(fd, back, 8192, 1000, 1, &done), 0);
    assert_int_equal(done, 4000);
    assert_int_equal(zs__read_full(fd, back, 8192, 0, 4096, &done), 0);
    assert_int_equal(done, 5000);
    assert_int_equal(zs__pread_full(fd, path, back, 100, 4950), ZS_EFORMAT);
    assert_string_equal(zs_last_error(),
                        "transfer.bin: the file ends at offset 5000, before the data it describes (truncated?)");
    assert_int_equal(zs__pwrite_full(fd, path, buf, 100, 6000), ZS_OK);
    assert_int_equal(zs__pread_full(fd, path, back, 6100, 0), ZS_OK); /* the hole reads as zeros */
    assert_int_equal(back[5500], 0);
    assert_int_equal(back[6050], 7);
    close(fd);
    unlink(path);
}

/* A failed call: its errno, and a message naming the file and the offset. */
static void test_errors_name_file_and_offset(void **state)
{
    (void)state;
    unsigned char b[16] = {0};
    size_t done = 1;
    assert_int_equal(zs__read_full(-1, b, sizeof b, 0, 1, &done), EBADF);
    assert_int_equal(done, 0);
    assert_int_equal(zs__pread_full(-1, "gone.raw", b, sizeof b, 42), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "gone.raw: read failed at offset 42: "));
    const int fd = open("/dev/null", O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(zs__pwrite_full(fd, "null.raw", b, sizeof b, 8), ZS_EIO);
    assert_non_null(strstr(zs_last_error(), "null.raw: write failed at offset 8: "));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_reads_are_continued),
        cmocka_unit_test(test_file_end_and_alignment),
        cmocka_unit_test(test_errors_name_file_and_offset),
    };
    return cmocka_run_group_tests_name("transfer", tests, NULL, NULL);
}
