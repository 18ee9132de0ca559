/*
 * eval_examples.c - example pairs for report.html, as the first judge saw
 * them: the largest and smallest changes of p(target), failed flips (the
 * judge does not give the target) and the first pairs of each generator.
 * Memory: EX_KEEP pairs per list (their texts), whatever the input size.
 */
#include <stdlib.h>
#include <string.h>
#include "eval_int.h"

#define EX_KEEP 5         /* pairs per list */
#define EX_PER_GEN 2      /* pairs per generator */
#define EX_GENS 12        /* generators shown */

typedef struct example {
	double dp;
	long line;
	char *orig, *cf, *target, *pred, *transition, *gen;
} example;

typedef struct exlist {
	example it[EX_KEEP];
	size_t n;
} exlist;

struct examples {
	exlist top, bottom, failed, gen[EX_GENS];
	size_t ngen;
};

static void ex_clear(example *x)
{
	free(x->orig);
	free(x->cf);
	free(x->target);
	free(x->pred);
	free(x->transition);
	free(x->gen);
	memset(x, 0, sizeof *x);
}

static int ex_fill(eval *e, example *x, const unit *u, const char *tr,
                   const char *gen, int t, int pred, double dp)
{
	ex_clear(x);
	x->dp = dp;
	x->line = u->line;
	if (!(x->orig = ev_join_fields(e, &e->orig)) ||
	    !(x->cf = ev_join_fields(e, u)) ||
	    !(x->target = strdup(e->L.v[t])) || !(x->pred = strdup(e->L.v[pred])) ||
	    !(x->transition = strdup(tr)) || !(x->gen = strdup(gen)))
		return CF_ENOMEM;
	return 0;
}

/* Keep the EX_KEEP pairs with the largest (sign 1) or smallest (sign -1)
 * dp; the first come stay on ties. */
static int keep_extreme(eval *e, exlist *l, int sign, const unit *u,
                        const char *tr, const char *gen, int t, int pred,
                        double dp)
{
	size_t i, w = 0;

	if (l->n < EX_KEEP)
		return ex_fill(e, &l->it[l->n++], u, tr, gen, t, pred, dp);
	for (i = 1; i < l->n; i++)
		if (sign * l->it[i].dp < sign * l->it[w].dp)
			w = i;
	if (sign * dp <= sign * l->it[w].dp)
		return 0;
	return ex_fill(e, &l->it[w], u, tr, gen, t, pred, dp);
}

int ev_example_add(eval *e, const unit *u, const char *tr, const char *gen,
                   int t, int pred, double dp)
{
	struct examples *x;
	size_t g;
	int rc;

	if (!e->ex && !(e->ex = calloc(1, sizeof *e->ex)))
		return CF_ENOMEM;
	x = e->ex;
	if ((rc = keep_extreme(e, &x->top, 1, u, tr, gen, t, pred, dp)) < 0 ||
	    (rc = keep_extreme(e, &x->bottom, -1, u, tr, gen, t, pred, dp)) < 0)
		return rc;
	if (pred != t && x->failed.n < EX_KEEP &&
	    (rc = ex_fill(e, &x->failed.it[x->failed.n++], u, tr, gen, t, pred,
	                  dp)) < 0)
		return rc;
	for (g = 0; g < x->ngen && strcmp(x->gen[g].it[0].gen, gen); g++)
		;
	if (g == x->ngen && x->ngen < EX_GENS)
		x->ngen++;
	if (g < x->ngen && x->gen[g].n < EX_PER_GEN)
		return ex_fill(e, &x->gen[g].it[x->gen[g].n++], u, tr, gen, t, pred,
		               dp);
	return 0;
}

static int by_dp_desc(const void *a, const void *b)
{
	double x = ((const example *)a)->dp, y = ((const example *)b)->dp;

	return (x < y) - (x > y);
}

static int by_dp_asc(const void *a, const void *b)
{
	return by_dp_desc(b, a);
}

/* The list as JSON; order 1: largest change first, -1: smallest first,
 * 0: as read. */
static json_t *list_json(exlist *l, int order)
{
	json_t *a = json_array();
	size_t i;

	if (order)
		qsort(l->it, l->n, sizeof *l->it, order > 0 ? by_dp_desc : by_dp_asc);
	for (i = 0; i < l->n; i++) {
		const example *x = &l->it[i];

		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:f}",
		        "line", (json_int_t)x->line, "original", x->orig,
		        "counterfactual", x->cf, "target", x->target, "judge_label",
		        x->pred, "transition", x->transition, "generator", x->gen,
		        "prob_change", x->dp));
	}
	return a;
}

json_t *ev_examples_json(const eval *e)
{
	struct examples *x = e->ex;
	json_t *o, *g;
	size_t i;

	if (!x)
		return NULL;
	g = json_object();
	for (i = 0; i < x->ngen; i++)
		json_object_set_new(g, x->gen[i].it[0].gen, list_json(&x->gen[i], 0));
	o = json_pack("{s:s,s:o,s:o,s:o,s:o}", "judge", e->j[0].name,
	              "largest_prob_change", list_json(&x->top, 1),
	              "smallest_prob_change", list_json(&x->bottom, -1),
	              "failed_flips", list_json(&x->failed, 0), "by_generator", g);
	return o;
}

void ev_examples_free(eval *e)
{
	struct examples *x = e->ex;
	size_t i, g;

	if (!x)
		return;
	for (i = 0; i < EX_KEEP; i++) {
		ex_clear(&x->top.it[i]);
		ex_clear(&x->bottom.it[i]);
		ex_clear(&x->failed.it[i]);
	}
	for (g = 0; g < EX_GENS; g++)
		for (i = 0; i < EX_KEEP; i++)
			ex_clear(&x->gen[g].it[i]);
	free(x);
	e->ex = NULL;
}
