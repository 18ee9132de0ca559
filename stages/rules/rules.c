/*
 * rules.c - the `type: rules` stage: lexicon swaps and regex rules (CDA/CDS).
 *
 * Consumes originals.  For each, the configured text fields are rewritten by
 * the rules engine (rules_lexicon.c: built-in packs, user TSV lexicons;
 * rules_pattern.c: user regexes; rules_gender.c: her/his).  Emits:
 *   mode augment    - the original, plus one candidate when any rule fired;
 *   mode substitute - with probability p (from seed and record id, so every
 *                     shard decides alike) the candidate replaces the
 *                     original (cf_consume), else the original alone.
 * A record no rule touches yields no candidate and counts as no_edit.
 * The candidate's label is kept or mapped (`label: {positive: negative}`);
 * a label the map does not name rejects the candidate (label_unmapped).
 * Provenance in generator (`provenance: full`, the default): the rules that
 * fired and every edit with its byte spans in the original and in the
 * counterfactual (at most MAX_PROV_EDITS listed per candidate, the total
 * always given); `rules`: the rules and the total only; `none`: nothing
 * beyond the stage's name and kind.  The edit objects are most of the cost
 * of a pair (a dozen allocations each), hence the choice.
 *
 * Threads (`threads`, issue 15): records are independent for rules, so with
 * N > 1 the stage hands batches of BATCH_RECORDS records to N - 1 worker
 * threads (rules_pool.c), which apply the rules (apply_job: the texts, the
 * round trip, the provenance text) into the batch; the run's thread makes
 * the candidates and gives every item away (finish_job) from poll, flush
 * or process (when MAX_INFLIGHT batches are out),
 * batch after batch in input order.  So the output is the same bytes for
 * any N, counters included; at most MAX_INFLIGHT batches are held (the
 * oldest is finished before another is taken), whatever the window.  With
 * N = 1 both halves run at once in process(), as a batch of one.
 *
 * State: the compiled rule set (and its reverse, for the round-trip figure),
 * scratch per worker, batches, counters.  Limits: those of rules.h.  Failure modes:
 * config errors at init with FILE:LINE:COL (bad pattern with PCRE2's message
 * and offset, unknown pack, unreadable or malformed lexicon, fields that are
 * not text fields); out of memory stops the run.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cfaug/sys/stage.h"
#include "rules.h"
#include "json_write.h"

#define MAX_PROV_EDITS 256
/* Threads: records per batch handed to a worker (a batch is ~0.3 ms of
 * work: the hand-off, a lock and a signal, is lost in it), batches held
 * at most (then the oldest is finished before another is taken), and the
 * most threads `auto` starts (the run's own thread reads, builds
 * candidates and writes: past a few workers it is the bottleneck). */
#define BATCH_RECORDS 32
#define MAX_INFLIGHT(s) (2 * (size_t)(s)->nworkers + 2)
#define AUTO_THREADS_MAX 4
#define THREADS_MAX 64

/* A worker's scratch: apply's output and the round trip's. */
typedef struct rules_worker {
	cf_rules_out out, back;
} rules_worker;

/* One text field of a record: its text (borrowed from the item, which the
 * stage holds until the record is finished) and what apply made of it;
 * offsets into the batch's arrays, which move as they grow. */
typedef struct rfield {
	const char *t;
	size_t len;
	uint32_t field;               /* index into s->edit */
	int rc;                       /* edits made, or apply's failure */
	int stance;                   /* full_flip: cf_rules_stance_left()'s answer */
	size_t ls, le;                /* its span, in the output text if rc > 0 */
	size_t kept_s, kept_e;        /* a person's name kept (cf_rules_out) */
	size_t unsw_s, unsw_e;        /* a fallback name left unswapped (ditto) */
	size_t nfallback;             /* fallback names swapped (ditto) */
	size_t text, tlen;            /* the output text, in bytes */
	size_t ed, ned;               /* its edits, in edits */
	size_t word, wlen;            /* a one-way collision's word, in bytes */
} rfield;

/* One record. */
typedef struct rjob {
	cf_item *it;
	const cf_rules *rs;           /* the rules for its label */
	int side;                     /* full_flip: the source stance, 0 a, 1 b */
	int pass;                     /* CDS: not replaced, given away as it is */
	size_t f0, nf;                /* its fields with text: fr[f0, f0 + nf) */
	size_t nlooked;               /* fields applied (up to a failure) */
	int rc, late;                 /* the failure at the last field applied
	                                 (late: in the round trip, after its
	                                 output was kept) */
	int rt_ok;
	size_t prov, provlen, listed; /* "edits" JSON text in prov; edits in it */
} rjob;

/* Records handed to a worker together, with everything apply learnt. */
typedef struct rbatch {
	cf_rules_task task;           /* first: the pool's header */
	struct rbatch *spare;         /* next on the spares list */
	rjob *jobs;
	size_t njobs, jcap, done;     /* done: records finished */
	rfield *fr;
	size_t nfr, frcap;
	cf_rules_edit *edits;
	size_t ned, edcap;
	cf_buf bytes, prov;           /* output texts and words; provenance */
	uint64_t amb[CF_AMB_COUNT];   /* counts of the batch, added to the */
	uint64_t protected_skips;     /* stage's when it is finished */
} rbatch;

typedef struct rules_state {
	/* options */
	cf_strlist packs, lexicons, fields;
	cf_maplist patterns;          /* of pattern_opts */
	int mode;                     /* 0 augment, 1 substitute */
	double p;
	int direction;                /* cf_rules_dir */
	int label_keep;
	cf_strmap label_map;
	int round_trip;
	int provenance;               /* PROV_FULL, PROV_RULES, PROV_NONE */
	long negation_scope;          /* words; 0 off; long: CF_OPT_INT stores a long */
	int protect;                  /* PROTECT_AUTO, _ALL, _NONE */
	cf_strmap label_dir;          /* label -> both | a_to_b | b_to_a */
	cf_rules *by_dir[3];          /* rule sets per direction label_dir names */
	/* run */
	const cf_strlist *edit;          /* the fields to edit: `fields` or all text fields */
	cf_rules *rules, *rev;        /* rev: the reverse swaps, for round trip */
	int rt_sparse;                /* the round trip reads the forward pass's
	                                 words (cf_rules_round_trip) */
	uint64_t records, edited, no_edit, substituted, kept, unmapped;
	uint64_t rt_checked, rt_exact;
	uint64_t protected_skips;     /* matches skipped in protected spans */
	uint64_t amb[CF_AMB_COUNT];
	uint64_t *per_rule;           /* edits per rule index */
	uint64_t *rec_rule;           /* per rule: records it edited */
	uint64_t *seen;               /* per rule: record number it last fired in */
	uint32_t *fired;              /* rules fired in this record, first-fired order */
	size_t nfired;
	json_t **rule_js;             /* per rule: its name as a shared JSON string */
	uint32_t *canon;              /* per rule: first rule of the same name */
	size_t nrule_js;
	uint32_t gender_rule;         /* canon index of the rule "gender"; UINT32_MAX: none */
	uint64_t kept_person;         /* candidates rejected: kept_person_name */
	uint64_t unswapped;           /* candidates rejected: unswapped_name */
	uint64_t fallback;            /* names swapped through a fallback partner */
	uint64_t one_way;             /* records with both members of a pair after a one-way swap */
	json_t *one_way_ex;           /* the first few: {id, field, word} */
	int full_flip;                /* reject a flip that keeps a source stance */
	cf_rules_stance *stance;      /* its stance words (rules_stance.c) */
	uint64_t stance_left;         /* candidates rejected: source_stance_left */
	/* threads (rules_pool.c); nworkers 0: apply inline, in batch one */
	long threads;                 /* option; 0: auto */
	unsigned nworkers;
	rules_worker *w;              /* max(nworkers, 1) scratch sets */
	rbatch one;
	rbatch *cur;                  /* being filled */
	rbatch *open;                 /* being finished (stays on a failure) */
	rbatch *spares;
	cf_rules_pool *pool;          /* started with the first batch */
	size_t inflight;              /* batches with the workers */
	size_t held;                  /* records not given away */
} rules_state;

