/*
 * vllm.c - judge kind `vllm` (alias `classify`): vLLM's /classify.
 * POST url {"model": M, "input": [TEXT]} -> {"data": [{"probs": [...]}]},
 * read by cf_judge_read_vllm (teacher_judge.h); class i is named "i" or
 * "LABEL_i" in the labels map, which is therefore required.
 */
#include <jansson.h>
#include <stdlib.h>
#include "judge_kind.h"
#include "teacher_judge.h"

static const cf_option vllm_options[] = {
	CF_JOPT("url", CF_OPT_STRING, url, .flags = CF_OPT_REQUIRED,
	        .help = "the classify URL, e.g. http://127.0.0.1:8000/classify"),
	CF_JOPT("model", CF_OPT_STRING, model, .flags = CF_OPT_REQUIRED,
	        .help = "served model name"),
	CF_JOPT("labels", CF_OPT_STRMAP, labels, .flags = CF_OPT_REQUIRED,
	        .help = "class index (0, 1, ... or LABEL_0) -> stage label"),
	CF_JOPT_NAME, CF_JOPT_FIELDS, CF_JOPT_KEY, CF_JOPT_HTTP,
	{ .key = NULL }
};

static int vllm_bind(cf_judge *j, void *state, const cf_judge_env *env,
                     cf_error *err)
{
	int rc;

	(void)state;
	if ((rc = cf_judge_remote_fields(j, env, 1, err)) < 0)
		return rc;
	if (j->send->n != 1)
		return cf_conf_error(err, env->conf_path, j->node, "a vllm judge "
		                     "reads one text field: set fields: [NAME]");
	return 0;
}

static char *vllm_body(const cf_judge *j, void *state, cf_judge_text_fn text,
                       void *ctx, int json)
{
	const char *t0;
	size_t l;
	json_t *b;
	char *dump = NULL;

	(void)state;
	(void)json;
	if (!(t0 = text(ctx, j->send->v[0], &l)))
		t0 = "";
	if ((b = json_pack("{s:s, s:[s]}", "model", j->c.model, "input", t0)))
		dump = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return dump;
}

static int vllm_read(const cf_judge *j, void *state, int json, const char *body,
                     size_t len, double *p, const char **source, char *why,
                     size_t whysz)
{
	cf_judge_labels jl = { j->L, &j->c.labels };

	(void)state;
	(void)json;
	*source = NULL;
	return cf_judge_read_vllm(&jl, body, len, p, why, whysz);
}

const cf_judge_kind cf_judge_vllm = {
	.name = "vllm",
	.alias = "classify",
	.options = vllm_options,
	.flags = CF_JUDGE_REMOTE,
	.bind = vllm_bind,
	.endpoint = cf_judge_url_endpoint,
	.request_body = vllm_body,
	.read_answer = vllm_read,
};
