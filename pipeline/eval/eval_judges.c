/*
 * eval_judges.c - the judges of `cfaug eval` (the engine of include/cfaug/sys/judge.h: one
 * per --judge) and the --fluency endpoint: every text of a group is asked
 * of every remote judge at once, and the group waits for the answers.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "eval_int.h"
#include "endpoint_opts.h"
#include "strlist.h"

const cf_option ev_fluency_table[] = {
	CF_OPT_ENDPOINT_BASE_URL(fluency),   /* /completions is added */
	{ .key = "model", .type = CF_OPT_STRING, .offset = offsetof(fluency, model),
	  .flags = CF_OPT_REQUIRED, .help = "model name" },
	CF_OPT_ENDPOINT_KEY(fluency),
	CF_OPT_ENDPOINT_CLIENT(fluency),
	{ .key = NULL }
};

/* The eval's label set, from the first judge: a builtin model's labels
 * through its labels map, else the map's values. */
static int first_labels(eval *e, judge *jd, const char *spec, cf_error *err)
{
	if (cf_judge_own_labels(jd->jg, &e->L) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (e->L.n < 2)
		return cf_error_set(err, CF_EUSAGE, "%s: the first judge sets the "
		                    "labels: give it a labels: map (its names -> "
		                    "the data's labels) with at least two labels",
		                    spec);
	e->K = e->L.n;
	return 0;
}

/* The first judge sets the default text fields (owned copies). */
static int first_fields(eval *e, judge *jd, cf_error *err)
{
	size_t f;

	e->nf = cf_judge_own_fields(jd->jg, e->fields, CF_EVAL_MAX_FIELDS);
	if (!e->nf) {
		e->fields[0] = "text";
		e->nf = 1;
	}
	for (f = 0; f < e->nf; f++) {
		if (!(e->own_fields[f] = strdup(e->fields[f])))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		e->fields[f] = e->own_fields[f];
	}
	return 0;
}

int ev_load_judge(eval *e, judge *jd, const char *spec, cf_error *err)
{
	size_t n = strlen(spec), i;
	cf_judge_env env;
	int rc = 0;

	if ((n > 5 && !strcmp(spec + n - 5, ".yaml")) ||
	    (n > 4 && !strcmp(spec + n - 4, ".yml"))) {
		/* a judge YAML: one item of a teacher stage's judges: */
		if ((rc = cf_conf_load(&jd->conf, spec, err)) < 0 ||
		    (rc = cf_judge_open(&jd->jg, jd->conf->root, spec, err)) < 0)
			return rc;
	} else if ((rc = cf_judge_open_model(&jd->jg, spec, NULL, spec, err)) < 0) {
		return rc;
	}
	jd->name = jd->jg->c.name;
	jd->path = cf_judge_what(jd->jg);
	for (i = 0; i < e->nj; i++)
		if (!strcmp(e->j[i].name, jd->name))
			return cf_error_set(err, CF_EUSAGE, "two judges are named '%s': "
			                    "give one a name: in its YAML", jd->name);
	if (e->nj == 0 && !e->nf && (rc = first_fields(e, jd, err)) < 0)
		return rc;
	if (e->nj == 0 && (rc = first_labels(e, jd, spec, err)) < 0)
		return rc;
	e->remote |= cf_judge_is_remote(jd->jg);
	e->F.v = (char **)e->fields;
	e->F.n = e->nf;
	memset(&env, 0, sizeof env);
	env.conf_path = spec;
	env.text_fields = &e->F;
	env.fields_what = "the --text-field fields";
	env.labels_what = "the first judge's labels";
	env.seed = e->a->seed;
	env.jitter_seed = e->a->seed + (uint64_t)(jd - e->j);
	if (!jd->conf)
		env.conf_path = "--judge";
	rc = cf_judge_bind(jd->jg, &e->L, &env, err);
	if (rc == CF_ECONFIG && !jd->conf) {
		/* a model given on the command line: a usage error */
		err->code = rc = CF_EUSAGE;
	}
	return rc;
}

/* Label index in the eval's label set, -1 when unknown. */
int ev_label_index(const eval *e, const char *label)
{
	return label ? cf_strlist_index(&e->L, label) : -1;
}

/* ---- remote judges ----------------------------------------------------- */


static const char *unit_text(void *ctx, const char *field, size_t *len)
{
	const utext *x = ctx;
	size_t f;

	for (f = 0; f < x->e->nf; f++)
		if (!strcmp(x->e->fields[f], field)) {
			*len = x->u->lens[f];
			return x->u->texts[f];
		}
	return NULL;
}

/* Text idx of the group: 0 the original, i + 1 the i-th counterfactual. */
static const unit *group_unit(const eval *e, size_t idx)
{
	return idx ? &e->cfs[idx - 1] : &e->orig;
}

/* A remote judge's answer for text idx (the request's user) of the group. */
static void remote_done(void *ctx, cf_judge *jg, void *user,
                        const cf_judge_answer *a)
{
	eval *e = ctx;
	size_t idx = (uintptr_t)user, j;
	judge *jd = e->j;

	for (j = 0; j < e->nj && e->j[j].jg != jg; j++)
		;
	jd = &e->j[j];
	if (a->outcome == CF_JUDGE_REFUSED) {
		cf_error_set(&e->fatal, CF_ENET, "judge '%s' refused the request: %s",
		             jd->name, a->why);
		jd->rfail[idx] = 1;
		return;
	}
	if (a->outcome == CF_JUDGE_ERROR)
		cf_error_set(&e->fatal, CF_ENET, "%s", a->why);
	if (a->outcome != CF_JUDGE_OK) {
		jd->rfail[idx] = 1;
		if (jg->st.failed <= MAX_TOLD)
			fprintf(stderr, "cfaug eval: %s:%ld: judge '%s' failed: %s\n",
			        e->cur_path, group_unit(e, idx)->line, jd->name, a->why);
	}
}

/* Ask every remote judge about every text of the group and wait for the
 * answers (all texts of a group in parallel, groups one after the other).
 * Failed texts are marked in rfail; an endpoint that refuses us stops the
 * run. */
static int fluency_submit(eval *e, cf_error *err);
static void fluency_done(void *ctx, const cf_http_result *r);

int ev_remote_scores(eval *e, cf_error *err)
{
	size_t j, i, nt = e->ncf + 1;
	int rc, busy;

	if (ev_grow((void **)&e->ut, &e->caput, nt, sizeof *e->ut) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < nt; i++) {
		e->ut[i].e = e;
		e->ut[i].u = group_unit(e, i);
	}
	for (j = 0; j < e->nj; j++) {
		judge *jd = &e->j[j];

		if (!cf_judge_is_remote(jd->jg))
			continue;
		if (ev_grow((void **)&jd->rp, &jd->caprp, nt * e->K, sizeof *jd->rp) < 0 ||
		    !(jd->rfail = realloc(jd->rfail, jd->caprp)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		memset(jd->rfail, 0, nt);
		for (i = 0; i < nt; i++) {
			rc = cf_judge_submit(jd->jg, unit_text, &e->ut[i],
			                     jd->rp + i * e->K, (void *)(uintptr_t)i, err);
			if (rc < 0)
				return rc;
			if (rc == 1) {          /* a text that is not UTF-8 */
				jd->rfail[i] = 1;
				jd->jg->st.failed++;
			}
		}
	}
	if (e->fl.http && (rc = fluency_submit(e, err)) < 0)
		return rc;
	do {
		busy = 0;
		if (e->fl.http && cf_http_pending(e->fl.http)) {
			if ((rc = cf_http_poll(e->fl.http, 5, fluency_done, &e->fl,
			                       err)) < 0)
				return rc;
			busy += rc > 0;
		}
		for (j = 0; j < e->nj && !e->fatal.code; j++) {
			judge *jd = &e->j[j];

			if (!cf_judge_pending(jd->jg))
				continue;
			if ((rc = cf_judge_poll(jd->jg, 5, remote_done, e, err)) < 0)
				return rc;
			busy += rc > 0;
		}
	} while (busy && !e->fatal.code);
	return cf_error_pass(err, &e->fatal);
}

/* ---- fluency ------------------------------------------------------------ */

int ev_load_fluency(eval *e, const char *path, cf_error *err)
{
	fluency *f = &e->fl;
	cf_http_opts ho;
	size_t n;
	int rc;

	f->e = e;
	if ((rc = cf_conf_load(&f->conf, path, err)) < 0 ||
	    (rc = cf_options_load(ev_fluency_table, f, f->conf->root, path, NULL,
	                          err)) < 0)
		return rc;
	n = strlen(f->base_url);
	while (n && f->base_url[n - 1] == '/')
		n--;
	if (!(f->endpoint = malloc(n + 16)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	snprintf(f->endpoint, n + 16, "%.*s/completions", (int)n, f->base_url);
	memset(&ho, 0, sizeof ho);
	ho.concurrency = f->concurrency;
	ho.max_retries = f->max_retries;
	ho.timeout_s = f->timeout_s;
	ho.api_key = f->api_key_env && *f->api_key_env ? getenv(f->api_key_env)
	                                               : NULL;
	ho.jitter_seed = e->a->seed + 1000;
	return cf_http_new(&f->http, &ho, err);
}

/* Perplexity from an echoed completions answer: exp of minus the mean of
 * choices[0].logprobs.token_logprobs, the null ones (the first token has
 * no context) left out.  NAN when none is a number. */
static double ppl_of(const char *body, size_t len, char *why, size_t wsz)
{
	json_t *r = json_loadb(body, len, 0, NULL), *lp;
	double sum = 0, out = NAN;
	size_t i, n = 0;

	lp = json_object_get(json_object_get(json_array_get(json_object_get(r,
	     "choices"), 0), "logprobs"), "token_logprobs");
	if (!json_is_array(lp)) {
		snprintf(why, wsz, "no choices[0].logprobs.token_logprobs in the "
		         "answer (does the server score prompts with echo?)");
		goto done;
	}
	for (i = 0; i < json_array_size(lp); i++) {
		json_t *v = json_array_get(lp, i);

		if (json_is_number(v)) {
			sum += json_number_value(v);
			n++;
		}
	}
	if (!n)
		snprintf(why, wsz, "no token with a logprob (a one-token text?)");
	else
		out = exp(-sum / (double)n);
done:
	json_decref(r);
	return out;
}

static void fluency_done(void *ctx, const cf_http_result *r)
{
	fluency *f = ctx;
	eval *e = f->e;
	size_t idx = (uintptr_t)r->user;
	char why[300] = "";

	if (r->outcome == CF_HTTP_FATAL) {
		cf_error_set(&e->fatal, CF_ENET, "fluency endpoint %s refused the "
		             "request: %s", f->endpoint, r->error ? r->error : "");
		return;
	}
	if (r->outcome == CF_HTTP_FAILED)
		snprintf(why, sizeof why, "%s", r->error ? r->error : "failed");
	else
		f->ppl[idx] = ppl_of(r->body, r->body_len, why, sizeof why);
	if (why[0] && ++f->failed <= MAX_TOLD)
		fprintf(stderr, "cfaug eval: %s:%ld: no perplexity: %s\n",
		        e->cur_path, group_unit(e, idx)->line, why);
}

/* Ask the fluency endpoint for the logprobs of every text of the group
 * (text fields joined by a newline). */
static int fluency_submit(eval *e, cf_error *err)
{
	fluency *f = &e->fl;
	size_t i, nt = e->ncf + 1, fi, len;
	int rc = 0;

	if (ev_grow((void **)&f->ppl, &f->cap, nt, sizeof *f->ppl) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < nt && rc == 0; i++) {
		const unit *u = group_unit(e, i);
		cf_http_request hr;
		char *text, *body;
		json_t *b;

		f->ppl[i] = NAN;
		for (len = 0, fi = 0; fi < e->nf; fi++)
			len += u->lens[fi] + 1;
		if (!(text = malloc(len + 1)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		for (len = 0, fi = 0; fi < e->nf; fi++) {
			if (fi)
				text[len++] = '\n';
			memcpy(text + len, u->texts[fi], u->lens[fi]);
			len += u->lens[fi];
		}
		b = json_pack("{s:s,s:s%,s:b,s:i,s:i,s:i}", "model", f->model,
		              "prompt", text, len, "echo", 1, "max_tokens", 0,
		              "logprobs", 1, "temperature", 0);
		free(text);
		body = b ? json_dumps(b, JSON_COMPACT) : NULL;
		json_decref(b);
		if (!body) {
			f->failed++;
			continue;
		}
		memset(&hr, 0, sizeof hr);
		hr.url = f->endpoint;
		hr.body = body;
		hr.body_len = strlen(body);
		hr.user = (void *)(uintptr_t)i;
		hr.est_tokens = (double)len / 4;
		rc = cf_http_submit(f->http, &hr, err);
		free(body);
	}
	return rc;
}

/* Did a remote judge fail on text idx of the group? */
int ev_remote_failed(const eval *e, size_t idx)
{
	size_t j;

	for (j = 0; j < e->nj; j++)
		if (cf_judge_is_remote(e->j[j].jg) && e->j[j].rfail[idx])
			return 1;
	return 0;
}

/* Probabilities of judge jd for unit u, in eval label order, into out. */
int ev_judge_predict(eval *e, judge *jd, const unit *u, double *out,
                         int *argmax)
{
	size_t k, K = e->K;
	utext x = { e, u };
	int rc;

	if (cf_judge_is_remote(jd->jg)) {
		size_t idx = u == &e->orig ? 0 : (size_t)(u - e->cfs) + 1;

		memcpy(out, jd->rp + idx * K, K * sizeof *out);
	} else if ((rc = cf_judge_score(jd->jg, unit_text, &x, out)) < 0) {
		return rc;
	}
	*argmax = 0;
	for (k = 0; k < K; k++)
		if (out[k] > out[*argmax])
			*argmax = (int)k;
	return 0;
}
