/*
 * eval_score.c - scoring one group of `cfaug eval`: each judge's view of the original
 * and of every counterfactual, the flip / consistency / probability
 * figures, the breakdown rows a pair counts in, minimality and diversity.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "eval_int.h"

/* ---- breakdowns ------------------------------------------------------- */

static bucket *bd_get(breakdown *bd, const char *key)
{
	size_t i;

	for (i = 0; i < bd->n; i++)
		if (!strcmp(bd->b[i].key, key))
			return &bd->b[i];
	if (bd->n == MAX_BUCKETS) {
		key = "(other)";
		for (i = 0; i < bd->n; i++)
			if (!strcmp(bd->b[i].key, key))
				return &bd->b[i];
		bd->n--;   /* the last row becomes "(other)" */
		free(bd->b[bd->n].key);
	}
	if (ev_grow((void **)&bd->b, &bd->cap, bd->n + 1, sizeof *bd->b) < 0)
		return NULL;
	memset(&bd->b[bd->n], 0, sizeof *bd->b);
	if (!(bd->b[bd->n].key = strdup(key)))
		return NULL;
	return &bd->b[bd->n++];
}

/* The generator's value for a breakdown dimension, into buf; NULL when the
 * generator does not say. */
static const char *gen_value(const json_t *g, int dim, char *buf, size_t size)
{
	static const char *const keys[BD_COUNT][3] = {
		{ NULL }, { "stage" }, { "kind" }, { "rules", "rule", "entry" },
		{ "prompt", "template" }, { "model" }
	};
	size_t i, k;

	for (k = 0; k < 3 && keys[dim][k]; k++) {
		json_t *v = json_object_get(g, keys[dim][k]);

		if (json_is_string(v)) {
			snprintf(buf, size, "%s", json_string_value(v));
			return buf;
		}
		if (json_is_array(v) && json_array_size(v)) {
			size_t used = 0;

			buf[0] = 0;
			for (i = 0; i < json_array_size(v); i++) {
				json_t *s = json_array_get(v, i);

				if (json_is_string(s) && used + 1 < size)
					used += (size_t)snprintf(buf + used, size - used, "%s%s",
					                         i ? "+" : "", json_string_value(s));
			}
			return buf;
		}
	}
	return NULL;
}

/* ---- scoring a group -------------------------------------------------- */

/* What one group needs while it is scored. */
typedef struct gscore {
	double *po;          /* judge j's probabilities of the original: po + j*K */
	int *orig_pred;      /* judge j's label of the original */
	int ol;              /* the original's label index, -1 unknown */
	size_t m;            /* edits measured (e->tc[0..m)) */
} gscore;

/* Every judge's view of the original (and its agreement with the data). */
static int score_original(eval *e, gscore *g)
{
	size_t j, K = e->K;

	for (j = 0; j < e->nj; j++) {
		if (ev_judge_predict(e, &e->j[j], &e->orig, g->po + j * K,
		                     &g->orig_pred[j]) < 0)
			return CF_ENOMEM;
		if (g->ol >= 0) {
			e->j[j].on++;
			e->j[j].ok += g->orig_pred[j] == g->ol;
		}
		if (PUSH(e->j[j].pred, e->j[j].npred, e->j[j].cap_pred,
		         g->orig_pred[j]))
			return CF_ENOMEM;
	}
	if (PUSH(e->gold, e->ngold, e->cap_gold, g->ol) ||
	    cf_evtext_set(&e->to, (const char *const *)e->orig.texts,
	                  e->orig.lens, e->nf) < 0 ||
	    ev_grow((void **)&e->tc, &e->captc, e->ncf, sizeof *e->tc) < 0)
		return CF_ENOMEM;
	return 0;
}