enum { PROV_FULL, PROV_RULES, PROV_NONE };
enum { PROTECT_AUTO, PROTECT_ALL, PROTECT_NONE };

static const char *const mode_names[] = { "augment", "substitute", NULL };
static const char *const dir_names[] = { "both", "a_to_b", "b_to_a", NULL };
static const char *const prov_names[] = { "full", "rules", "none", NULL };
static const char *const protect_names[] = { "auto", "all", "none", NULL };

/* patterns: a sequence of {match: RE, replace: TEXT[, name: NAME]}. */
typedef struct pattern_opts {
	const cf_node *at;            /* set by the loader */
	char *match, *replace, *name;
} pattern_opts;

static const cf_option pattern_options[] = {
	{ .key = "match", .type = CF_OPT_STRING,
	  .offset = offsetof(pattern_opts, match),
	  .flags = CF_OPT_REQUIRED | CF_OPT_NONEMPTY,
	  .help = "a PCRE2 regular expression" },
	{ .key = "replace", .type = CF_OPT_STRING,
	  .offset = offsetof(pattern_opts, replace), .flags = CF_OPT_REQUIRED,
	  .help = "the replacement, $1 or ${1} for groups; '' deletes" },
	{ .key = "name", .type = CF_OPT_STRING,
	  .offset = offsetof(pattern_opts, name),
	  .help = "the rule's name in provenance (default pattern[i])" },
	{ .key = NULL }
};

/* The mapping forms of label and label_direction, by the STRMAP type. */
static const cf_option label_map_row = {
	.key = "label", .type = CF_OPT_STRMAP,
	.offset = offsetof(rules_state, label_map), .flags = CF_OPT_NONEMPTY
};
static const cf_option label_dir_row = {
	.key = "label_direction", .type = CF_OPT_STRMAP,
	.offset = offsetof(rules_state, label_dir)
};

/* label: keep | {FROM: TO, ...} */
static int set_label(void *state, const cf_node *n, const char *file,
                     cf_error *err)
{
	rules_state *s = state;
	int rc;

	if (n->type == CF_NODE_SCALAR) {
		if (strcmp(n->str, "keep") != 0)
			return cf_conf_error(err, file, n, "'label' must be 'keep' or a "
			                     "mapping like {positive: negative, negative: "
			                     "positive}, got '%s'", n->str);
		s->label_keep = 1;
		return 0;
	}
	s->label_keep = 0;
	if ((rc = cf_option_set(&label_map_row, state, n, file, err)) < 0)
		return rc;
	if (!s->label_map.n)
		return cf_conf_error(err, file, n, "'label' must be 'keep' or a "
		                     "non-empty mapping of label -> label");
	return 0;
}

static void release_label(void *state)
{
	rules_state *s = state;

	cf_strmap_free(&s->label_map);
	memset(&s->label_map, 0, sizeof s->label_map);
}

/* label_direction: {LABEL: both | a_to_b | b_to_a, ...} */
static int set_label_dir(void *state, const cf_node *n, const char *file,
                         cf_error *err)
{
	rules_state *s = state;
	size_t i, d;
	int rc;

	if (n->type != CF_NODE_MAP)
		return cf_conf_error(err, file, n, "'label_direction' must map labels "
		                     "to both, a_to_b or b_to_a");
	if ((rc = cf_option_set(&label_dir_row, state, n, file, err)) < 0)
		return rc;
	if (!s->label_dir.n)
		return cf_conf_error(err, file, n, "'label_direction' must map labels "
		                     "to both, a_to_b or b_to_a");
	for (i = 0; i < s->label_dir.n; i++) {
		for (d = 0; dir_names[d] && strcmp(s->label_dir.vals[i],
		                                   dir_names[d]); d++)
			;
		if (!dir_names[d])
			return cf_conf_error(err, file, cf_node_get(n, s->label_dir.keys[i]),
			                     "label '%s' must map to both, a_to_b or "
			                     "b_to_a", s->label_dir.keys[i]);
	}
	return 0;
}

static void release_label_dir(void *state)
{
	rules_state *s = state;

	cf_strmap_free(&s->label_dir);
	memset(&s->label_dir, 0, sizeof s->label_dir);
}

/* threads: auto | N */
static int set_threads(void *state, const cf_node *n, const char *file,
                       cf_error *err)
{
	rules_state *s = state;
	char *end;
	long v;

	if (n->type == CF_NODE_SCALAR && !strcmp(n->str, "auto")) {
		s->threads = 0;
		return 0;
	}
	v = n->type == CF_NODE_SCALAR ? strtol(n->str, &end, 10) : 0;
	if (n->type != CF_NODE_SCALAR || end == n->str || *end || v < 1 ||
	    v > THREADS_MAX)
		return cf_conf_error(err, file, n, "'threads' must be auto or a "
		                     "number from 1 to %d", THREADS_MAX);
	s->threads = v;
	return 0;
}

static const cf_option rules_options[] = {
	{ .key = "packs", .type = CF_OPT_STRLIST,
	  .offset = offsetof(rules_state, packs),
	  .help = "built-in lexicons: gender, names, negation, antonyms" },
	{ .key = "lexicons", .type = CF_OPT_STRLIST,
	  .offset = offsetof(rules_state, lexicons),
	  .help = "TSV files of pairs a<TAB>b[<TAB>tag], swapped both ways" },
	{ .key = "patterns", .type = CF_OPT_MAPLIST,
	  .offset = offsetof(rules_state, patterns), .sub = pattern_options,
	  .size = sizeof(pattern_opts),
	  .help = "regex rules [{match: RE, replace: TEXT with $1}]" },
	{ .key = "mode", .type = CF_OPT_ENUM,
	  .offset = offsetof(rules_state, mode), .def = "augment",
	  .choices = mode_names,
	  .help = "augment (keep original, add counterfactual) | substitute "
	  "(replace with probability p)" },
	{ .key = "p", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(rules_state, p), .def = "0.5", .max = 1,
	  .help = "substitute: probability a record is replaced" },
	{ .key = "direction", .type = CF_OPT_ENUM,
	  .offset = offsetof(rules_state, direction), .def = "both",
	  .choices = dir_names, .help = "both | a_to_b | b_to_a" },
	{ .key = "fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(rules_state, fields),
	  .help = "fields to edit (default: all text fields)" },
	{ .key = "label", .type = CF_OPT_CUSTOM, .def = "keep",
	  .set = set_label,
	  .help = "keep | {FROM: TO, ...} target label of the counterfactual",
	  .release = release_label },
	{ .key = "round_trip", .type = CF_OPT_BOOL,
	  .offset = offsetof(rules_state, round_trip), .def = "true",
	  .help = "measure how many counterfactuals swap back exactly" },
	{ .key = "provenance", .type = CF_OPT_ENUM,
	  .offset = offsetof(rules_state, provenance), .def = "full",
	  .choices = prov_names,
	  .help = "full (rules and every edit with spans) | rules (rules fired "
	  "and edit count) | none" },
	{ .key = "negation_scope", .type = CF_OPT_INT,
	  .offset = offsetof(rules_state, negation_scope), .def = "0",
	  .max = CF_RULES_MAX_SCOPE,
	  .help = "words after not/no/never/n't in which a swap is not made "
	  "(the negator is dropped, or the negation pack toggles it); 0 off" },
	{ .key = "label_direction", .type = CF_OPT_CUSTOM,
	  .set = set_label_dir,
	  .help = "{LABEL: both | a_to_b | b_to_a}: swap direction by the "
	  "record's label (sentiment flips: only the words of the source "
	  "label; the negation pack stays two-way)",
	  .release = release_label_dir },
	{ .key = "protect", .type = CF_OPT_ENUM,
	  .offset = offsetof(rules_state, protect), .def = "auto",
	  .choices = protect_names,
	  .help = "no edits inside quoted titles, mid-sentence Title-Case "
	  "sequences, URLs, @handles, #tags, `code`, and for the gender pack "
	  "a title before a name (Queen Elizabeth): auto (the built-in packs) "
	  "| all (built-in packs and your lexicons) | none" },
	{ .key = "threads", .type = CF_OPT_CUSTOM, .def = "1",
	  .set = set_threads,
	  .help = "threads that share the stage: 1 (all in the run's thread) "
	  "| N: N - 1 workers apply the rules to batches of records while the "
	  "run's thread reads, makes candidates and writes, in input order "
	  "(the same output for any N; it pays only where cores are free) | "
	  "auto: the online cores, at most 4" },
	{ .key = "full_flip", .type = CF_OPT_BOOL,
	  .offset = offsetof(rules_state, full_flip), .def = "false",
	  .help = "with label_direction: reject a counterfactual that still "
	  "holds a stance of the source label (a stance word not negated, a "
	  "negated word of the target's, a rating, a sentence with no edit "
	  "that its model reads as evaluative) as source_stance_left" },
	{ .key = NULL }
};

