/*
 * edit_filter.c - keeps counterfactuals minimal: rejects candidates that
 * change nothing or change too much.
 *
 * Consumes candidates; emits those whose token-level Levenshtein distance
 * to their original (summed over the text fields, see pipeline/util/tokens.h)
 * is at least min_edits, at most max_edits (when set) and at most max_ratio
 * x the original's tokens in the fields that changed (an edited hypothesis
 * is measured against the hypothesis, not the premise too).  The ratio is
 * not applied to originals shorter than ratio_min_tokens in those fields:
 * one edit in "He won." is a third of it, and still minimal.
 * Rejects the others as "unchanged", "too_few_edits" or "too_many_edits"
 * with the figures.
 * The distance is added to the candidate's generator provenance.  Texts
 * longer than max_tokens are compared on their first max_tokens tokens
 * (bounded time and memory).  The distance is exact: a candidate that says
 * where it was edited (cf_item.edit_spans: the rules stage's) is measured
 * from its spans, tokenising the original once and comparing tokens only
 * near the edits; any other (llm), or one whose spans do not fit its texts,
 * by hashing both texts' tokens and a banded table, O(d * n) for d edits
 * (pipeline/util/tokens.c).  State: options, scratch and counters.
 */
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"
#include "tokens.h"

typedef struct edit_state {
	double max_ratio;
	long min_edits, max_edits, ratio_min_tokens;
	long max_tokens;
	const cf_strlist *text_fields;
	uint64_t *a, *b;          /* token hashes, max_tokens each */
	cf_tokens_work work;      /* the distances' scratch */
	double sum_ratio;
	uint64_t kept;
} edit_state;

static const cf_option edit_options[] = {
	{ .key = "max_ratio", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(edit_state, max_ratio), .def = "0.5", .max = 1e9,
	  .help = "most edits allowed, as a share of the original's tokens" },
	{ .key = "min_edits", .type = CF_OPT_INT,
	  .offset = offsetof(edit_state, min_edits), .def = "1", .max = 1e9,
	  .help = "fewest token edits (1 rejects unchanged candidates)" },
	{ .key = "max_edits", .type = CF_OPT_INT,
	  .offset = offsetof(edit_state, max_edits), .def = "0", .max = 1e9,
	  .help = "most token edits whatever the length (0: no such limit)" },
	{ .key = "ratio_min_tokens", .type = CF_OPT_INT,
	  .offset = offsetof(edit_state, ratio_min_tokens), .def = "0",
	  .max = 1e9,
	  .help = "originals with fewer tokens (in the edited fields) are not "
	  "held to max_ratio" },
	{ .key = "max_tokens", .type = CF_OPT_INT,
	  .offset = offsetof(edit_state, max_tokens), .def = "4096", .min = 1,
	  .max = 1e6, .help = "tokens compared per field" },
	{ .key = NULL }
};

