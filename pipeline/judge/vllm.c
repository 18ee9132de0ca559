/*
 * vllm.c - judge kind `vllm` (alias `classify`): vLLM's /classify.
 * POST url {"model": M, "input": [TEXT]} -> {"data": [{"probs": [...]}]},
 * read by cf_judge_read_vllm (teacher_judge.h); class i is named "i" or
 * "LABEL_i" in the labels map, which is therefore required.  One text
 * field.  The rest: classifier.c.
 */
#include <jansson.h>
#include "judge_kind.h"

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

static json_t *vllm_request(const cf_judge *j, const char *t0, const char *t1)
{
	(void)t1;
	return json_pack("{s:s, s:[s]}", "model", j->c.model, "input", t0);
}

const cf_judge_classifier cf_judge_vllm = {
	.kind = CF_JUDGE_CLASSIFIER("vllm", "classify", vllm_options),
	.one_field = 1,
	.request = vllm_request,
	.read = cf_judge_read_vllm,
};
