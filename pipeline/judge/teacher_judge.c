/*
 * teacher_judge.c - answers of remote judges to probability vectors (see
 * teacher_judge.h).  No state; allocation only through jansson.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "teacher_judge.h"
#include "utf8_cut.h"

int cf_judge_label_index(const cf_judge_labels *jl, const char *name)
{
	const char *to = jl->map ? cf_strmap_get(jl->map, name) : NULL;
	size_t k;

	if (to)
		name = to;
	for (k = 0; k < jl->labels->n; k++)
		if (!strcmp(jl->labels->v[k], name))
			return (int)k;
	return -1;
}

static int fail(char *why, size_t whysz, const char *fmt, const char *arg)
{
	snprintf(why, whysz, fmt, arg ? arg : "");
	cf_utf8_sanitize(why);   /* '%.80s' of a label may cut a character */
	return -1;
}

/* Renormalise p[0..K); -1 when it holds no mass. */
static int normalise(double *p, size_t K, char *why, size_t whysz)
{
	double sum = 0;
	size_t k;

	for (k = 0; k < K; k++)
		sum += p[k];
	if (!(sum > 0) || !isfinite(sum))
		return fail(why, whysz, "the answer gives no probability to any label%s",
		            NULL);
	for (k = 0; k < K; k++)
		p[k] /= sum;
	return 0;
}

static int add_label(const cf_judge_labels *jl, const char *name, double v,
                     double *p, char *why, size_t whysz)
{
	int k = cf_judge_label_index(jl, name);

	if (k < 0)
		return fail(why, whysz, "label '%.80s' is not in the judge's labels map "
		            "nor among the stage's labels", name);
	if (!isfinite(v) || v < 0)
		return fail(why, whysz, "score of label '%.80s' is not a probability",
		            name);
	p[k] += v;
	return 0;
}

int cf_judge_read_tei(const cf_judge_labels *jl, const char *body, size_t len,
                      double *p, char *why, size_t whysz)
{
	json_t *a = json_loadb(body, len, 0, NULL), *list, *e;
	size_t i, K = jl->labels->n;
	int rc = -1;

	memset(p, 0, K * sizeof *p);
	list = a;
	/* a batch of one ([[...]]) answers a pair input */
	if (json_is_array(a) && json_array_size(a) == 1 &&
	    json_is_array(json_array_get(a, 0)))
		list = json_array_get(a, 0);
	if (!json_is_array(list) || !json_array_size(list)) {
		fail(why, whysz, "not a TEI answer ([{\"label\", \"score\"}, ...])%s", NULL);
		goto done;
	}
	json_array_foreach(list, i, e) {
		json_t *l = json_object_get(e, "label"), *sc = json_object_get(e, "score");

		if (!json_is_string(l) || !json_is_number(sc)) {
			fail(why, whysz, "not a TEI answer: an entry without label and "
			     "score%s", NULL);
			goto done;
		}
		if (add_label(jl, json_string_value(l), json_number_value(sc), p, why,
		              whysz) < 0)
			goto done;
	}
	rc = normalise(p, K, why, whysz);
done:
	json_decref(a);
	return rc;
}

int cf_judge_read_vllm(const cf_judge_labels *jl, const char *body, size_t len,
                       double *p, char *why, size_t whysz)
{
	json_t *a = json_loadb(body, len, 0, NULL), *probs, *e;
	size_t i, K = jl->labels->n;
	char key[32];
	int rc = -1;

	memset(p, 0, K * sizeof *p);
	probs = json_object_get(json_array_get(json_object_get(a, "data"), 0), "probs");
	if (!json_is_array(probs) || !json_array_size(probs)) {
		fail(why, whysz, "not a vLLM classify answer ({\"data\": [{\"probs\": "
		     "[...]}]})%s", NULL);
		goto done;
	}
	json_array_foreach(probs, i, e) {
		const char *name;

		if (!json_is_number(e)) {
			fail(why, whysz, "not a vLLM classify answer: probs holds a %s",
			     "non-number");
			goto done;
		}
		snprintf(key, sizeof key, "%zu", i);
		name = jl->map ? cf_strmap_get(jl->map, key) : NULL;
		if (!name) {
			snprintf(key, sizeof key, "LABEL_%zu", i);
			name = jl->map ? cf_strmap_get(jl->map, key) : NULL;
		}
		if (!name) {
			fail(why, whysz, "class %s has no name in the judge's labels map",
			     key + 6);
			goto done;
		}
		if (add_label(jl, name, json_number_value(e), p, why, whysz) < 0)
			goto done;
	}
	rc = normalise(p, K, why, whysz);
done:
	json_decref(a);
	return rc;
}

