/*
 * tei.c - judge kind `tei`: a Hugging Face TEI-style classifier.
 * POST url {"inputs": TEXT}, or {"inputs": [[A, B]]} for two text fields
 * (a batch of one pair); the answer [{"label": L, "score": p}, ...] is read
 * by cf_judge_read_tei (teacher_judge.h).
 */
#include <jansson.h>
#include <stdlib.h>
#include "judge_kind.h"
#include "teacher_judge.h"

static const cf_option tei_options[] = {
	CF_JOPT("url", CF_OPT_STRING, url, .flags = CF_OPT_REQUIRED,
	        .help = "the predict URL, e.g. http://127.0.0.1:8080/predict"),
	CF_JOPT_NAME, CF_JOPT_LABELS, CF_JOPT_FIELDS, CF_JOPT_KEY, CF_JOPT_HTTP,
	{ .key = NULL }
};

static int tei_bind(cf_judge *j, void *state, const cf_judge_env *env,
                    cf_error *err)
{
	(void)state;
	return cf_judge_remote_fields(j, env, 1, err);
}

static char *tei_body(const cf_judge *j, void *state, cf_judge_text_fn text,
                      void *ctx, int json)
{
	const char *t0, *t1;
	size_t l;
	json_t *b;
	char *dump = NULL;

	(void)state;
	(void)json;
	if (!(t0 = text(ctx, j->send->v[0], &l)))
		t0 = "";
	if (j->send->n == 2) {
		t1 = text(ctx, j->send->v[1], &l);
		b = json_pack("{s:[[s,s]]}", "inputs", t0, t1 ? t1 : "");
	} else {
		b = json_pack("{s:s}", "inputs", t0);
	}
	if (b)
		dump = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return dump;
}

static int tei_read(const cf_judge *j, void *state, int json, const char *body,
                    size_t len, double *p, const char **source, char *why,
                    size_t whysz)
{
	cf_judge_labels jl = { j->L, &j->c.labels };

	(void)state;
	(void)json;
	*source = NULL;
	return cf_judge_read_tei(&jl, body, len, p, why, whysz);
}

const cf_judge_kind cf_judge_tei = {
	.name = "tei",
	.options = tei_options,
	.flags = CF_JUDGE_REMOTE,
	.bind = tei_bind,
	.endpoint = cf_judge_url_endpoint,
	.request_body = tei_body,
	.read_answer = tei_read,
};