/* A paraphrase control: did each judge's label change? */
static int score_control(eval *e, const gscore *g, const unit *u, int t)
{
	size_t j;
	int pc;

	e->controls++;
	for (j = 0; j < e->nj; j++) {
		if (ev_judge_predict(e, &e->j[j], u, e->p, &pc) < 0)
			return CF_ENOMEM;
		e->j[j].ctl_n++;
		e->j[j].ctl_k += pc != g->orig_pred[j];
		if (PUSH(e->j[j].pred, e->j[j].npred, e->j[j].cap_pred, pc))
			return CF_ENOMEM;
	}
	return PUSH(e->gold, e->ngold, e->cap_gold, t) ? CF_ENOMEM : 0;
}

/* An edit's minimality (into the diversity set) and fluency; i: its index
 * among the group's counterfactuals. */
static int measure_edit(eval *e, gscore *g, const unit *u, size_t i)
{
	size_t d;

	memset(&e->tc[g->m], 0, sizeof e->tc[g->m]);
	if (cf_evtext_set(&e->tc[g->m], (const char *const *)u->texts, u->lens,
	                  e->nf) < 0 ||
	    cf_evtext_distance(&e->to, &e->tc[g->m], &d) < 0)
		return CF_ENOMEM;
	g->m++;
	if (ev_grow((void **)&e->dist, &e->cap_dist, e->ndist_n + 1,
	            sizeof *e->dist) < 0 ||
	    !(e->ndist = realloc(e->ndist, e->cap_dist * sizeof *e->ndist)))
		return CF_ENOMEM;
	if (e->fl.http) {
		double po_ = e->fl.ppl[0], pc_ = e->fl.ppl[i + 1];

		if (ev_grow((void **)&e->ppl_o, &e->cap_ppl, e->nppl + 1,
		            sizeof *e->ppl_o) < 0 ||
		    !(e->ppl_c = realloc(e->ppl_c, e->cap_ppl * sizeof *e->ppl_c)) ||
		    !(e->ppl_r = realloc(e->ppl_r, e->cap_ppl * sizeof *e->ppl_r)))
			return CF_ENOMEM;
		e->ppl_o[e->nppl] = po_;
		e->ppl_c[e->nppl] = pc_;
		e->ppl_r[e->nppl++] = pc_ / po_;   /* NAN if either is */
	}
	e->dist[e->ndist_n] = (double)d;
	e->ndist[e->ndist_n++] = cf_eval_norm_distance(d, cf_evtext_len(&e->to));
	return 0;
}

/* The breakdown rows pair u counts in (its transition tr, its generator's
 * stage, kind, rule, ...) into rows; their pair counts go up. */
static int pair_rows(eval *e, const unit *u, const char *tr, int flip,
                     bucket **rows, size_t *nr)
{
	char gbuf[512];
	size_t r;

	*nr = 0;
	if (!(rows[(*nr)++] = bd_get(&e->bd[BD_TRANSITION], tr)))
		return CF_ENOMEM;
	for (r = BD_STAGE; r < BD_COUNT; r++) {
		const char *gv = gen_value(u->generator, (int)r, gbuf, sizeof gbuf);

		if (gv && !(rows[(*nr)++] = bd_get(&e->bd[r], gv)))
			return CF_ENOMEM;
	}
	if (e->nf >= 2) {
		size_t f, used = 0;

		gbuf[0] = 0;
		for (f = 0; f < e->nf; f++)
			if ((u->lens[f] != e->orig.lens[f] ||
			     memcmp(u->texts[f], e->orig.texts[f], u->lens[f])) &&
			    used + 1 < sizeof gbuf)
				used += (size_t)snprintf(gbuf + used, sizeof gbuf - used,
				                         "%s%s", used ? "+" : "",
				                         e->fields[f]);
		if (!(rows[(*nr)++] = bd_get(&e->bd[BD_FIELD], used ? gbuf
		                                                 : "(none)")))
			return CF_ENOMEM;
	}
	for (r = 0; r < *nr; r++) {
		rows[r]->n++;
		rows[r]->tn += flip;
	}
	return 0;
}

