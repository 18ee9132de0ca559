/*
 * judge.c - the judge engine (include/cfaug/sys/judge.h): opening a judge
 * from YAML or a model path, binding it to the caller's labels and fields,
 * and for remote kinds the requests: body from the kind, HTTP through
 * pipeline/util/http.h, answer read by the kind, an llm judge in mode auto
 * asked again for JSON when its server gives no logprobs.  Nothing here
 * knows a kind by name: kinds are found in the table of kinds.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/judge.h"
#include "http.h"
#include "judge_kind.h"
#include "strlist.h"

#define WHY_MAX 300

/* A request in flight: what to ask again and where the answer goes. */
struct jreq {
	struct jreq *prev, *next;
	cf_judge_text_fn text;
	void *ctx, *user;
	double *p;
	int json;
};

static const char *const judge_skip[] = { "kind", NULL };

static int list_add(cf_strlist *l, const char *v)
{
	char **nv;

	if (cf_strlist_index(l, v) >= 0)
		return 0;
	if (!(nv = realloc(l->v, (l->n + 1) * sizeof *nv)))
		return CF_ENOMEM;
	l->v = nv;
	if (!(nv[l->n] = strdup(v)))
		return CF_ENOMEM;
	l->n++;
	return 0;
}

const cf_judge_kind *cf_judge_kind_find(const char *name)
{
	size_t k;

	for (k = 0; cf_judge_kinds[k]; k++)
		if (!strcmp(cf_judge_kinds[k]->name, name) ||
		    (cf_judge_kinds[k]->alias && !strcmp(cf_judge_kinds[k]->alias,
		                                         name)))
			return cf_judge_kinds[k];
	return NULL;
}

/* The kinds' names for messages: "builtin, tei, vllm or llm". */
static void kind_list(char *buf, size_t size)
{
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; cf_judge_kinds[k] && n < size; k++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", k == 0 ? "" :
		                      cf_judge_kinds[k + 1] ? ", " : " or ",
		                      cf_judge_kinds[k]->name);
}

