/*
 * test_buf.c - the one growable byte buffer (cf_buf, include/cfaug/util.h):
 * its cap is exact and a refused append leaves the buffer as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "cfaug/util.h"

static void test_cap_is_exact(void **st)
{
	cf_buf b = { .max = 10 };

	(void)st;
	assert_int_equal(cf_buf_put(&b, "0123456", 7), 0);
	assert_int_equal(cf_buf_put(&b, "789", 3), 0);          /* len == max */
	assert_string_equal(b.p, "0123456789");
	assert_true(b.cap <= b.max + 1);                        /* bound on memory */
	assert_int_equal(cf_buf_put(&b, "x", 1), CF_ELIMIT);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.p, "0123456789");                 /* unchanged */
	assert_int_equal(cf_buf_printf(&b, "%d", 1), CF_ELIMIT);
	cf_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 10);                            /* the cap stays */
	cf_buf_free(NULL);
}

static void test_grows_and_terminates(void **st)
{
	cf_buf b = { 0 };
	size_t i;

	(void)st;
	assert_int_equal(cf_buf_put(&b, "", 0), 0);             /* "" is a string */
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(cf_buf_printf(&b, "%03zu,", i), 0);
	assert_int_equal(b.len, 4000);
	assert_int_equal(b.p[4000], '\0');
	assert_memory_equal(b.p + 3996, "999,", 4);
	assert_int_equal(cf_buf_put(&b, "abc", 3), 0);
	assert_string_equal(b.p + 4000, "abc");
	cf_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_is_exact),
		cmocka_unit_test(test_grows_and_terminates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
