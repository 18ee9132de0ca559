/*
 * eval.c - cf_eval_run (eval.h): one `cfaug eval` run -- judges loaded, the input
 * read group by group and scored, report.json / report.html written.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "eval_int.h"
#include <sys/stat.h>
#include "eval_report.h"

int ev_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *nv;

	if (need <= *cap)
		return 0;
	nc = *cap ? 2 * *cap : 256;
	while (nc < need)
		nc *= 2;
	if (!(nv = realloc(*v, nc * elem)))
		return CF_ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

#define PUSH(arr, n, cap, val) \
	(ev_grow((void **)&(arr), &(cap), (n) + 1, sizeof *(arr)) < 0 ? CF_ENOMEM : \
	 ((arr)[(n)++] = (val), 0))

/* ---- the command ------------------------------------------------------ */

static void eval_free(eval *e)
{
	size_t i;

	ev_group_clear(e);
	free(e->cfs);
	free(e->tc);
	cf_evtext_clear(&e->to);
	free(e->p);
	free(e->q);
	free(e->dist);
	free(e->ndist);
	free(e->div);
	free(e->gold);
	ev_review_free(&e->rv);
	free(e->ppl_o);
	free(e->ppl_c);
	free(e->ppl_r);
	cf_http_free(&e->fl.http);
	free(e->fl.endpoint);
	free(e->fl.ppl);
	cf_options_free(ev_fluency_table, &e->fl);
	cf_conf_free(&e->fl.conf);
	for (i = 0; i < BD_COUNT; i++) {
		size_t k;

		for (k = 0; k < e->bd[i].n; k++)
			free(e->bd[i].b[k].key);
		free(e->bd[i].b);
	}
	for (i = 0; i < CF_EVAL_MAX_FIELDS; i++)
		free(e->own_fields[i]);
	for (i = 0; i < e->ntold_labels; i++)
		free(e->told_labels[i]);
	cf_strlist_free(&e->L);
	free(e->ut);
	json_decref(e->warnings);
	ev_examples_free(e);
	for (i = 0; i < MAX_JUDGES; i++) {
		cf_judge_free(&e->j[i].jg);
		cf_conf_free(&e->j[i].conf);
		free(e->j[i].rp);
		free(e->j[i].rfail);
		free(e->j[i].dprob);
		free(e->j[i].pred);
	}
}

void ev_warn(eval *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "cfaug eval: warning: %s\n", msg);
	if (!e->warnings)
		e->warnings = json_array();
	json_array_append_new(e->warnings, json_string(msg));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Figures that say the numbers cannot be trusted: a judge that is often
 * wrong on the originals, originals that do not match their blocks. */
static void check_figures(eval *e)
{
	size_t j;
	double *v, med;

	for (j = 0; j < e->nj; j++) {
		const judge *jd = &e->j[j];

		if (jd->on && (double)jd->ok / (double)jd->on < MIN_JUDGE_ACCURACY)
			ev_warn(e, "judge '%s' is right on %.3f of the originals "
			        "(%llu/%llu, below %.2f): its flip rates say little "
			        "about the counterfactuals", jd->name,
			        (double)jd->ok / (double)jd->on,
			        (unsigned long long)jd->ok, (unsigned long long)jd->on,
			        MIN_JUDGE_ACCURACY);
	}
	if (!e->a->originals || !e->ndist_n ||
	    !(v = malloc(e->ndist_n * sizeof *v)))
		return;
	memcpy(v, e->ndist, e->ndist_n * sizeof *v);
	qsort(v, e->ndist_n, sizeof *v, cmp_double);
	med = e->ndist_n % 2 ? v[e->ndist_n / 2] :
	      (v[e->ndist_n / 2 - 1] + v[e->ndist_n / 2]) / 2;
	free(v);
	if (med > MAX_ORIGINALS_DISTANCE)
		ev_warn(e, "%s and %s barely overlap (median normalised token "
		        "distance %.3f): are these the originals the "
		        "counterfactuals were made from?", e->a->originals,
		        e->a->input, med);
}

/* Flat layouts without --label-field: the label field of the first judge
 * that knows the one of its training data (a model of `cfaug teacher
 * train` records it), told once on stderr when it is not "label". */