/* Every judge on edit u with target t: targeted and untargeted flips,
 * consistency, change of p(target), into the judge and the rows. */
static int judge_edit(eval *e, const gscore *g, const unit *u, int t, int flip,
                      bucket **rows, size_t nr, int *pred0, double *dp0)
{
	size_t j, r;

	for (j = 0; j < e->nj; j++) {
		judge *jd = &e->j[j];
		const double *p = g->po + j * e->K;
		int pc, hit, changed, cons;
		double dp;

		if (ev_judge_predict(e, jd, u, e->p, &pc) < 0)
			return CF_ENOMEM;
		hit = pc == t;
		changed = pc != g->orig_pred[j];
		cons = hit && g->orig_pred[j] == g->ol;
		dp = e->p[t] - p[t];
		if (j == 0) {
			*pred0 = pc;
			*dp0 = dp;
		}
		jd->un++;
		jd->uk += changed;
		if (flip) {
			jd->tn++;
			jd->tk += hit;
			jd->ck += cons;
		} else {         /* CDA: the edit must keep the label (t == ol) */
			jd->ln++;
			jd->lk += hit;
		}
		if (PUSH(jd->dprob, jd->ndprob, jd->cap_dprob, dp) ||
		    PUSH(jd->pred, jd->npred, jd->cap_pred, pc))
			return CF_ENOMEM;
		for (r = 0; r < nr; r++) {
			rows[r]->tk[j] += hit;
			rows[r]->uk[j] += changed;
			rows[r]->ck[j] += cons;
			rows[r]->dsum[j] += dp;
		}
	}
	return 0;
}

/* An edit pair: measured, counted in its rows, judged, sampled for review. */
static int score_edit(eval *e, gscore *g, const unit *u, size_t i, int t)
{
	int flip = t != g->ol;
	bucket *rows[BD_COUNT];
	size_t nr;
	char tr[600], gbuf[512];
	const char *gv;
	int pred0 = 0;
	double dp0 = 0;

	if (measure_edit(e, g, u, i) < 0)
		return CF_ENOMEM;
	e->flip_pairs += flip;
	snprintf(tr, sizeof tr, "%s \xe2\x86\x92 %s", e->orig.label, u->label);
	if (pair_rows(e, u, tr, flip, rows, &nr) < 0 ||
	    judge_edit(e, g, u, t, flip, rows, nr, &pred0, &dp0) < 0)
		return CF_ENOMEM;
	gv = gen_value(u->generator, BD_STAGE, gbuf, sizeof gbuf);
	if (!gv)
		gv = gen_value(u->generator, BD_KIND, gbuf, sizeof gbuf);
	if (e->rv && ev_review_pair(e, u, tr, gv ? gv : "", t) < 0)
		return CF_ENOMEM;
	if (e->nj && ev_example_add(e, u, tr, gv ? gv : "(unknown)", t, pred0,
	                            dp0) < 0)
		return CF_ENOMEM;
	return PUSH(e->gold, e->ngold, e->cap_gold, t) ? CF_ENOMEM : 0;
}

/* Diversity among the m edits of this original. */
static int group_diversity(eval *e, size_t m)
{
	uint64_t dd, tot;
	double dv;
	int n, rc = 0;

	if (m < 2)
		return 0;
	dv = cf_eval_diversity(e->tc, m, &rc);
	if (rc < 0 || PUSH(e->div, e->ndiv, e->cap_div, dv))
		return CF_ENOMEM;
	for (n = 1; n <= 2; n++) {
		if (cf_eval_distinct_n(e->tc, m, n, &dd, &tot) < 0)
			return CF_ENOMEM;
		e->dn_sum[n - 1] += tot ? (double)dd / (double)tot : 0.0;
	}
	e->dn_groups++;
	return 0;
}

