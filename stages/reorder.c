/*
 * reorder.c - a diagnostic asynchronous stage: holds items and lets them go
 * in a shuffled order, the way a network stage finishes requests.
 *
 * Consumes originals and candidates and emits each unchanged, but late:
 * process() keeps up to `hold` items; when full, and on every poll(), it
 * releases randomly chosen ones; flush() releases the rest.  It exists to
 * prove (and test) that output order, pairing and totals do not depend on
 * the order in which stages finish.  State: a fixed array of held items
 * and a splitmix64 generator seeded from the pipeline seed.
 */
#include <stdlib.h>
#include "cfaug/sys/stage.h"

typedef struct reorder_state {
	long hold;
	cf_item **items;
	size_t n;
	uint64_t rng;
	uint64_t max_seq;       /* highest record position released so far */
	uint64_t overtaken;     /* items released after a later record's item */
	char *unable;           /* test hook: say at flush the stage could not work */
} reorder_state;

static const cf_option reorder_options[] = {
	{ .key = "hold", .type = CF_OPT_INT,
	  .offset = offsetof(reorder_state, hold), .def = "64", .min = 1,
	  .max = 1e6, .help = "most items held back at once" },
	{ .key = "unable", .type = CF_OPT_STRING,
	  .offset = offsetof(reorder_state, unable),
	  .help = "diagnostic: at the end, report that the stage could not do "
	  "its job with this reason (tests the exit path)" },
	{ .key = NULL }
};

static uint64_t next_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void release_one(cf_stage *st, reorder_state *s)
{
	size_t k = (size_t)(next_rand(&s->rng) % s->n);
	cf_item *it = s->items[k];

	s->items[k] = s->items[--s->n];
	if (it->rec->seq < s->max_seq)
		s->overtaken++;
	else
		s->max_seq = it->rec->seq;
	cf_emit(st, it);
}

static int reorder_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                        cf_error *err)
{
	reorder_state *s = state;

	s->rng = info->seed ^ 0x5eed;
	if (!(s->items = calloc((size_t)s->hold, sizeof *s->items)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	return 0;
}

static int reorder_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	reorder_state *s = state;

	if (s->n == (size_t)s->hold)
		release_one(st, s);
	s->items[s->n++] = it;
	return 0;
}

static int reorder_poll(cf_stage *st, void *state, int timeout_ms, cf_error *err)
{
	reorder_state *s = state;
	size_t k = s->n ? (size_t)(next_rand(&s->rng) % (s->n + 1)) : 0;

	while (k-- && s->n)
		release_one(st, s);
	return (int)s->n;
}

static int reorder_flush(cf_stage *st, void *state, cf_error *err)
{
	reorder_state *s = state;

	if (s->unable)
		cf_stage_unable(st, "%s", s->unable);
	while (s->n)
		release_one(st, s);
	return 0;
}

static int reorder_report(cf_stage *st, void *state, json_t *out)
{
	reorder_state *s = state;

	json_object_set_new(out, "overtaken", json_integer((json_int_t)s->overtaken));
	return 0;
}

static void reorder_destroy(cf_stage *st, void *state)
{
	reorder_state *s = state;

	while (s->n)
		cf_item_free(s->items[--s->n]);
	free(s->items);
}

const cf_stage_kind cf_stage_reorder = {
	.name = "reorder",
	.summary = "diagnostic: hold items and release them out of order (async)",
	.state_size = sizeof(reorder_state),
	.options = reorder_options,
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_CANDIDATES,
	.init = reorder_init,
	.process = reorder_process,
	.poll = reorder_poll,
	.flush = reorder_flush,
	.report = reorder_report,
	.destroy = reorder_destroy,
};
