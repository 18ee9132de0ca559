/*
 * test_rules_pool.c - the rules stage's worker pool (rules_pool.c): tasks
 * come back in submission order whatever order the workers finish them
 * in, each only after its function returned; take() waits no longer than
 * asked; free() waits for a running task and hands back the ones not
 * taken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "../../stages/rules/rules.h"

typedef struct task {
	cf_rules_task h;             /* first */
	int i;
	int sleep_ms;
	volatile int started;        /* fn was called (set by the worker) */
	volatile int finished;       /* fn returned (set by the worker) */
	unsigned worker;
	volatile int *gate;          /* fn waits while *gate == 0 */
} task;

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void run(void *ctx, unsigned worker, cf_rules_task *t)
{
	task *k = (task *)t;

	(void)ctx;   /* cmocka's asserts belong to the main thread: note, check there */
	k->worker = worker;
	__atomic_store_n(&k->started, 1, __ATOMIC_RELEASE);
	while (k->gate && !__atomic_load_n(k->gate, __ATOMIC_ACQUIRE))
		nap(1);
	nap(k->sleep_ms);
	__atomic_store_n(&k->finished, 1, __ATOMIC_RELEASE);
}

/* Later tasks are quicker, so with three workers they finish first: take()
 * must still give task 0 first, and each only once it finished. */
static void test_submission_order(void **st)
{
	unsigned n = 3;
	cf_rules_pool *p = NULL;
	task t[12];

	(void)st;
	assert_int_equal(cf_rules_pool_new(&p, n, run, &n), 0);
	for (int i = 0; i < 12; i++) {
		t[i] = (task){ .i = i, .sleep_ms = 3 * (12 - i) };
		cf_rules_pool_submit(p, &t[i].h);
	}
	for (int i = 0; i < 12; i++) {
		task *k = (task *)cf_rules_pool_take(p, -1);
		assert_non_null(k);
		assert_int_equal(k->i, i);
		assert_true(__atomic_load_n(&k->finished, __ATOMIC_ACQUIRE));
		assert_true(k->worker < n);
	}
	assert_null(cf_rules_pool_take(p, -1));   /* nothing left: no wait */
	assert_null(cf_rules_pool_free(&p));
	assert_null(p);
}

/* take() with a timeout: NULL while the oldest task runs, after about the
 * timeout; 0 does not wait at all. */
static void test_take_timeout(void **st)
{
	unsigned n = 2;
	volatile int gate = 0;
	cf_rules_pool *p = NULL;
	task a = { .i = 0, .gate = &gate }, b = { .i = 1 };
	double t0;

	(void)st;
	assert_int_equal(cf_rules_pool_new(&p, n, run, &n), 0);
	cf_rules_pool_submit(p, &a.h);
	cf_rules_pool_submit(p, &b.h);
	while (!__atomic_load_n(&b.finished, __ATOMIC_ACQUIRE))
		nap(1);   /* b is done, a is held at its gate: b must not come out */
	t0 = now_ms();
	assert_null(cf_rules_pool_take(p, 0));
	assert_null(cf_rules_pool_take(p, 30));
	assert_true(now_ms() - t0 >= 25);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	assert_ptr_equal(cf_rules_pool_take(p, -1), &a.h);
	assert_ptr_equal(cf_rules_pool_take(p, 0), &b.h);
	cf_rules_pool_free(&p);
}

/* free() with tasks not taken: a running one ends first, every one comes
 * back, in order, and no worker touches them afterwards. */
static void test_free_hands_back(void **st)
{
	unsigned n = 1;
	cf_rules_pool *p = NULL;
	task t[5];
	cf_rules_task *left;
	int i = 0;

	(void)st;
	assert_int_equal(cf_rules_pool_new(&p, n, run, &n), 0);
	for (int k = 0; k < 5; k++) {
		t[k] = (task){ .i = k, .sleep_ms = 5 };
		cf_rules_pool_submit(p, &t[k].h);
	}
	while (!__atomic_load_n(&t[0].started, __ATOMIC_ACQUIRE))
		nap(1);   /* the worker is inside task 0 */
	for (left = cf_rules_pool_free(&p); left; left = left->next, i++)
		assert_int_equal(((task *)left)->i, i);
	assert_int_equal(i, 5);
	assert_true(t[0].finished);   /* the running task was waited for */
	int done[5];
	for (int k = 0; k < 5; k++)
		done[k] = t[k].finished;
	nap(20);
	for (int k = 0; k < 5; k++)
		assert_int_equal(t[k].finished, done[k]);
	assert_null(cf_rules_pool_free(&p));   /* NULL pool: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submission_order),
		cmocka_unit_test(test_take_timeout),
		cmocka_unit_test(test_free_hands_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
