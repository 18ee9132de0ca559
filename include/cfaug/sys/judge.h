/*
 * cfaug/sys/judge.h - the judge engine and the judge-kind interface (for
 * people who write judge kinds, and for the two users of judges: the
 * teacher stage and `cfaug eval`).
 *
 * A judge turns a text (one or more text fields of a record) into a
 * probability vector over the caller's label set L.  A judge *kind* is one
 * constant cf_judge_kind, like curl's TLS backends (struct Curl_ssl): its
 * YAML name, its option rows (into the shared cf_judge_conf), the size of
 * its private state and its functions.  In-process kinds (builtin) have
 * score(); remote kinds (tei, vllm, llm) have endpoint(), request_body()
 * and read_answer(), and the engine does the HTTP (pipeline/util/http.h).
 * The kinds are listed in pipeline/judge/kinds.c: adding a kind is one
 * file in pipeline/judge/ and one row there (pipeline/README.md).
 *
 * Life cycle of a judge:
 *   cf_judge_open() / cf_judge_open_model()   options, kind open (a model)
 *   cf_judge_own_labels(), _own_fields()    what it knows by itself
 *   cf_judge_bind(j, L, env)                  fields checked, labels mapped,
 *                                             prompt, HTTP client
 *   cf_judge_score()                          in-process kinds
 *   cf_judge_submit() + cf_judge_poll()       remote kinds: the answer comes
 *                                             to a callback
 *   cf_judge_free()
 * Errors of open and bind are configuration errors (CF_ECONFIG) with
 * FILE:LINE:COL when the judge came from YAML.  Ownership: the judge owns
 * everything it points to; nodes, env and L are borrowed and must outlive
 * it (L and env->text_fields are kept).
 */
#ifndef CFAUG_SYS_JUDGE_H
#define CFAUG_SYS_JUDGE_H

#include <stddef.h>
#include <stdint.h>
#include "cfaug/cfaug.h"
#include "cfaug/conf.h"

struct cf_http;
struct cf_http_stats;
typedef struct cf_judge cf_judge;
typedef struct cf_judge_kind cf_judge_kind;

/* The text of field `field` of the thing judged, NULL when absent. */
typedef const char *(*cf_judge_text_fn)(void *ctx, const char *field,
                                        size_t *len);

enum { CF_JMODE_AUTO, CF_JMODE_LOGPROBS, CF_JMODE_JSON };
enum { CF_JFMT_NONE, CF_JFMT_JSON_OBJECT, CF_JFMT_JSON_SCHEMA };

/* Every kind's options, loaded by its option rows (a kind uses some). */
typedef struct cf_judge_conf {
	char *name, *model, *url, *base_url, *api_key_env, *prompt;
	cf_strmap labels;          /* the judge's names -> the caller's labels */
	cf_strlist fields;         /* text fields read (default: kind's own) */
	long concurrency, max_retries, max_tokens, top_logprobs;
	double timeout_s;
	int mode, json_format;     /* llm: CF_JMODE_*, CF_JFMT_* */
} cf_judge_conf;

/* What the caller tells a judge about the things it will judge. */
typedef struct cf_judge_env {
	const char *conf_path;         /* file named in messages */
	const cf_strlist *text_fields; /* fields the caller can give (kept) */
	const char *fields_what;       /* their name in messages */
	const char *labels_what;       /* L's name in messages */
	uint64_t seed;                 /* request seeds (llm) */
	uint64_t jitter_seed;          /* the client's retry jitter */
	int dry_run;                   /* remote: no client, nothing sent */
} cf_judge_env;

/* How a remote answer ended (cf_judge_answer.outcome). */
enum {
	CF_JUDGE_OK,        /* p filled */
	CF_JUDGE_FAILED,    /* this text failed for good: why */
	CF_JUDGE_REFUSED,   /* the endpoint refused us (401/403/404/400): why,
	                       status; the caller should stop */
	CF_JUDGE_ERROR      /* cannot go on (out of memory): why */
};