/* Does name start with token (case-insensitive, leading blanks of the
 * token dropped)?  An empty token starts nothing. */
static int starts(const char *name, const char *tok)
{
	size_t i;

	while (*tok == ' ' || *tok == '\t' || *tok == '\n' || *tok == '\r')
		tok++;
	if (!*tok)
		return 0;
	for (i = 0; tok[i]; i++)
		if (!name[i] || tolower((unsigned char)name[i]) !=
		                tolower((unsigned char)tok[i]))
			return 0;
	return 1;
}

static void add_token(const char *const *names, size_t K, const char *tok,
                      double lp, double *p)
{
	size_t k, hits = 0;

	if (!tok || !isfinite(lp))
		return;
	for (k = 0; k < K; k++)
		hits += (size_t)starts(names[k], tok);
	for (k = 0; hits && k < K; k++)
		if (starts(names[k], tok))
			p[k] += exp(lp) / (double)hits;
}

int cf_judge_read_logprobs(const char *const *names, size_t K,
                           const json_t *choice, double *p, char *why,
                           size_t whysz)
{
	json_t *lp = json_object_get(choice, "logprobs"), *first, *top, *e;
	const char *tok;
	size_t i;
	int seen = 0;

	memset(p, 0, K * sizeof *p);
	first = json_array_get(json_object_get(lp, "content"), 0);
	if (!json_is_object(first))
		return 1;
	top = json_object_get(first, "top_logprobs");
	tok = json_string_value(json_object_get(first, "token"));
	/* the chosen token is usually in top_logprobs too: count it once */
	json_array_foreach(top, i, e) {
		const char *t = json_string_value(json_object_get(e, "token"));

		if (t && tok && !strcmp(t, tok))
			seen = 1;
		add_token(names, K, t, json_number_value(json_object_get(e, "logprob")), p);
	}
	if (!seen)
		add_token(names, K, tok, json_number_value(json_object_get(first, "logprob")), p);
	return normalise(p, K, why, whysz) < 0 ?
	       fail(why, whysz, "the log-probabilities put no mass on a token that "
	            "starts a label name%s", NULL) : 0;
}

static int one_hot(const char *const *names, size_t K, const char *b, size_t n,
                   double *p)
{
	size_t k;

	for (k = 0; k < K; k++)
		if (strlen(names[k]) == n && !strncasecmp(names[k], b, n)) {
			memset(p, 0, K * sizeof *p);
			p[k] = 1;
			return 0;
		}
	return -1;
}

int cf_judge_read_label_answer(const char *const *names, size_t K,
                               const char *content, double *p, char *why,
                               size_t whysz)
{
	const char *o, *c, *b;
	json_t *obj = NULL, *l;
	size_t n;
	int rc = -1;

	if (!content)
		return fail(why, whysz, "the answer has no content%s", NULL);
	o = strchr(content, '{');
	c = strrchr(content, '}');
	if (o && c && c > o) {
		obj = json_loadb(o, (size_t)(c - o) + 1, 0, NULL);
		l = json_object_get(obj, "label");
		if (!json_is_string(l))
			fail(why, whysz, "the JSON answer has no \"label\" string%s", NULL);
		else if ((rc = one_hot(names, K, json_string_value(l),
		                       json_string_length(l), p)) < 0)
			fail(why, whysz, "the answer's label '%.80s' is not one of the "
			     "judge's labels", json_string_value(l));
		json_decref(obj);
		return rc;
	}
	/* a bare name, trimmed of blanks, quotes and a final full stop */
	b = content;
	while (*b && strchr(" \t\r\n\"'", *b))
		b++;
	n = strlen(b);
	while (n && strchr(" \t\r\n\"'.", b[n - 1]))
		n--;
	if (one_hot(names, K, b, n, p) < 0)
		return fail(why, whysz, "the answer '%.80s' is not one of the judge's "
		            "labels", content);
	return 0;
}