/* Load packs, lexicons and (unless rev) patterns into a new rule set. */
static int build(rules_state *s, const cf_pipeline_info *info, cf_rules_dir dir,
                 int with_patterns, cf_rules **out, cf_error *err)
{
	cf_rules *r = NULL;
	size_t i;
	int rc;

	if ((rc = cf_rules_new(&r, dir, err)) < 0 ||
	    (rc = cf_rules_set_scope(r, (int)s->negation_scope, err)) < 0)
		goto done;
	for (i = 0; i < s->packs.n; i++) {
		const char *pk = s->packs.v[i];
		int prot = s->protect == PROTECT_ALL ||
		           (s->protect == PROTECT_AUTO && (!strcmp(pk, "names") ||
		            !strcmp(pk, "gender") || !strcmp(pk, "negation") ||
		            !strcmp(pk, "antonyms")));
		/* by label: the negation pack adds and removes in every direction */
		int neg2 = s->label_dir.n && !strcmp(pk, "negation");
		if (neg2)
			cf_rules_set_direction(r, CF_RULES_BOTH);
		rc = cf_rules_add_pack(r, pk, err);
		if (neg2)
			cf_rules_set_direction(r, dir);
		if (rc == 0 && prot)
			rc = cf_rules_set_protect(r, (uint32_t)cf_rules_last_rule(r), err);
		if (rc == 0 && prot && !strcmp(pk, "gender"))   /* Queen Elizabeth */
			rc = cf_rules_set_gender_titles(r, (uint32_t)cf_rules_last_rule(r), err);
		if (rc < 0) {
			if (rc == CF_ECONFIG && err->code == rc) {
				/* say where in the pipeline file the pack was named */
				char msg[CF_ERRMSG_MAX];
				memcpy(msg, err->msg, sizeof msg);
				err->code = 0;
				cf_conf_error(err, info->conf_path, cf_node_get(info->node, "packs"),
				              "%s", msg);
			}
			goto done;
		}
	}
	for (i = 0; i < s->lexicons.n; i++) {
		if ((rc = cf_rules_add_lexicon_file(r, NULL, s->lexicons.v[i], err)) == 0 &&
		    s->protect == PROTECT_ALL)
			rc = cf_rules_set_protect(r, (uint32_t)cf_rules_last_rule(r), err);
		if (rc < 0) {
			char msg[CF_ERRMSG_MAX];
			memcpy(msg, err->msg, sizeof msg);
			err->code = 0;
			cf_conf_error(err, info->conf_path, cf_node_get(info->node, "lexicons"),
			              "%s", msg);
			rc = err->code = rc == CF_EIO ? CF_ECONFIG : rc;
			goto done;
		}
	}
	for (i = 0; with_patterns && i < s->patterns.n; i++) {
		const pattern_opts *pt = CF_MAPLIST_AT(&s->patterns, pattern_opts, i);
		char name[64], msg[256];
		size_t off;
		if (pt->name)
			snprintf(name, sizeof name, "%s", pt->name);
		else
			snprintf(name, sizeof name, "pattern[%zu]", i);
		rc = cf_rules_add_pattern(r, name, pt->match, pt->replace, &off, msg,
		                          sizeof msg);
		if (rc == CF_ECONFIG && off != (size_t)-1) {
			rc = cf_conf_error(err, info->conf_path, cf_node_get(pt->at, "match"),
			                   "bad pattern: %s at offset %zu", msg, off);
			goto done;
		}
		if (rc == CF_ECONFIG) {
			rc = cf_conf_error(err, info->conf_path,
			                   cf_node_get(pt->at, "replace"),
			                   "bad replacement: %s", msg);
			goto done;
		}
		if (rc < 0) {
			rc = cf_error_set(err, rc, "rules: %s", msg);
			goto done;
		}
	}
	rc = cf_rules_compile(r, err);
done:
	if (rc < 0)
		cf_rules_free(&r);
	*out = r;
	return rc;
}

static void rules_destroy(cf_stage *st, void *state);

/* full_flip: the stance words next to the antonyms pack's file. */
static int load_stance(rules_state *s, const cf_pipeline_info *info,
                       cf_error *err)
{
	char ap[4096], sp[4096], cp[4096], ip[4096], mp[4096];
	const char *sl;
	int n;

	if (!s->label_dir.n)
		return cf_conf_error(err, info->conf_path, cf_node_get(info->node,
		                     "full_flip"), "full_flip needs label_direction "
		                     "(which label's stance the flip removes)");
	if (cf_rules_pack_path("antonyms", ap, sizeof ap) < 0)
		return cf_error_set(err, CF_ECONFIG, "rules: full_flip: no lexicon "
		                    "directory with antonyms.tsv");
	sl = strrchr(ap, '/');
	n = (int)(sl ? sl - ap : 1);
	if (snprintf(sp, sizeof sp, "%.*s/antonym-stance.tsv", n, sl ? ap : ".") >=
	    (int)sizeof sp ||
	    snprintf(cp, sizeof cp, "%.*s/antonym-contexts.tsv", n, sl ? ap : ".") >=
	    (int)sizeof cp ||
	    snprintf(ip, sizeof ip, "%.*s/idioms.txt", n, sl ? ap : ".") >= (int)sizeof ip ||
	    snprintf(mp, sizeof mp, "%.*s/antonym-stance-sentences.tsv", n,
	             sl ? ap : ".") >= (int)sizeof mp)
		return cf_error_set(err, CF_ECONFIG, "rules: path too long: %s", ap);
	return cf_rules_stance_load(&s->stance, sp, cp, ip, mp, err);
}

/* Scratch for each worker (or for the run's thread alone); the threads
 * start with the first full batch (rules_pool.c). */
