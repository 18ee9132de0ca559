/*
 * rules_pool.c - worker threads for the rules stage (issue 15: records are
 * independent for rules).
 *
 * Consumes tasks (a cf_rules_task header inside the caller's batch) in
 * submission order; N workers run fn(ctx, worker, task) on them, in any
 * order and at once; cf_rules_pool_take() hands them back strictly in
 * submission order, each one only once fn has returned for it.  So the
 * stage finishes records (candidates, emits, counters: everything that
 * touches the runner or jansson) on the calling thread, in input order, and
 * its output cannot depend on the number of workers or on their timing.
 *
 * State: one mutex, two condition variables (work for the workers, done
 * for the caller) and the FIFO of tasks.  The pool does not own the tasks
 * and never frees one; the caller bounds how many it submits.  Workers
 * block every signal (the runner's SIGINT/SIGTERM handlers and the EPIPE of
 * writes stay with the main thread).  Failure: cf_rules_pool_new() returns
 * CF_ENOMEM when a thread cannot be started (none is left running); fn has
 * no way to fail: it records failures in its task.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include "rules.h"

enum { TASK_QUEUED, TASK_RUNNING, TASK_DONE };

struct cf_rules_pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	cf_rules_task *head, *tail;  /* every task not yet taken, in order */
	cf_rules_task *next;         /* the first task no worker has started */
	int stop;
	cf_rules_pool_fn fn;
	void *ctx;
	unsigned n;                  /* threads started */
	struct worker { cf_rules_pool *p; unsigned id; pthread_t th; } *w;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	cf_rules_pool *p = w->p;
	cf_rules_task *t;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && !p->next)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		t = p->next;
		p->next = t->next;
		t->state = TASK_RUNNING;
		pthread_mutex_unlock(&p->mu);
		p->fn(p->ctx, w->id, t);
		pthread_mutex_lock(&p->mu);
		t->state = TASK_DONE;
		if (t == p->head)   /* the caller waits for the head only */
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void stop_workers(cf_rules_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->w[i].th, NULL);
	p->n = 0;
}

int cf_rules_pool_new(cf_rules_pool **out, unsigned nworkers,
                      cf_rules_pool_fn fn, void *ctx)
{
	cf_rules_pool *p = calloc(1, sizeof *p);
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc = 0;

	*out = NULL;
	if (!p || !(p->w = calloc(nworkers, sizeof *p->w))) {
		free(p);
		return CF_ENOMEM;
	}
	p->fn = fn;
	p->ctx = ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	/* timed waits on the monotonic clock: a clock step is no timeout */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->done, &ca);
	pthread_condattr_destroy(&ca);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* inherited by the workers */
	for (unsigned i = 0; i < nworkers; i++) {
		p->w[i] = (struct worker){ .p = p, .id = i };
		if (pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i]) != 0) {
			rc = CF_ENOMEM;
			break;
		}
		p->n++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		cf_rules_pool_free(&p);
		return rc;
	}
	*out = p;
	return 0;
}

void cf_rules_pool_submit(cf_rules_pool *p, cf_rules_task *t)
{
	t->next = NULL;
	t->state = TASK_QUEUED;
	pthread_mutex_lock(&p->mu);
	if (p->tail)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	if (!p->next)
		p->next = t;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

cf_rules_task *cf_rules_pool_take(cf_rules_pool *p, int timeout_ms)
{
	cf_rules_task *t = NULL;
	struct timespec until;

	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&p->mu);
	while (p->head && p->head->state != TASK_DONE && timeout_ms != 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&p->done, &p->mu);
		else if (pthread_cond_timedwait(&p->done, &p->mu, &until) == ETIMEDOUT)
			break;
	}
	if (p->head && p->head->state == TASK_DONE) {
		t = p->head;
		if (!(p->head = t->next))
			p->tail = NULL;
		t->next = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	return t;
}

cf_rules_task *cf_rules_pool_free(cf_rules_pool **pp)
{
	cf_rules_pool *p = pp ? *pp : NULL;
	cf_rules_task *left;

	if (!p)
		return NULL;
	stop_workers(p);   /* a running task ends first: fn cannot be stopped */
	left = p->head;
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->w);
	free(p);
	*pp = NULL;
	return left;
}