/* A judge of kind kd: state, options from jn (may be NULL), kind open. */
static int judge_new(cf_judge **out, const cf_judge_kind *kd,
                     const cf_node *jn, const char *conf_path, cf_error *err)
{
	cf_judge *j;
	int rc = 0;

	if (!(j = calloc(1, sizeof *j)) ||
	    (kd->state_size && !(j->state = calloc(1, kd->state_size)))) {
		free(j);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	j->kind = kd;
	j->node = jn;
	*out = j;
	if (jn && (rc = cf_options_load(kd->options, &j->c, jn, conf_path,
	                                judge_skip, err)) < 0)
		return rc;
	if (!j->c.name && (j->c.model || j->c.url) &&
	    !(j->c.name = strdup(j->c.model ? j->c.model : j->c.url)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	return 0;
}

int cf_judge_open(cf_judge **out, const cf_node *jn, const char *conf_path,
                  cf_error *err)
{
	const cf_node *kn = cf_node_get(jn, "kind");
	const cf_judge_kind *kd;
	cf_error lerr = { 0 };
	char kinds[128];
	int rc;

	*out = NULL;
	kind_list(kinds, sizeof kinds);
	if (jn->type != CF_NODE_MAP)
		return cf_conf_error(err, conf_path, jn,
		                     "a judge is a mapping with kind: and its options");
	if (!kn || kn->type != CF_NODE_SCALAR)
		return cf_conf_error(err, conf_path, jn, "judge without "
		                     "kind: (%s)", kinds);
	if (!(kd = cf_judge_kind_find(kn->str)))
		return cf_conf_error(err, conf_path, kn, "unknown judge "
		                     "kind '%s' (%s)", kn->str, kinds);
	if ((rc = judge_new(out, kd, jn, conf_path, err)) < 0)
		return rc;
	(*out)->at = cf_node_get(jn, "model");
	if (!(*out)->at)
		(*out)->at = jn;
	if (kd->open && (rc = kd->open(*out, (*out)->state, &lerr)) < 0)
		return cf_conf_error(err, conf_path, (*out)->at, "%s%s",
		                     (*out)->at != jn ? "model: " : "", lerr.msg);
	return 0;
}

int cf_judge_open_model(cf_judge **out, const char *path, const cf_node *node,
                        const char *conf_path, cf_error *err)
{
	const cf_judge_kind *kd = cf_judge_kinds[0];   /* builtin */
	cf_error lerr = { 0 };
	cf_judge *j;
	int rc;

	*out = NULL;
	if ((rc = judge_new(out, kd, NULL, conf_path, err)) < 0)
		return rc;
	j = *out;
	j->node = node;
	j->at = node && cf_node_get(node, "model") ? cf_node_get(node, "model")
	                                           : node;
	if (!(j->c.model = strdup(path)) || !(j->c.name = strdup(path)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (kd->open && (rc = kd->open(j, j->state, &lerr)) < 0) {
		/* a .cft given on a command line: its error stands alone */
		if (node)
			return cf_conf_error(err, conf_path, j->at, "%s%s",
			                     j->at != node ? "model: " : "", lerr.msg);
		return cf_error_set(err, rc, "%s", lerr.msg);
	}
	return 0;
}

void cf_judge_take_maps(cf_judge *j, cf_strlist *fields, cf_strmap *labels)
{
	if (fields->n) {
		cf_strlist_free(&j->c.fields);
		j->c.fields = *fields;
		memset(fields, 0, sizeof *fields);
	}
	if (labels->n) {
		cf_strmap_free(&j->c.labels);
		j->c.labels = *labels;
		memset(labels, 0, sizeof *labels);
	}
}

int cf_judge_own_labels(cf_judge *j, cf_strlist *out)
{
	size_t i;
	int rc = 0;

	if (j->kind->labels)
		return j->kind->labels(j, j->state, out);
	for (i = 0; rc == 0 && i < j->c.labels.n; i++)
		rc = list_add(out, j->c.labels.vals[i]);
	return rc;
}

size_t cf_judge_own_fields(const cf_judge *j, const char **out, size_t max)
{
	size_t f;

	if (j->c.fields.n) {
		for (f = 0; f < j->c.fields.n && f < max; f++)
			out[f] = j->c.fields.v[f];
		return f;
	}
	return j->kind->fields ? j->kind->fields(j, j->state, out, max) : 0;
}

const char *cf_judge_own_label_field(const cf_judge *j)
{
	return j->kind->label_field ? j->kind->label_field(j, j->state) : NULL;
}

int cf_judge_is_remote(const cf_judge *j)
{
	return (j->kind->flags & CF_JUDGE_REMOTE) != 0;
}

const char *cf_judge_what(const cf_judge *j)
{
	return j->c.model ? j->c.model : j->c.url;
}

int cf_judge_remote_fields(cf_judge *j, const cf_judge_env *env,
                           int classifier, cf_error *err)
{
	size_t i;

	j->send = j->c.fields.n ? &j->c.fields : env->text_fields;
	for (i = 0; i < j->c.fields.n; i++)
		if (cf_strlist_index(env->text_fields, j->c.fields.v[i]) < 0)
			return cf_conf_error(err, env->conf_path, cf_node_get(j->node,
			                     "fields"), "'%s' is not in %s",
			                     j->c.fields.v[i], env->fields_what);
	if (classifier && j->send->n > 2)
		return cf_conf_error(err, env->conf_path, j->node, "a classifier "
		                     "judge reads one text or a pair: set fields: to "
		                     "one or two of the %zu text fields", j->send->n);
	return 0;
}

char *cf_judge_url_endpoint(const cf_judge *j, void *state)
{
	(void)state;
	return strdup(j->c.url);
}

static int make_http(cf_judge *j, const cf_judge_env *env, cf_error *err)
{
	cf_http_opts ho;

	const char *why;

	if (!(j->endpoint = j->kind->endpoint(j, j->state)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if ((why = cf_http_check_url(j->endpoint))) {  /* never echoes the URL */
		const char *key = cf_node_get(j->node, "base_url") ? "base_url" : "url";
		const cf_node *at = cf_node_get(j->node, key);

		return cf_conf_error(err, env->conf_path, at ? at : j->node, "%s %s",
		                     key, why);
	}
	if (env->dry_run)
		return 0;
	memset(&ho, 0, sizeof ho);
	ho.concurrency = j->c.concurrency;
	ho.max_retries = j->c.max_retries;
	ho.timeout_s = j->c.timeout_s;
	ho.api_key = j->c.api_key_env && *j->c.api_key_env ?
	             getenv(j->c.api_key_env) : NULL;
	ho.jitter_seed = env->jitter_seed;
	return cf_http_new(&j->http, &ho, err);
}

int cf_judge_bind(cf_judge *j, const cf_strlist *L, const cf_judge_env *env,
                  cf_error *err)
{
	size_t i;
	int rc;

	j->L = L;
	j->K = L->n;
	j->seed = env->seed;
	if (j->K > CF_JUDGE_MAX_LABELS)
		return cf_conf_error(err, env->conf_path, j->node, "%zu labels: "
		                     "at most %d", j->K, CF_JUDGE_MAX_LABELS);
	for (i = 0; i < j->c.labels.n; i++)
		if (cf_strlist_index(L, j->c.labels.vals[i]) < 0)
			return cf_conf_error(err, env->conf_path, cf_node_get(j->node,
			                     "labels"), "labels maps '%s' to '%s', which "
			                     "is not one of %s", j->c.labels.keys[i],
			                     j->c.labels.vals[i], env->labels_what);
	if (j->kind->bind && (rc = j->kind->bind(j, j->state, env, err)) < 0)
		return rc;
	return cf_judge_is_remote(j) ? make_http(j, env, err) : 0;
}

int cf_judge_score(cf_judge *j, cf_judge_text_fn text, void *ctx, double *p)
{
	return j->kind->score(j, j->state, text, ctx, p);
}

/* ---- remote --------------------------------------------------------------- */

static void rq_unlink(cf_judge *j, struct jreq *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		j->reqs = q->next;
	if (q->next)
		q->next->prev = q->prev;
}

/* Send q (its body built now); 1 when the body cannot be built. */
static int send_rq(cf_judge *j, struct jreq *q, cf_error *err)
{
	cf_http_request hr;
	char *body;
	int rc;

	if (!(body = j->kind->request_body(j, j->state, q->text, q->ctx, q->json)))
		return 1;
	memset(&hr, 0, sizeof hr);
	hr.url = j->endpoint;
	hr.body = body;
	hr.body_len = strlen(body);
	hr.user = q;
	hr.est_tokens = (double)hr.body_len / 4;
	rc = cf_http_submit(j->http, &hr, err);
	free(body);
	if (rc == 0)
		j->st.requests++;
	return rc;
}

int cf_judge_submit(cf_judge *j, cf_judge_text_fn text, void *ctx, double *p,
                    void *user, cf_error *err)
{
	struct jreq *q;
	int rc;

	if (!(q = calloc(1, sizeof *q)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	q->text = text;
	q->ctx = ctx;
	q->p = p;
	q->user = user;
	q->json = j->c.mode == CF_JMODE_JSON || j->json_answers;
	if ((rc = send_rq(j, q, err)) != 0) {
		free(q);
		return rc;
	}
	q->next = j->reqs;
	if (j->reqs)
		j->reqs->prev = q;
	j->reqs = q;
	return 0;
}

size_t cf_judge_pending(const cf_judge *j)
{
	return j->http ? cf_http_pending(j->http) : 0;
}

typedef struct poll_ctx {
	cf_judge *j;
	cf_judge_done_fn done;
	void *ctx;
} poll_ctx;

static void on_done(void *ctx, const cf_http_result *r)
{
	poll_ctx *pc = ctx;
	cf_judge *j = pc->j;
	struct jreq *q = r->user;
	cf_judge_answer a;
	cf_error e = { 0 };
	char why[WHY_MAX];
	int rc;

	memset(&a, 0, sizeof a);
	a.status = (int)r->status;
	if (r->outcome == CF_HTTP_FATAL) {
		a.outcome = CF_JUDGE_REFUSED;
		a.why = r->error;
	} else if (r->outcome == CF_HTTP_FAILED) {
		a.outcome = CF_JUDGE_FAILED;
		a.why = r->error ? r->error : "failed";
		j->st.failed++;
	} else {
		rc = j->kind->read_answer(j, j->state, q->json, r->body, r->body_len,
		                          q->p, &a.source, why, sizeof why);
		if (rc == 1 && j->c.mode == CF_JMODE_AUTO) {
			/* no logprobs from this server: JSON answers from now on */
			j->json_answers = 1;
			q->json = 1;
			if ((rc = send_rq(j, q, &e)) == 0)
				return;
			a.outcome = rc == 1 ? CF_JUDGE_FAILED : CF_JUDGE_ERROR;
			a.why = rc == 1 ? "cannot build the request (a text is not "
			        "valid UTF-8)" : e.msg;
		} else if (rc == 0) {
			a.outcome = CF_JUDGE_OK;
			if (a.source)
				j->st.by_source[!strcmp(a.source, "logprobs") ? 0 :
				                !strcmp(a.source, "json") ? 1 : 2]++;
		} else {
			a.outcome = CF_JUDGE_FAILED;
			a.why = why;
			j->st.failed++;
		}
	}
	rq_unlink(j, q);
	pc->done(pc->ctx, j, q->user, &a);
	free(q);
}

int cf_judge_poll(cf_judge *j, int timeout_ms, cf_judge_done_fn done,
                  void *ctx, cf_error *err)
{
	poll_ctx pc = { j, done, ctx };

	if (!j->http)
		return 0;
	return cf_http_poll(j->http, timeout_ms, on_done, &pc, err);
}

const struct cf_http_stats *cf_judge_http_stats(const cf_judge *j)
{
	return j->http ? cf_http_get_stats(j->http) : NULL;
}

void cf_judge_free(cf_judge **pj)
{
	cf_judge *j = pj ? *pj : NULL;
	struct jreq *q, *qn;

	if (!j)
		return;
	/* the client frees its requests, not their jreq */
	cf_http_free(&j->http);
	for (q = j->reqs; q; q = qn) {
		qn = q->next;
		free(q);
	}
	if (j->kind->close && j->state)
		j->kind->close(j->state);
	free(j->state);
	free(j->endpoint);
	cf_options_free(j->kind->options, &j->c);
	free(j);
	*pj = NULL;
}
