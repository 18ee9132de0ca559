/*
 * json_alloc.c - jansson's allocations, watched and pooled.
 *
 * jansson reports a failed allocation only through the return value of the
 * call that made it, and code that builds provenance or reports sets many
 * keys without checking each one.  Instead of trusting every call site,
 * cfaug routes jansson's allocations through here: a failure is remembered,
 * and the runner fails the run with CF_ENOMEM at its next check rather than
 * write output with a value silently missing.
 *
 * Pool (issue 15).  A record and its candidates make about a hundred small
 * jansson blocks (objects, hash buckets, strings) that die a few records
 * later; glibc's per-thread cache holds 7 blocks per size, so most of them
 * went through its slow path (15% of a gender CDA run).  Small blocks freed
 * by the thread that installed the hooks go onto free lists by size class
 * instead, bounded to POOL_MAX_BYTES in all (memory stays flat).  The class
 * is read back with malloc_usable_size(), so a block made before the hooks
 * were installed, or by another thread, is freed correctly too.  Off under
 * AddressSanitizer, which must see every free to find use-after-free.
 */
#include <malloc.h>
#include <stdlib.h>
#include <jansson.h>
#include "json_alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ON 0
#endif
#endif
#ifndef POOL_ON
#define POOL_ON 1
#endif

enum { POOL_CLASSES = 16,                 /* 24, 40, ..., 264 bytes */
       POOL_MAX_BYTES = 4 << 20 };

static int oom;
static __thread int pool_thread;          /* this thread installed the hooks */
static void *pool[POOL_CLASSES];          /* free lists, linked through the block */
static size_t pool_bytes;

static size_t class_size(size_t c) { return 24 + 16 * c; }

static void *watched_malloc(size_t n)
{
	size_t c = n <= 24 ? 0 : (n - 24 + 15) / 16;
	void *p;

	if (POOL_ON && pool_thread && c < POOL_CLASSES) {
		if ((p = pool[c]) != NULL) {
			pool[c] = *(void **)p;
			pool_bytes -= class_size(c);
			return p;
		}
		n = class_size(c);   /* one size per class, so blocks are reusable */
	}
	if (!(p = malloc(n)))
		oom = 1;
	return p;
}

static void watched_free(void *p)
{
	size_t u, c;

	if (POOL_ON && p && pool_thread && pool_bytes < POOL_MAX_BYTES &&
	    (u = malloc_usable_size(p)) >= 24 && (c = (u - 24) / 16) < POOL_CLASSES) {
		*(void **)p = pool[c];
		pool[c] = p;
		pool_bytes += class_size(c);
		return;
	}
	free(p);
}

void cf_json_alloc_install(void)
{
	static int owned;   /* the free lists belong to the first thread only */

	if (!owned)
		owned = pool_thread = 1;
	json_set_alloc_funcs(watched_malloc, watched_free);
}

int cf_json_oom_take(void)
{
	int was = oom;

	oom = 0;
	return was;
}
