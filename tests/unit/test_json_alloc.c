/*
 * test_json_alloc.c - jansson's allocations through the watcher and its
 * free lists (pipeline/util/json_alloc.c, issue 15).
 *
 * Values made before the hooks are installed must free through them
 * (the class is read back from the block, not from a header the hooks
 * wrote); blocks of every pooled size must come back whole when reused;
 * values freed by another thread go to libc, not to the free lists.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "json_alloc.h"

/* A string of length n with a pattern that shows any overlap. */
static json_t *pattern(size_t n, int seed)
{
	char buf[400];

	for (size_t i = 0; i < n; i++)
		buf[i] = (char)('a' + (i * 7 + (size_t)seed) % 26);
	return json_stringn(buf, n);
}

static int intact(const json_t *s, size_t n, int seed)
{
	const char *v = json_string_value(s);

	if (json_string_length(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] != (char)('a' + (i * 7 + (size_t)seed) % 26))
			return 0;
	return 1;
}

static void *free_all(void *arg)
{
	json_t **v = arg;

	for (size_t i = 0; i < 300; i++)
		json_decref(v[i]);
	return NULL;
}

static void test_pool(void **state)
{
	json_t *early[300], *v[300], *w[300];
	pthread_t th;
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++)   /* made by plain malloc */
		assert_non_null(early[i] = pattern(i, 1));
	cf_json_alloc_install();
	for (i = 0; i < 300; i++)
		json_decref(early[i]);   /* freed through the hooks */
	/* two rounds: the second reuses the blocks the first freed, and
	 * every block of a round is alive at once */
	for (int round = 0; round < 2; round++) {
		for (i = 0; i < 300; i++)
			assert_non_null(v[i] = pattern(i, round + 2));
		for (i = 0; i < 300; i++) {
			json_t *o = json_object();
			assert_non_null(o);
			assert_int_equal(json_object_set_new(o, "k", json_integer((json_int_t)i)), 0);
			w[i] = o;
		}
		for (i = 0; i < 300; i++) {
			assert_true(intact(v[i], i, round + 2));
			assert_int_equal(json_integer_value(json_object_get(w[i], "k")), (json_int_t)i);
		}
		for (i = 0; i < 300; i++) {
			json_decref(v[i]);
			json_decref(w[i]);
		}
	}
	/* made here, freed by another thread: libc's free, no shared list */
	for (i = 0; i < 300; i++)
		assert_non_null(v[i] = pattern(i, 5));
	assert_int_equal(pthread_create(&th, NULL, free_all, v), 0);
	pthread_join(th, NULL);
	for (i = 0; i < 300; i++)
		assert_non_null(v[i] = pattern(i, 6));
	for (i = 0; i < 300; i++) {
		assert_true(intact(v[i], i, 6));
		json_decref(v[i]);
	}
	assert_int_equal(cf_json_oom_take(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
