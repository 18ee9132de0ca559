/*
 * json_alloc.c - jansson's allocations, watched.
 *
 * jansson reports a failed allocation only through the return value of the
 * call that made it, and code that builds provenance or reports sets many
 * keys without checking each one.  Instead of trusting every call site,
 * cfaug routes jansson's allocations through here: a failure is remembered,
 * and the runner fails the run with CF_ENOMEM at its next check rather than
 * write output with a value silently missing.
 */
#include <stdlib.h>
#include <jansson.h>
#include "json_alloc.h"

static int oom;

static void *watched_malloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		oom = 1;
	return p;
}

void cf_json_alloc_install(void)
{
	json_set_alloc_funcs(watched_malloc, free);
}

int cf_json_oom_take(void)
{
	int was = oom;

	oom = 0;
	return was;
}
