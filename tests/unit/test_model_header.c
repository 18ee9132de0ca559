/*
 * test_model_header.c - the teacher model loader checks its header against
 * the file's size before it allocates anything the header sizes (issue
 * 11): a 12 KB file with a valid checksum once reserved 16.8 GB for a
 * weight table of 2^24 buckets x 256 columns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linear_model.h"

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A model file of n bytes: a valid header (version 3) with these bits,
 * labels and fields, zeros after it, a valid size field and CRC. */
static void write_model(const char *path, size_t n, uint32_t bits, uint32_t nlabels,
                        uint32_t nfields)
{
	unsigned char *b = calloc(1, n);
	FILE *f;

	assert_non_null(b);
	memcpy(b, CF_LM_MAGIC, 4);
	put32(b + 4, CF_LM_VERSION);
	put32(b + 8, (uint32_t)n);           /* total size, u64 little-endian */
	put32(b + 16, 0);                    /* flags */
	put32(b + 20, bits);
	put32(b + 24, nlabels);
	put32(b + 28, nfields);
	put32(b + n - 4, cf_lm_crc32(b, n - 4));
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
	free(b);
}

static void expect_refused(const char *path, const char *word)
{
	cf_lm *m = NULL;
	cf_error err = { 0 };

	assert_int_equal(cf_lm_load(&m, path, &err), CF_EDATA);
	assert_null(m);
	if (!strstr(err.msg, word))
		fail_msg("'%s' does not say '%s'", err.msg, word);
}

static void test_implausible_headers(void **state)
{
	char path[] = "/tmp/cfaug-model-header-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* 2^24 buckets x (1 + 255 labels) floats = 16 GiB for a 12 KB file */
	write_model(path, 12288, 24, 255, 1);
	expect_refused(path, "implausible model header");
	expect_refused(path, "16384 MB for a file of 12288 bytes");
	/* 1000 labels cannot even have their names in 200 bytes */
	write_model(path, 200, 16, 1000, 1);
	expect_refused(path, "1000 labels and 1 fields do not fit in 200 bytes");
	/* a plausible header whose rows do not fill the rest of the file */
	write_model(path, 4096, 16, 2, 1);
	expect_refused(path, "malformed");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implausible_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