static int edit_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                     cf_error *err)
{
	edit_state *s = state;

	if (s->max_edits > 0 && s->max_edits < s->min_edits) {
		const cf_node *at = cf_node_get(info->node, "max_edits");

		return cf_conf_error(err, info->conf_path, at ? at : info->node,
		                     "max_edits (%ld) is below min_edits (%ld): every "
		                     "candidate would be rejected", s->max_edits, s->min_edits);
	}
	s->text_fields = info->text_fields;
	s->a = malloc((size_t)s->max_tokens * sizeof *s->a);
	s->b = malloc((size_t)s->max_tokens * sizeof *s->b);
	if (!s->a || !s->b ||    /* no destroy() after a failed init */
	    cf_tokens_work_init(&s->work, (size_t)s->max_tokens) < 0) {
		free(s->a);
		free(s->b);
		s->a = s->b = NULL;
		cf_tokens_work_free(&s->work);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	return 0;
}

/* The distance of field f from the candidate's edit spans (the run of
 * them for f), or CF_TOKENS_UNKNOWN; *na: the original's tokens. */
static size_t span_distance(edit_state *s, const cf_edit_spans *sp, const char *f,
                            const char *ta, size_t la, const char *tb, size_t lb,
                            size_t *na)
{
	size_t i = 0, j;

	while (i < sp->n && sp->v[i].field != f && strcmp(sp->v[i].field, f))
		i++;
	for (j = i; j < sp->n && (sp->v[j].field == sp->v[i].field ||
	                          !strcmp(sp->v[j].field, f)); j++)
		;
	if (i == j) {      /* not edited here: the same text, or it is unknown */
		*na = 0;   /* only counted where the distance is not 0 */
		return la == lb && !memcmp(ta, tb, la) ? 0 : CF_TOKENS_UNKNOWN;
	}
	return cf_tokens_distance_spans(ta, la, tb, lb, sp->v + i, j - i, &s->work, na);
}

static int edit_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	edit_state *s = state;
	cf_item orig = { .rec = it->rec };
	size_t i, na, nb, la, lb, dist = 0, ntok = 0, cap = (size_t)s->max_tokens, d;
	const char *ta, *tb;
	double ratio;
	json_t *detail;

	for (i = 0; i < s->text_fields->n; i++) {
		const char *f = s->text_fields->v[i];
		ta = cf_item_text(&orig, f, &la);
		tb = cf_item_text(it, f, &lb);
		d = CF_TOKENS_UNKNOWN;
		if (it->edit_spans && ta && tb)
			d = span_distance(s, it->edit_spans, f, ta, la, tb, lb, &na);
		if (d == CF_TOKENS_UNKNOWN) {   /* hash both texts' tokens */
			na = ta ? cf_tokens_hash(ta, la, s->a, cap) : 0;
			nb = tb ? cf_tokens_hash(tb, lb, s->b, cap) : 0;
			d = cf_tokens_distance_row(s->a, na < cap ? na : cap, s->b,
			                           nb < cap ? nb : cap, &s->work);
		}
		if (d == (size_t)-1) {
			cf_reject(st, it, "out_of_memory", NULL);
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		}
		dist += d;
		if (d)          /* normalise by the fields the edit touched */
			ntok += na;
	}
	ratio = (double)dist / (double)(ntok ? ntok : 1);
	detail = json_pack("{s:I, s:f}", "token_edits", (json_int_t)dist, "edit_ratio", ratio);
	if ((long)dist < s->min_edits) {
		cf_reject(st, it, dist ? "too_few_edits" : "unchanged", detail);
	} else if ((s->max_edits > 0 && (long)dist > s->max_edits) ||
	           ((long)ntok >= s->ratio_min_tokens && ratio > s->max_ratio)) {
		cf_reject(st, it, "too_many_edits", detail);
	} else {
		json_object_update(it->generator, detail);
		json_decref(detail);
		s->kept++;
		s->sum_ratio += ratio;
		cf_emit(st, it);
	}
	return 0;
}

static int edit_report(cf_stage *st, void *state, json_t *out)
{
	edit_state *s = state;

	/* a mean over no kept candidate is not 0: null */
	json_object_set_new(out, "mean_edit_ratio_kept",
	                    s->kept ? json_real(s->sum_ratio / (double)s->kept) : json_null());
	return 0;
}

static void edit_destroy(cf_stage *st, void *state)
{
	edit_state *s = state;

	free(s->a);
	free(s->b);
	cf_tokens_work_free(&s->work);
}

const cf_stage_kind cf_stage_edit_filter = {
	.name = "edit_filter",
	.summary = "reject candidates that change nothing or too much (token edit distance)",
	.state_size = sizeof(edit_state),
	.options = edit_options,
	.flags = CF_STAGE_CANDIDATES,
	.init = edit_init,
	.process = edit_process,
	.report = edit_report,
	.destroy = edit_destroy,
};