typedef struct cf_judge_answer {
	int outcome;
	int status;                /* HTTP status, 0 when none */
	const char *why;           /* one line (not OK) */
	const char *source;        /* llm: "logprobs" | "json" | "answer" */
} cf_judge_answer;

/* An answer of judge j to the request submitted with `user`. */
typedef void (*cf_judge_done_fn)(void *ctx, cf_judge *j, void *user,
                                 const cf_judge_answer *a);

/* Figures the engine keeps per judge (callers may add to failed and
 * dry_requests for what they decide themselves). */
typedef struct cf_judge_stats {
	uint64_t requests;         /* submitted (retries for JSON included) */
	uint64_t failed;           /* texts that failed for good */
	uint64_t dry_requests;     /* not sent under a dry run */
	uint64_t by_source[3];     /* llm: logprobs, json, answer */
} cf_judge_stats;

#define CF_JUDGE_MAX_LABELS 1024   /* the built-in model's limit too */

#define CF_JUDGE_REMOTE  1u    /* kind flag: scored over HTTP */
#define CF_JUDGE_SOURCES 2u    /* kind flag: answers have a source (llm) */

struct cf_judge_kind {
	const char *name;          /* kind: in YAML */
	const char *alias;         /* another name for it, or NULL */
	const cf_option *options;  /* rows into cf_judge_conf */
	size_t state_size;         /* private state, zeroed by the engine */
	unsigned flags;            /* CF_JUDGE_* */
	/* After the options: load what the kind needs (a model file).
	 * Optional. */
	int (*open)(cf_judge *j, void *state, cf_error *err);
	/* The labels it knows, in the caller's names (through labels:), added
	 * to out.  Optional: the labels map's values. */
	int (*labels)(cf_judge *j, void *state, cf_strlist *out);
	/* Its own text field names when fields: is not given.  Optional. */
	size_t (*fields)(const cf_judge *j, void *state, const char **out,
	                 size_t max);
	/* The label field of the data it learnt from (borrowed), or NULL.
	 * Optional. */
	const char *(*label_field)(const cf_judge *j, void *state);
	/* Check the fields it reads against env->text_fields and prepare for
	 * L = j->L (label maps, prompt).  Optional. */
	int (*bind)(cf_judge *j, void *state, const cf_judge_env *env,
	            cf_error *err);
	/* In-process: probabilities over L into p.  0 or CF_ENOMEM. */
	int (*score)(cf_judge *j, void *state, cf_judge_text_fn text, void *ctx,
	             double *p);
	/* Remote: the URL posted to (a new string). */
	char *(*endpoint)(const cf_judge *j, void *state);
	/* Remote: the JSON body (new string) or NULL (out of memory, text not
	 * UTF-8); json: ask for a JSON answer instead of logprobs. */
	char *(*request_body)(const cf_judge *j, void *state, cf_judge_text_fn text,
	                      void *ctx, int json);
	/* Remote: the answer into p; 0, -1 with why, 1 (llm, mode auto: no
	 * logprobs in it -- the engine asks again for JSON).  *source may be
	 * set. */
	int (*read_answer)(const cf_judge *j, void *state, int json,
	                   const char *body, size_t len, double *p,
	                   const char **source, char *why, size_t whysz);
	/* Free the private state's contents.  Optional. */
	void (*close)(void *state);
};

/* One judge.  Callers read these fields; only the engine writes them. */
struct cf_judge {
	const cf_judge_kind *kind;
	cf_judge_conf c;
	const cf_node *node;       /* its YAML mapping (borrowed), may be NULL */
	const cf_node *at;         /* where messages about it point */
	const cf_strlist *L;       /* the caller's labels (after bind) */
	size_t K;
	const cf_strlist *send;    /* remote: the text fields sent */
	char *endpoint;            /* remote: the URL posted to */
	struct cf_http *http;      /* remote, not dry run */
	uint64_t seed;
	int json_answers;          /* llm, mode auto: the server gave no logprobs */
	cf_judge_stats st;
	void *state;               /* the kind's */
	struct jreq *reqs;         /* requests in flight */
};