static void judge_label_field(eval *e, const cf_eval_opts *a)
{
	size_t i;
	const char *lf;

	e->label_field = a->label_field ? a->label_field : "label";
	if (a->label_field || !(a->pair_key || a->block))
		return;
	for (i = 0; i < e->nj; i++)
		if ((lf = cf_judge_own_label_field(e->j[i].jg))) {
			e->label_field = lf;
			e->label_from = e->j[i].name;
			break;
		}
	if (e->label_from && strcmp(e->label_field, "label"))
		fprintf(stderr, "cfaug eval: label field '%s', the one judge '%s' "
		        "was trained with (--label-field to read another)\n",
		        e->label_field, e->label_from);
}

/* The judges, --fluency and the review state, before reading. */
static int open_judges(eval *e, const cf_eval_opts *a, cf_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < a->njudges; i++) {
		if ((rc = ev_load_judge(e, &e->j[i], a->judges[i], err)) < 0)
			return rc;
		e->nj++;
	}
	judge_label_field(e, a);
	if (a->fluency && (rc = ev_load_fluency(e, a->fluency, err)) < 0)
		return rc;
	if (a->review_export || a->review_import) {
		if (!(e->rv = calloc(1, sizeof *e->rv)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		if (a->review_import && (rc = ev_review_read(e, err)) < 0)
			return rc;
	}
	if (!(e->p = malloc(e->K * sizeof *e->p)) ||
	    !(e->q = malloc(2 * e->K * sizeof *e->q)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	return 0;
}

/* Judge the pairs of a->input into *report. */
static int judge_pairs(eval *e, const cf_eval_opts *a, json_t **report,
                       cf_error *err)
{
	cf_reader *rd = NULL;
	size_t written = 0;
	json_t *rj;
	int rc;

	if ((rc = open_judges(e, a, err)) < 0 ||
	    (rc = ev_open_reader(&rd, a->input, a->format, err)) < 0)
		goto done;
	e->cur_path = a->input;
	rc = a->pair_key || a->block ? ev_read_flat(e, rd, err) :
	     ev_read_pairs(e, rd, err);
	if (rc < 0)
		goto done;
	check_figures(e);
	if (e->pairs == 0) {
		rc = cf_error_set(err, CF_EDATA, "%s: no pairs to evaluate (%llu "
		                  "records, %llu bad)", a->input,
		                  (unsigned long long)e->records,
		                  (unsigned long long)e->bad);
		goto done;
	}
	if (e->unknown + e->judge_failed == e->pairs) {
		/* figures over no pair would read as 0.000, not as "not judged" */
		rc = cf_error_set(err, CF_EDATA, "%s: no pair could be judged: of "
		                  "%llu pairs, %llu have a label the judges do not "
		                  "know and %llu lost a judge's answer (see above)",
		                  a->input, (unsigned long long)e->pairs,
		                  (unsigned long long)e->unknown,
		                  (unsigned long long)e->judge_failed);
		goto done;
	}
	if (!(*report = ev_build_report(e))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if (e->rv) {
		if (a->review_export && (rc = ev_review_write(e, &written, err)) < 0)
			goto done;
		if (!(rj = ev_review_json(e, written))) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		json_object_set_new(*report, "human_review", rj);
	}
done:
	cf_reader_close(&rd);
	return rc;
}

int cf_eval_run(const cf_eval_opts *a, json_t **out, cf_error *err)
{
	json_t *report = NULL;
	eval e;
	size_t i;
	int rc = 0;

	*out = NULL;
	memset(&e, 0, sizeof e);
	e.a = a;
	for (i = 0; i < a->nfields; i++)
		e.fields[i] = a->fields[i];
	e.nf = a->nfields;
	if (mkdir(a->output, 0777) < 0 && errno != EEXIST) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", a->output, strerror(errno));
		goto done;
	}
	if (a->input)
		rc = judge_pairs(&e, a, &report, err);
	else if (!(report = json_pack("{s:s}", "tool", "cfaug " CFAUG_VERSION)))
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
	if (rc < 0 ||
	    (a->sp_before && (rc = ev_spurious(&e, report, err)) < 0) ||
	    (rc = cf_eval_report_write(report, a->output, err)) < 0)
		goto done;
	*out = report;
	report = NULL;
done:
	json_decref(report);
	eval_free(&e);
	return rc;
}