static int init_workers(rules_state *s, cf_error *err)
{
	long n = s->threads;

	if (n == 0) {   /* auto */
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores < 1 ? 1 : cores > AUTO_THREADS_MAX ? AUTO_THREADS_MAX : cores;
	}
	s->nworkers = n > 1 ? (unsigned)(n - 1) : 0;
	if (!(s->w = calloc(s->nworkers ? s->nworkers : 1, sizeof *s->w)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (unsigned i = 0; i < (s->nworkers ? s->nworkers : 1); i++)
		s->w[i].out.track = s->rt_sparse;
	return 0;
}

static int init_inner(rules_state *s, const cf_pipeline_info *info, cf_error *err)
{
	size_t i, j, n;
	int rc;

	if ((rc = cf_stage_fields(info, &s->fields, &s->edit, err)) < 0)
		return rc;
	if (!s->packs.n && !s->lexicons.n && !s->patterns.n)
		return cf_conf_error(err, info->conf_path, info->node, "a rules stage "
		                     "needs at least one of packs, lexicons, patterns");
	/* a label map must speak of declared labels */
	for (i = 0; info->labels && info->labels->n && i < 2 * s->label_map.n; i++) {
		const char *l = i % 2 ? s->label_map.vals[i / 2] : s->label_map.keys[i / 2];
		for (j = 0; j < info->labels->n; j++)
			if (strcmp(l, info->labels->v[j]) == 0)
				break;
		if (j == info->labels->n)
			return cf_conf_error(err, info->conf_path,
			                     cf_node_get(info->node, "label"),
			                     "'%s' is not one of input.labels", l);
	}
	for (i = 0; info->labels && info->labels->n && i < s->label_dir.n; i++) {
		for (j = 0; j < info->labels->n; j++)
			if (strcmp(s->label_dir.keys[i], info->labels->v[j]) == 0)
				break;
		if (j == info->labels->n)
			return cf_conf_error(err, info->conf_path,
			                     cf_node_get(info->node, "label_direction"),
			                     "'%s' is not one of input.labels",
			                     s->label_dir.keys[i]);
	}
	if ((rc = build(s, info, (cf_rules_dir)s->direction, 1, &s->rules, err)) < 0)
		return rc;
	if (s->full_flip && (rc = load_stance(s, info, err)) < 0)
		return rc;
	for (i = 0; i < s->label_dir.n; i++) {
		size_t d;
		for (d = 0; strcmp(dir_names[d], s->label_dir.vals[i]); d++)
			;
		if (!s->by_dir[d] &&
		    (rc = build(s, info, (cf_rules_dir)d, 1, &s->by_dir[d], err)) < 0)
			return rc;
	}
	if (s->round_trip) {
		cf_rules_dir back = s->direction == CF_RULES_A_TO_B ? CF_RULES_B_TO_A :
		                    s->direction == CF_RULES_B_TO_A ? CF_RULES_A_TO_B :
		                    CF_RULES_BOTH;
		if ((rc = build(s, info, back, 0, &s->rev, err)) < 0)
			return rc;
		/* by label, the forward rules change per record: a full pass */
		s->rt_sparse = !s->label_dir.n && cf_rules_round_trip_ok(s->rules, s->rev);
	}
	if ((rc = init_workers(s, err)) < 0)
		return rc;
	n = cf_rules_nrules(s->rules) + 1;
	s->per_rule = calloc(n, sizeof *s->per_rule);
	s->rec_rule = calloc(n, sizeof *s->rec_rule);
	s->seen = calloc(n, sizeof *s->seen);
	s->fired = calloc(n, sizeof *s->fired);
	s->rule_js = calloc(n, sizeof *s->rule_js);
	s->canon = calloc(n, sizeof *s->canon);
	if (!s->per_rule || !s->rec_rule || !s->seen || !s->fired || !s->rule_js ||
	    !s->canon)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	s->gender_rule = UINT32_MAX;
	for (i = 0; i + 1 < n; i++) {
		const char *name = cf_rules_rule_name(s->rules, (uint32_t)i);
		if (s->gender_rule == UINT32_MAX && strcmp(name, "gender") == 0)
			s->gender_rule = (uint32_t)i;
		for (j = 0; j < i; j++)
			if (strcmp(name, cf_rules_rule_name(s->rules, (uint32_t)j)) == 0)
				break;
		s->canon[i] = (uint32_t)j;
		if (!(s->rule_js[i] = json_string(name)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		s->nrule_js = i + 1;
	}
	return 0;
}

/* destroy() runs only after a successful init: clean up a failed one here */
static int rules_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                      cf_error *err)
{
	rules_state *s = state;
	int rc = init_inner(state, info, err);

	if (rc < 0) {
		rules_destroy(st, state);
		return rc;
	}
	/* with a scope, negation only acts next to another pack's word */
	if (s->negation_scope > 0 && s->packs.n == 1 && !s->lexicons.n && !s->patterns.n &&
	    !strcmp(s->packs.v[0], "negation")) {
		const cf_node *at = cf_node_get(info->node, "negation_scope");
		cf_stage_warn(st, "%s:%d:%d: negation_scope %ld with no other pack: "
		              "the negation pack then only negates next to another "
		              "pack's word, so it edits nothing here (drop the scope, "
		              "or add antonyms)", info->conf_path, at ? at->line : 0,
		              at ? at->col : 0, s->negation_scope);
	}
	return 0;
}

static const char *amb_name(int a)
{
	switch (a) {
	case CF_HER_TO_HIS:  return "her->his";
	case CF_HER_TO_HIM:  return "her->him";
	case CF_HIS_TO_HER:  return "his->her";
	case CF_HIS_TO_HERS: return "his->hers";
	}
	return NULL;
}

/* Append "[a,b]" to b. */
static int put_span(cf_jbuf *b, size_t a, size_t len)
{
	return cf_jbuf_put(b, "[", 1) < 0 || cf_json_write_int(b, (json_int_t)a) < 0 ||
	       cf_jbuf_put(b, ",", 1) < 0 ||
	       cf_json_write_int(b, (json_int_t)(a + len)) < 0 ||
	       cf_jbuf_put(b, "]", 1) < 0 ? -1 : 0;
}

#define PUT_LIT(b, lit) cf_jbuf_put((b), (lit), sizeof(lit) - 1)

/* ---- a record in two halves ------------------------------------------- *
 * apply_job() rewrites a record's fields and keeps everything it learnt in
 * the record's batch: it touches no jansson value and no runner state, so
 * it runs on a worker thread (rules_pool.c) as well as inline.
 * finish_job() then makes the candidate, counts and gives the items away,
 * on the run's thread and in input order.  Inline (threads: 1) is a batch
 * of one record that goes through both halves at once. */

/* Append one provenance object per edit of o for field (at most
 * MAX_PROV_EDITS across fields, *listed counts them) as JSON text: the
 * bytes cf_json_write gives the jansson objects this used to build, with
 * no allocation per edit (provenance fast path).  0 or CF_ENOMEM. */
static int write_prov(const rules_state *s, cf_jbuf *arr, const char *field,
                      const char *orig, const cf_rules_out *o, size_t *listed)
{
	for (size_t i = 0; i < o->nedits && *listed < MAX_PROV_EDITS; i++) {
		const cf_rules_edit *e = &o->edits[i];
		const char *rn = cf_rules_rule_name(s->rules, e->rule);
		/* {"field","rule","from","to","src":[a,b],"dst":[a,b][,"decision"]} */
		if ((*listed && PUT_LIT(arr, ",") < 0) ||
		    PUT_LIT(arr, "{\"field\":") < 0 ||
		    cf_json_write_string(arr, field, strlen(field)) < 0 ||
		    PUT_LIT(arr, ",\"rule\":") < 0 ||
		    cf_json_write_string(arr, rn, strlen(rn)) < 0 ||
		    PUT_LIT(arr, ",\"from\":") < 0 ||
		    cf_json_write_string(arr, orig + e->src_off, e->src_len) < 0 ||
		    PUT_LIT(arr, ",\"to\":") < 0 ||
		    cf_json_write_string(arr, o->text + e->dst_off, e->dst_len) < 0 ||
		    PUT_LIT(arr, ",\"src\":") < 0 || put_span(arr, e->src_off, e->src_len) < 0 ||
		    PUT_LIT(arr, ",\"dst\":") < 0 || put_span(arr, e->dst_off, e->dst_len) < 0 ||
		    (amb_name(e->amb) &&
		     (PUT_LIT(arr, ",\"decision\":") < 0 ||
		      cf_json_write_string(arr, amb_name(e->amb), strlen(amb_name(e->amb))) < 0)) ||
		    PUT_LIT(arr, "}") < 0)
			return CF_ENOMEM;
		(*listed)++;
	}
	return 0;
}

/* Keep o's output text and edits in b (offsets: the arrays move). */
static int keep_output(rbatch *b, rfield *f, const cf_rules_out *o)
{
	f->text = b->bytes.len;
	f->tlen = o->len;
	if (cf_buf_put(&b->bytes, o->text, o->len) < 0)
		return CF_ENOMEM;
	if (b->ned + o->nedits > b->edcap) {
		size_t cap = b->edcap ? b->edcap : 256;
		while (cap < b->ned + o->nedits)
			cap *= 2;
		cf_rules_edit *e = realloc(b->edits, cap * sizeof *e);
		if (!e)
			return CF_ENOMEM;
		b->edits = e;
		b->edcap = cap;
	}
	memcpy(b->edits + b->ned, o->edits, o->nedits * sizeof *o->edits);
	f->ed = b->ned;
	f->ned = o->nedits;
	b->ned += o->nedits;
	return 0;
}

/* The first half: apply, round trip, the full_flip check, one-way
 * collisions and the provenance text of record j, into b.  Stops at the
 * first field that fails (j->rc, j->late). */
static void apply_job(const rules_state *s, rules_worker *w, rbatch *b, rjob *j)
{
	char word[CF_RULES_MAX_WORD + 1];
	int rc, have_left = 0;

	j->rc = j->late = 0;
	j->rt_ok = 1;
	j->nlooked = 0;
	j->prov = b->prov.len;
	j->listed = 0;
	for (size_t k = 0; k < j->nf && !j->pass; k++) {
		rfield *f = &b->fr[j->f0 + k];
		const char *field = s->edit->v[f->field];
		j->nlooked = k + 1;
		f->ned = f->wlen = 0;
		f->stance = 0;
		rc = f->rc = cf_rules_apply(j->rs, f->t, f->len, &w->out, b->amb);
		b->protected_skips += w->out.nprotected;
		if (rc < 0) {
			j->rc = rc;
			return;
		}
		f->kept_s = w->out.kept_s;
		f->kept_e = w->out.kept_e;
		f->unsw_s = w->out.unsw_s;
		f->unsw_e = w->out.unsw_e;
		f->nfallback = w->out.nfallback;
		if (s->stance && j->side >= 0 && !have_left) {
			const char *ct = rc > 0 ? w->out.text : f->t;
			f->stance = cf_rules_stance_left(s->stance, j->side, ct,
			        rc > 0 ? w->out.len : f->len, w->out.edits,
			        rc > 0 ? w->out.nedits : 0, &f->ls, &f->le);
			have_left = f->stance != 0;
		}
		if (rc == 0)
			continue;
		if (s->direction != CF_RULES_BOTH &&
		    cf_rules_one_way_collision(&w->out, word, sizeof word)) {
			f->word = b->bytes.len;
			f->wlen = strlen(word);
			if (cf_buf_put(&b->bytes, word, f->wlen) < 0) {
				j->rc = CF_ENOMEM;
				return;
			}
		}
		if (keep_output(b, f, &w->out) < 0 ||
		    (s->provenance == PROV_FULL &&
		     write_prov(s, &b->prov, field, f->t, &w->out, &j->listed) < 0)) {
			j->rc = CF_ENOMEM;
			return;
		}
		if (!s->rev)
			continue;
		if (s->rt_sparse) {
			if ((rc = cf_rules_round_trip(s->rev, &w->out, &w->back)) < 0)
				goto late;
			j->rt_ok &= w->back.len == f->len && memcmp(w->back.text, f->t, f->len) == 0;
		} else if (j->rt_ok) {   /* a field already failed: no need */
			if ((rc = cf_rules_apply_check(s->rev, w->out.text, w->out.len,
			                               &w->back, f->t, f->len)) < 0)
				goto late;
			j->rt_ok = rc;
		}
	}
	j->provlen = b->prov.len - j->prov;
	return;
late:   /* the field's text is kept: the candidate had it when it failed */
	j->rc = rc;
	j->late = 1;
}

/* Count the edits per rule and note the rules that fired in this record
 * (by canonical index, for the record's "rules" and the report). */
static void count_edits(rules_state *s, const cf_rules_edit *ed, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->per_rule[ed[i].rule]++;
		uint32_t cr = s->canon[ed[i].rule];   /* rules are listed by name */
		if (s->seen[cr] != s->records) {
			s->seen[cr] = s->records;
			s->fired[s->nfired++] = cr;
			s->rec_rule[cr]++;
		}
	}
}

/* One-way swaps: count a record whose output holds both members of a
 * pair (rules_oneway.c) and keep the first five as examples. */
static void note_one_way(rules_state *s, const cf_item *it, const char *field,
                         const char *word, size_t wlen)
{
	s->one_way++;
	if (!s->one_way_ex)
		s->one_way_ex = json_array();
	if (json_array_size(s->one_way_ex) < 5)
		json_array_append_new(s->one_way_ex, json_pack("{s:s, s:s, s:s%}", "id",
		        it->rec->id, "field", field, "word", word, wlen));
}

/* Sort the rules fired in this record by name: one canonical order
 * whatever the configuration's, so [negation, antonyms] and [antonyms,
 * negation] name their pairs alike ("antonyms", "negation") and an eval
 * row by rules is one row.  A few rules fire per record: insertion sort. */
static void sort_fired(rules_state *s)
{
	for (size_t i = 1; i < s->nfired; i++) {
		uint32_t v = s->fired[i];
		const char *nv = cf_rules_rule_name(s->rules, v);
		size_t j = i;
		for (; j > 0 && strcmp(cf_rules_rule_name(s->rules, s->fired[j - 1]),
		                       nv) > 0; j--)
			s->fired[j] = s->fired[j - 1];
		s->fired[j] = v;
	}
}

/* The second half: the candidate, its provenance and label, the counters;
 * gives record j's items away.  A record that failed in apply_job goes to
 * errors.jsonl as it did when both halves were one function (any
 * candidate it had so far rejected); out of memory stops the run. */
static int finish_job(cf_stage *st, rules_state *s, const rbatch *b,
                      const rjob *j, cf_error *err)
{
	cf_item *it = j->it, *c = NULL;
	json_t *kept = NULL;          /* a person's name left alone, or NULL */
	json_t *left = NULL;          /* full_flip: the stance left, or NULL */
	int kept_unsw = 0;            /* kept is a fallback name left unswapped */
	size_t k, total = 0;
	int rc = 0, gender_edit = 0;

	s->records++;
	s->nfired = 0;
	if (j->pass) {   /* CDS: not replaced */
		s->kept++;
		cf_emit(st, it);
		return 0;
	}
	for (k = 0; k < j->nlooked; k++) {
		const rfield *f = &b->fr[j->f0 + k];
		const char *field = s->edit->v[f->field];
		const cf_rules_edit *ed = b->edits + f->ed;
		int fails_here = k + 1 == j->nlooked && j->rc < 0;
		if (fails_here && !j->late) {
			rc = j->rc;
			goto fail;
		}
		if (f->kept_e && !kept &&
		    !(kept = json_pack("{s:s, s:s%}", "field", field, "name",
		                       f->t + f->kept_s, f->kept_e - f->kept_s))) {
			rc = CF_ENOMEM;
			goto fail;
		}
		/* a fallback name whose partner names someone else in the text
		 * (rules_names.c): rejected like a kept person's name */
		s->fallback += f->nfallback;
		if (f->unsw_e && !kept) {
			kept_unsw = 1;
			if (!(kept = json_pack("{s:s, s:s%}", "field", field, "name",
			                       f->t + f->unsw_s, f->unsw_e - f->unsw_s))) {
				rc = CF_ENOMEM;
				goto fail;
			}
		}
		for (size_t q = 0; q < f->ned && !gender_edit; q++)
			gender_edit = s->canon[ed[q].rule] == s->gender_rule;
		if (f->stance && !left) {
			const char *ct = f->rc > 0 ? b->bytes.p + f->text : f->t;
			if (!(left = json_pack("{s:s, s:s%}", "field", field,
			                       f->stance == 1 ? "stance" : "sentence",
			                       ct + f->ls, f->le - f->ls))) {
				rc = CF_ENOMEM;
				goto fail;
			}
		}
		if (f->rc == 0)
			continue;
		total += (size_t)f->rc;
		if (!c && !(c = cf_candidate_new(st, it))) {
			rc = CF_ENOMEM;
			goto fail;
		}
		if (f->wlen)
			note_one_way(s, it, field, b->bytes.p + f->word, f->wlen);
		rc = cf_candidate_set_text(c, field, b->bytes.p + f->text, f->tlen);
		if (rc == 0) {   /* for edit_filter (rules_spans.c) */
			cf_rules_out v = { .len = f->tlen, .nedits = f->ned,
			                   .edits = (cf_rules_edit *)ed };
			count_edits(s, ed, f->ned);
			rc = cf_rules_note_spans(c, field, &v);
		}
		if (rc == 0 && fails_here)
			rc = j->rc;
		if (rc < 0)
			goto fail;
	}
	if (!c) {
		json_decref(kept);
		json_decref(left);
		s->no_edit++;
		cf_emit(st, it);
		return 0;
	}
	s->edited++;
	if (s->rev) {
		s->rt_checked++;
		s->rt_exact += (uint64_t)j->rt_ok;
	}
	/* provenance: rules fired (by name, so one set of rules is always
	 * named alike), edits, counts */
	sort_fired(s);
	if (s->provenance != PROV_NONE) {
		json_t *names = json_array();
		if (!names || json_object_set_new_nocheck(c->generator, "rules", names) < 0) {
			rc = CF_ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < s->nfired; i++)
			if (json_array_append(names, s->rule_js[s->fired[i]]) < 0) {
				rc = CF_ENOMEM;
				goto fail;
			}
		if (s->provenance == PROV_FULL) {   /* the text goes out where "edits" holds null */
			if (!(c->gen_edits = malloc(j->provlen + 3)) ||
			    json_object_set_new_nocheck(c->generator, "edits", json_null()) < 0) {
				rc = CF_ENOMEM;
				goto fail;
			}
			c->gen_edits[0] = '[';
			memcpy(c->gen_edits + 1, b->prov.p + j->prov, j->provlen);
			memcpy(c->gen_edits + 1 + j->provlen, "]", 2);
		}
		if (json_object_set_new_nocheck(c->generator, "n_edits",
		                                json_integer((json_int_t)total)) < 0 ||
		    (s->provenance == PROV_FULL && total > j->listed &&
		     json_object_set_new_nocheck(c->generator, "edits_truncated",
		                                 json_true()) < 0)) {
			rc = CF_ENOMEM;
			goto fail;
		}
	}
	if (s->mode == 1 &&
	    json_object_set_new_nocheck(c->generator, "mode", json_string("substitute")) < 0) {
		rc = CF_ENOMEM;
		goto fail;
	}
	/* a person's name left alone while the gender pack flips words about
	 * people: the person would change sex mid-text (Lisa Marie Presley is
	 * the son): no candidate rather than an inconsistent one */
	if (kept && gender_edit) {
		json_decref(left);
		if (kept_unsw)
			s->unswapped++;
		else
			s->kept_person++;
		cf_reject(st, c, kept_unsw ? "unswapped_name" : "kept_person_name", kept);
		cf_emit(st, it);
		return 0;
	}
	json_decref(kept);
	kept = NULL;
	/* full_flip: a stance of the source label left in the text contradicts
	 * the flipped words: no candidate rather than a mixed one */
	if (left) {
		s->stance_left++;
		cf_reject(st, c, "source_stance_left", left);
		cf_emit(st, it);
		return 0;
	}
	/* the target label */
	if (!s->label_keep) {
		const char *from = cf_item_label(it);
		const char *to = from ? cf_strmap_get(&s->label_map, from) : NULL;
		if (!to) {
			s->unmapped++;
			cf_reject(st, c, "label_unmapped", NULL);
			cf_emit(st, it);
			return 0;
		}
		if ((rc = cf_candidate_set_label(c, to)) < 0)
			goto fail;
	}
	cf_emit(st, c);
	if (s->mode == 1) {
		s->substituted++;
		cf_consume(st, it);
	} else {
		cf_emit(st, it);
	}
	return 0;
fail:
	json_decref(kept);
	json_decref(left);
	if (c)
		cf_reject(st, c, rc == CF_ENOMEM ? "out_of_memory" : "rules_failed", NULL);
	if (rc == CF_ENOMEM) {
		cf_fail_record(st, it, "out of memory");
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	/* a limit or bad text in one record is data, not the end of the run */
	cf_fail_record(st, it, rc == CF_ELIMIT ? "rules: text over a size limit" :
	                                         "rules: edit is not valid UTF-8");
	return 0;
}

/* ---- batches and the pool --------------------------------------------- */

static void batch_reset(rbatch *b)
{
	b->njobs = b->nfr = b->ned = b->done = 0;
	b->bytes.len = b->prov.len = 0;
	memset(b->amb, 0, sizeof b->amb);
	b->protected_skips = 0;
}

static void batch_free(rbatch *b)
{
	free(b->jobs);
	free(b->fr);
	free(b->edits);
	cf_buf_free(&b->bytes);
	cf_buf_free(&b->prov);
}

/* Room for one more job and nf more fields in b: 0 or CF_ENOMEM. */
static int batch_room(rbatch *b, size_t nf)
{
	if (b->njobs == b->jcap) {
		size_t cap = b->jcap ? 2 * b->jcap : 16;
		rjob *v = realloc(b->jobs, cap * sizeof *v);
		if (!v)
			return CF_ENOMEM;
		b->jobs = v;
		b->jcap = cap;
	}
	if (b->nfr + nf > b->frcap) {
		size_t cap = b->frcap ? 2 * b->frcap : 16;
		while (cap < b->nfr + nf)
			cap *= 2;
		rfield *v = realloc(b->fr, cap * sizeof *v);
		if (!v)
			return CF_ENOMEM;
		b->fr = v;
		b->frcap = cap;
	}
	return 0;
}

/* rules_pool.c's fn: the first half of every record of a batch. */
static void apply_batch(void *ctx, unsigned worker, cf_rules_task *t)
{
	const rules_state *s = ctx;
	rbatch *b = (rbatch *)t;

	for (size_t i = 0; i < b->njobs; i++)
		apply_job(s, &s->w[worker], b, &b->jobs[i]);
}

/* The second half of a batch's records, in order, then the batch goes back
 * to the spares.  On failure the batch stays open (s->open): its records
 * not given away are released by destroy(). */
static int finish_batch(cf_stage *st, rules_state *s, rbatch *b, cf_error *err)
{
	int rc;

	s->open = b;
	while (b->done < b->njobs) {
		const rjob *j = &b->jobs[b->done++];
		if (s->nworkers)
			s->held--;
		if ((rc = finish_job(st, s, b, j, err)) < 0)
			return rc;
	}
	for (int a = 0; a < CF_AMB_COUNT; a++)
		s->amb[a] += b->amb[a];
	s->protected_skips += b->protected_skips;
	s->open = NULL;
	batch_reset(b);
	if (b != &s->one) {
		b->spare = s->spares;
		s->spares = b;
	}
	return 0;
}

/* Finish the batches the workers are done with, in order, waiting up to
 * timeout_ms for the oldest (< 0: as long as it takes; with all, for every
 * batch submitted). */
static int harvest(cf_stage *st, rules_state *s, int timeout_ms, int all,
                   cf_error *err)
{
	cf_rules_task *t;
	int rc;

	while (s->inflight && (t = cf_rules_pool_take(s->pool, timeout_ms))) {
		s->inflight--;
		timeout_ms = timeout_ms < 0 && all ? -1 : 0;
		if ((rc = finish_batch(st, s, (rbatch *)t, err)) < 0)
			return rc;
	}
	return 0;
}

/* Hand the batch being filled to the workers (starting them the first
 * time); when the stage holds enough batches, finish the oldest first, so
 * what the stage holds stays bounded whatever the runner's window. */
static int submit(cf_stage *st, rules_state *s, cf_error *err)
{
	int rc;

	if (!s->cur || !s->cur->njobs)
		return 0;
	if (!s->pool && (rc = cf_rules_pool_new(&s->pool, s->nworkers, apply_batch,
	                                        s)) < 0)
		return cf_error_set(err, rc, "rules: cannot start %u worker threads "
		                    "(set threads: 1)", s->nworkers);
	cf_rules_pool_submit(s->pool, &s->cur->task);
	s->cur = NULL;
	s->inflight++;
	return harvest(st, s, s->inflight >= MAX_INFLIGHT(s) ? -1 : 0, 0, err);
}

static int rules_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	rules_state *s = state;
	const cf_strlist *fl = s->edit;
	rbatch *b = s->nworkers ? s->cur : &s->one;
	rjob *j;
	size_t i, len;

	if (!b) {   /* a spare batch, or a new one */
		if ((b = s->spares))
			s->spares = b->spare;
		else if (!(b = calloc(1, sizeof *b)))
			goto oom;
		s->cur = b;
	}
	if (batch_room(b, fl->n) < 0)
		goto oom;
	j = &b->jobs[b->njobs++];
	memset(j, 0, sizeof *j);
	j->it = it;
	j->rs = s->rules;
	j->side = -1;
	j->f0 = b->nfr;
	/* CDS: decide first, so an unreplaced record costs nothing */
	if (s->mode == 1 &&
	    cf_unit(cf_record_rand(st, it->rec, 0x72756c6573ull)) >= s->p) {
		j->pass = 1;
	} else {
		if (s->label_dir.n && cf_item_label(it)) {
			const char *d = cf_strmap_get(&s->label_dir, cf_item_label(it));
			for (size_t q = 0; d && dir_names[q]; q++)
				if (!strcmp(d, dir_names[q]) && s->by_dir[q]) {
					j->rs = s->by_dir[q];
					j->side = q == CF_RULES_A_TO_B ? 0 : q == CF_RULES_B_TO_A ? 1 : -1;
				}
		}
		for (i = 0; i < fl->n; i++) {   /* the texts, borrowed from it */
			const char *t = cf_item_text(it, fl->v[i], &len);
			if (t)
				b->fr[b->nfr++] = (rfield){ .t = t, .len = len, .field = (uint32_t)i };
		}
		j->nf = b->nfr - j->f0;
	}
	if (!s->nworkers) {   /* inline: both halves now */
		apply_job(s, &s->w[0], b, j);
		return finish_batch(st, s, b, err);
	}
	s->held++;
	return b->njobs < BATCH_RECORDS ? 0 : submit(st, s, err);
oom:
	cf_fail_record(st, it, "out of memory");
	return cf_error_set(err, CF_ENOMEM, "out of memory");
}

/* The runner polls between reads; with a timeout it waits for us (its
 * window is full): a part-filled batch goes to the workers then. */
static int rules_poll(cf_stage *st, void *state, int timeout_ms, cf_error *err)
{
	rules_state *s = state;
	int rc;

	if (!s->nworkers)
		return 0;
	if (timeout_ms != 0 && (rc = submit(st, s, err)) < 0)
		return rc;
	if ((rc = harvest(st, s, timeout_ms, 0, err)) < 0)
		return rc;
	return s->held > INT_MAX ? INT_MAX : (int)s->held;
}

static int rules_flush(cf_stage *st, void *state, cf_error *err)
{
	rules_state *s = state;
	int rc;

	if (!s->nworkers)
		return 0;
	if ((rc = submit(st, s, err)) < 0)
		return rc;
	return harvest(st, s, -1, 1, err);
}

/* The rule indexes in name order, into ord (nrules of them): the report
 * lists rules in one canonical order, whatever the configuration's. */
static void rules_by_name(const cf_rules *r, size_t *ord, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		const char *nm = cf_rules_rule_name(r, (uint32_t)i);
		for (; j > 0 && strcmp(cf_rules_rule_name(r, (uint32_t)ord[j - 1]), nm) > 0; j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
	}
}

/* Per rule (by name, in name order): the share of records it edited; and
 * the decisions of the negation and antonym checks. */
static int sentiment_report(rules_state *s, json_t *out)
{
	static const char *const dn[CF_AMB_COUNT] = {
		[CF_NEG_AUX] = "negation_after_auxiliary",
		[CF_NEG_DO] = "negation_do_support",
		[CF_NEG_FRAGMENT] = "negation_in_fragment",
		[CF_NEG_REMOVE] = "negation_removed",
		[CF_SKIP_DOUBLE_NEG] = "skipped_double_negation",
		[CF_SKIP_NO_NOT] = "skipped_not_before_adverb",
		[CF_SKIP_CAPITAL] = "skipped_capitalised_word",
		[CF_SKIP_COMPOUND] = "skipped_hyphenated_compound",
		[CF_SKIP_IDIOM] = "skipped_idiom",
		[CF_SKIP_POS] = "skipped_other_part_of_speech",
		[CF_SKIP_NEG_CLAUSE] = "skipped_clause_negated_by_pack",
		[CF_SKIP_SENSE] = "skipped_not_evaluative_use",
	};
	json_t *cov = json_object(), *dec = json_object();
	double base = (double)(s->records - s->kept);
	size_t i;

	if (!cov || !dec) {   /* what is not attached to out is ours to release */
		json_decref(cov);
		json_decref(dec);
		return CF_ENOMEM;
	}
	if (json_object_set_new(out, "coverage_by_rule", cov) < 0) {
		json_decref(dec);
		return CF_ENOMEM;
	}
	if (json_object_set_new(out, "decisions", dec) < 0)
		return CF_ENOMEM;
	size_t n = s->rules ? cf_rules_nrules(s->rules) : 0, *ord = n ?
	           malloc(n * sizeof *ord) : NULL;
	if (n && !ord)
		return CF_ENOMEM;
	if (n)
		rules_by_name(s->rules, ord, n);
	for (size_t k = 0; k < n; k++) {
		i = ord[k];
		if (s->canon[i] == i &&
		    json_object_set_new(cov, cf_rules_rule_name(s->rules, (uint32_t)i),
		                        json_real(base > 0 ? (double)s->rec_rule[i] / base :
		                                  0.0)) < 0) {
			free(ord);
			return CF_ENOMEM;
		}
	}
	free(ord);
	for (i = CF_AMB_HER_HIS; i < CF_AMB_COUNT; i++)
		if (json_object_set_new(dec, dn[i], json_integer((json_int_t)s->amb[i])) < 0)
			return CF_ENOMEM;
	if (s->full_flip &&
	    json_object_set_new(dec, "rejected_source_stance_left",
	                        json_integer((json_int_t)s->stance_left)) < 0)
		return CF_ENOMEM;
	return 0;
}

static int rules_report(cf_stage *st, void *state, json_t *out)
{
	rules_state *s = state;
	json_t *per = json_object(), *amb = json_object(), *rt = json_object();
	int a, rc;

	if (!per || !amb || !rt) {
		json_decref(per);
		json_decref(amb);
		json_decref(rt);
		return CF_ENOMEM;
	}
	json_object_set_new(out, "records", json_integer((json_int_t)s->records));
	json_object_set_new(out, "edited", json_integer((json_int_t)s->edited));
	json_object_set_new(out, "no_edit", json_integer((json_int_t)s->no_edit));
	if (s->direction != CF_RULES_BOTH)
		json_object_set_new(out, "one_way_collisions", json_pack("{s:I, s:O?, s:s}",
		        "records", (json_int_t)s->one_way, "examples", s->one_way_ex,
		        "why", "a one-way swap left both members of a pair (\"Mom and "
		        "mom\"); direction: both swaps the pair"));
	json_object_set_new(out, "coverage", json_real(s->records - s->kept ?
	                    (double)s->edited / (double)(s->records - s->kept) : 0.0));
	if (s->mode == 1) {
		json_object_set_new(out, "substituted", json_integer((json_int_t)s->substituted));
		json_object_set_new(out, "kept_by_p", json_integer((json_int_t)s->kept));
	}
	if (!s->label_keep)
		json_object_set_new(out, "label_unmapped", json_integer((json_int_t)s->unmapped));
	{
		size_t n = s->rules ? cf_rules_nrules(s->rules) : 0, *ord = n ?
		           malloc(n * sizeof *ord) : NULL;
		if (n && !ord) {
			json_decref(per);
			json_decref(amb);
			json_decref(rt);
			return CF_ENOMEM;
		}
		if (n)
			rules_by_name(s->rules, ord, n);
		for (size_t k = 0; k < n; k++)
			json_object_set_new(per, cf_rules_rule_name(s->rules, (uint32_t)ord[k]),
			                    json_integer((json_int_t)s->per_rule[ord[k]]));
		free(ord);
	}
	json_object_set_new(out, "edits_by_rule", per);
	for (a = 0; a < CF_AMB_HER_HIS; a++)
		json_object_set_new(amb, amb_name(a), json_integer((json_int_t)s->amb[a]));
	json_object_set_new(out, "her_his_decisions", amb);
	json_object_set_new(out, "protected_skips",
	                    json_integer((json_int_t)s->protected_skips));
	if (s->gender_rule != UINT32_MAX) {
		json_object_set_new(out, "kept_person_name",
		                    json_integer((json_int_t)s->kept_person));
		/* names kept consistent with the gender pack (rules_names.c) */
		json_object_set_new(out, "names_fallback_swaps",
		                    json_integer((json_int_t)s->fallback));
		json_object_set_new(out, "names_left_unswapped",
		                    json_integer((json_int_t)s->unswapped));
	}
	if ((rc = sentiment_report(s, out)) < 0) {
		json_decref(rt);
		return rc;
	}
	if (s->rev) {
		json_object_set_new(rt, "checked", json_integer((json_int_t)s->rt_checked));
		json_object_set_new(rt, "exact", json_integer((json_int_t)s->rt_exact));
		json_object_set_new(rt, "rate", json_real(s->rt_checked ?
		                    (double)s->rt_exact / (double)s->rt_checked : 0.0));
		json_object_set_new(out, "round_trip", rt);
	} else {
		json_decref(rt);
	}
	return 0;
}

/* Stop the workers and free every batch; a record still held (the run
 * failed or was interrupted) is released with its items. */
static void release_batches(rules_state *s)
{
	cf_rules_task *t = cf_rules_pool_free(&s->pool), *next;
	rbatch *b;

	for (; t; t = next) {
		next = t->next;
		b = (rbatch *)t;
		b->spare = s->spares;
		s->spares = b;
	}
	if (s->cur) {
		s->cur->spare = s->spares;
		s->spares = s->cur;
		s->cur = NULL;
	}
	if (s->open && s->open != &s->one) {
		s->open->spare = s->spares;
		s->spares = s->open;
	}
	s->open = NULL;
	while ((b = s->spares)) {
		s->spares = b->spare;
		for (; b->done < b->njobs; b->done++)
			cf_item_free(b->jobs[b->done].it);
		batch_free(b);
		free(b);
	}
	batch_free(&s->one);
	s->inflight = s->held = 0;
}

static void rules_destroy(cf_stage *st, void *state)
{
	rules_state *s = state;

	cf_rules_free(&s->rules);
	cf_rules_free(&s->rev);
	cf_rules_stance_free(s->stance);
	s->stance = NULL;
	for (int d = 0; d < 3; d++)
		cf_rules_free(&s->by_dir[d]);
	release_batches(s);
	for (unsigned i = 0; s->w && i < (s->nworkers ? s->nworkers : 1); i++) {
		cf_rules_out_free(&s->w[i].out);
		cf_rules_out_free(&s->w[i].back);
	}
	free(s->w);
	s->w = NULL;
	free(s->per_rule);
	free(s->rec_rule);
	s->per_rule = s->rec_rule = NULL;
	for (size_t i = 0; s->rule_js && i < s->nrule_js; i++)
		json_decref(s->rule_js[i]);
	free(s->rule_js);
	free(s->seen);
	free(s->fired);
	free(s->canon);
	json_decref(s->one_way_ex);
	s->one_way_ex = NULL;
	s->rule_js = NULL;
	s->seen = NULL;
	s->fired = NULL;
	s->canon = NULL;
}

const cf_stage_kind cf_stage_rules = {
	.name = "rules",
	.summary = "lexicon and regex swaps: gender/names CDA and CDS, negation, "
	           "antonyms, user rules",
	.state_size = sizeof(rules_state),
	.options = rules_options,
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_GENERATES | CF_STAGE_LOCAL,
	.init = rules_init,
	.process = rules_process,
	.poll = rules_poll,
	.flush = rules_flush,
	.report = rules_report,
	.destroy = rules_destroy,
};