/* A pair skipped for a label the judges do not know: told once per label,
 * with the judges' labels and the map that fixes it (a label differing
 * only in case is the usual cause: CAD's Positive against positive). */
static void tell_unknown(eval *e, long line, const char *label)
{
	const char *twin = NULL, *spec = e->a->judges[0];
	char known[512] = "", fix[700];
	size_t i, n = 0;

	for (i = 0; i < e->ntold_labels; i++)
		if (!strcmp(e->told_labels[i], label))
			return;
	if (e->ntold_labels == MAX_TOLD ||
	    !(e->told_labels[e->ntold_labels] = strdup(label)))
		return;
	e->ntold_labels++;
	for (i = 0; i < e->L.n; i++) {
		if (!twin && !strcasecmp(e->L.v[i], label))
			twin = e->L.v[i];
		if (n < sizeof known)
			n += (size_t)snprintf(known + n, sizeof known - n, "%s%s",
			                      i ? ", " : "", e->L.v[i]);
	}
	if (e->j[0].conf)   /* the first judge is a YAML: its labels: map */
		snprintf(fix, sizeof fix, "map them in %s with labels: {%s: %s, "
		         "...}", spec, twin ? twin : "THEIRS", twin ? label : "YOURS");
	else                /* a model file: only a judge YAML maps labels */
		snprintf(fix, sizeof fix, "map them with a judge YAML: {kind: "
		         "builtin, model: %s, labels: {%s: %s, ...}}", spec,
		         twin ? twin : "THEIRS", twin ? label : "YOURS");
	fprintf(stderr, "cfaug eval: %s:%ld: pairs skipped: label '%.100s' is "
	        "not one of the judges' labels (%s)%s%s%s; %s (each label is "
	        "told once; counts.unknown_label_pairs)\n", e->cur_path, line,
	        label, known, twin ? "; '" : "", twin ? twin : "",
	        twin ? "' differs only in case" : "", fix);
}

/* Score the group read (e->orig, e->cfs) and clear it.  A pair a remote
 * judge failed on, or whose labels the judges do not know, is counted and
 * left out. */
int ev_score_group(eval *e, cf_error *err)
{
	gscore g;
	size_t i;
	int rc = 0;

	memset(&g, 0, sizeof g);
	if (!e->have_group)
		return 0;
	e->groups++;
	if (e->ncf == 0) {
		e->one_sided++;
		goto done;
	}
	if ((e->remote || e->fl.http) && (rc = ev_remote_scores(e, err)) < 0)
		goto done;
	if (e->remote && ev_remote_failed(e, 0)) {
		/* no judge's view of the original: its pairs are left out */
		e->pairs += e->ncf;
		e->judge_failed += e->ncf;
		goto done;
	}
	g.ol = ev_label_index(e, e->orig.label);
	if (!(g.po = malloc(e->nj * e->K * sizeof *g.po)) ||
	    !(g.orig_pred = malloc(e->nj * sizeof *g.orig_pred)) ||
	    score_original(e, &g) < 0)
		goto nomem;
	for (i = 0; i < e->ncf; i++) {
		const unit *u = &e->cfs[i];
		int t = ev_label_index(e, u->label);

		e->pairs++;
		if (e->remote && ev_remote_failed(e, i + 1)) {
			e->judge_failed++;
		} else if (g.ol < 0 || t < 0) {
			e->unknown++;
			tell_unknown(e, u->line, g.ol < 0 ? e->orig.label : u->label);
		} else if (u->control ? score_control(e, &g, u, t) < 0
		                      : score_edit(e, &g, u, i, t) < 0) {
			goto nomem;
		}
	}
	if (group_diversity(e, g.m) < 0)
		goto nomem;
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	for (i = 0; i < g.m; i++)
		cf_evtext_clear(&e->tc[i]);
	free(g.po);
	free(g.orig_pred);
	ev_group_clear(e);
	return rc;
}