/* The kinds (pipeline/judge/kinds.c), NULL-terminated, and lookup by name
 * or alias (NULL when unknown). */
extern const cf_judge_kind *const cf_judge_kinds[];
const cf_judge_kind *cf_judge_kind_find(const char *name);

/* A judge from a YAML mapping {kind: K, ...options}. */
int cf_judge_open(cf_judge **out, const cf_node *jn, const char *conf_path,
                  cf_error *err);

/* A builtin judge from a model path: the `model:` shorthand of the
 * mapping node (messages point at its model: key), or a .cft given on a
 * command line (node NULL: load errors keep their own code). */
int cf_judge_open_model(cf_judge **out, const char *path, const cf_node *node,
                        const char *conf_path, cf_error *err);

/* The `fields:` and `labels:` of a judge opened by cf_judge_open_model(),
 * with the meaning they have in a full entry of its kind (the teacher
 * stage's model: shorthand takes them; messages point at those keys of
 * the node).  Steals the contents of fields and labels, leaving them empty
 * (either may be empty already).  Call before cf_judge_own_labels(). */
void cf_judge_take_maps(cf_judge *j, cf_strlist *fields, cf_strmap *labels);

/* The judge's own labels (see cf_judge_kind.labels), appended to out
 * without duplicates.  0 or CF_ENOMEM. */
int cf_judge_own_labels(cf_judge *j, cf_strlist *out);

/* The text fields the judge reads by default (fields:, else its own);
 * returns how many, up to max, into out (borrowed). */
size_t cf_judge_own_fields(const cf_judge *j, const char **out, size_t max);

/* Bind j to the caller's labels L (borrowed, kept) and fields: check its
 * label map and fields, prepare the kind, make the HTTP client. */
int cf_judge_bind(cf_judge *j, const cf_strlist *L, const cf_judge_env *env,
                  cf_error *err);

/* The label field of the data the judge learnt from (a builtin model
 * records it), or NULL when it has none: `cfaug eval` reads flat files
 * with it unless --label-field is given.  Borrowed. */
const char *cf_judge_own_label_field(const cf_judge *j);

int cf_judge_is_remote(const cf_judge *j);

/* What the judge is, for reports: its model, else its URL. */
const char *cf_judge_what(const cf_judge *j);

/* In-process kinds: p[0..K) for the texts text(ctx, field).  0 or
 * CF_ENOMEM. */
int cf_judge_score(cf_judge *j, cf_judge_text_fn text, void *ctx, double *p);

/* Remote kinds: ask for the texts text(ctx, ...); the answer is written to
 * p[0..K) and told to the poll callback with `user`.  ctx and p must stay
 * valid until then (an llm judge may ask again for JSON).  Returns 0
 * (sent), 1 (the body could not be built: a text is not UTF-8; nothing
 * sent, no callback), or a CF_E* code. */
int cf_judge_submit(cf_judge *j, cf_judge_text_fn text, void *ctx, double *p,
                    void *user, cf_error *err);

/* Requests of j still in flight. */
size_t cf_judge_pending(const cf_judge *j);

/* Wait up to timeout_ms for answers of j and give each to done(ctx, ...).
 * Returns the requests still pending, or a CF_E* code. */
int cf_judge_poll(cf_judge *j, int timeout_ms, cf_judge_done_fn done,
                  void *ctx, cf_error *err);

/* The HTTP client's figures (attempts, retries, in flight), NULL when
 * the judge has no client. */
const struct cf_http_stats *cf_judge_http_stats(const cf_judge *j);

/* Frees j and its requests in flight (accepts NULL), clears *j. */
void cf_judge_free(cf_judge **j);

#endif
