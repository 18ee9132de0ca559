/*
 * test_strlist.c - the one string-list lookup (pipeline/util/strlist.c)
 * the stages, the judge engine and eval share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "strlist.h"

static void test_index(void **st)
{
	char *v[] = { "neg", "pos", "neg" };
	cf_strlist l = { v, 3 }, empty = { NULL, 0 };

	(void)st;
	assert_int_equal(cf_strlist_index(&l, "neg"), 0);   /* the first one */
	assert_int_equal(cf_strlist_index(&l, "pos"), 1);
	assert_int_equal(cf_strlist_index(&l, "po"), -1);   /* whole strings */
	assert_int_equal(cf_strlist_index(&l, "Neg"), -1);  /* case counts */
	assert_int_equal(cf_strlist_index(&empty, "neg"), -1);
	assert_int_equal(cf_strlist_index(NULL, "neg"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
