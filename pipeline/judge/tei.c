/*
 * tei.c - judge kind `tei`: a Hugging Face TEI-style classifier.
 * POST url {"inputs": TEXT}, or {"inputs": [[A, B]]} for two text fields
 * (a batch of one pair); the answer [{"label": L, "score": p}, ...] is read
 * by cf_judge_read_tei (teacher_judge.h).  The rest: classifier.c.
 */
#include <jansson.h>
#include "judge_kind.h"

static const cf_option tei_options[] = {
	CF_JOPT("url", CF_OPT_STRING, url, .flags = CF_OPT_REQUIRED,
	        .help = "the predict URL, e.g. http://127.0.0.1:8080/predict"),
	CF_JOPT_NAME, CF_JOPT_LABELS, CF_JOPT_FIELDS, CF_JOPT_KEY, CF_JOPT_HTTP,
	{ .key = NULL }
};

static json_t *tei_request(const cf_judge *j, const char *t0, const char *t1)
{
	(void)j;
	return t1 ? json_pack("{s:[[s,s]]}", "inputs", t0, t1)
	          : json_pack("{s:s}", "inputs", t0);
}

const cf_judge_classifier cf_judge_tei = {
	.kind = CF_JUDGE_CLASSIFIER("tei", NULL, tei_options),
	.request = tei_request,
	.read = cf_judge_read_tei,
};
