/*
 * sys/stage.h - for people who write stages.
 *
 * A stage kind is one constant cf_stage_kind: its YAML type name, the size
 * of its private state, a table of its options and its functions.  The
 * runner allocates and zeroes the state, fills it from the YAML through the
 * option table, then calls init(); the stage never allocates its own handle.
 * Adding a stage = one new file in stages/ + one row in stages/registry.c.
 *
 * process() is a generator: it takes ownership of one item and gives it (and
 * any candidates it makes) away with the calls below, now or later:
 *   cf_emit(st, it)            pass downstream (to the next stage, or out)
 *   cf_reject(st, it, reason)  a candidate is dropped: goes to rejected.jsonl
 *   cf_consume(st, it)         an original is dropped on purpose (CDS replaces
 *                              a record by its counterfactual)
 *   cf_fail_record(st, it, r)  the record cannot be processed: errors.jsonl
 * Exactly one of them per item; the runner checks the accounting.
 *
 * Synchronous stages do it inside process().  Asynchronous stages (network)
 * keep items and give them away later from poll() or flush(); they may
 * finish in any order: the runner writes output in input order anyway, and
 * sorts candidates of one record by (gen_stage, gen_index).  The runner
 * stops reading when too many records are unfinished, so a stage's queue is
 * bounded by the runner's window, not by the input.
 *
 * Which items reach process() is declared by flags: a generator takes
 * originals, a filter takes candidates; the runner forwards the others.
 */
#ifndef CFAUG_SYS_STAGE_H
#define CFAUG_SYS_STAGE_H

#include "../cfaug.h"
#include "../conf.h"
#include "../record.h"
#include "../util.h"

typedef struct cf_stage cf_stage;

/* One stage of the pipeline as written, for checks across stages (the
 * teacher warns when its judge's model generates in an llm stage). */
typedef struct cf_stage_ref {
	const char *type;                /* `type:` */
	const char *name;                /* `name:`, NULL when not given */
	const char *model;               /* `model:` when a scalar, else NULL */
	int line;                        /* of `model:` (else of the stage) */
} cf_stage_ref;

/* What a stage knows about the pipeline it is in. */
typedef struct cf_pipeline_info {
	uint64_t seed;
	const cf_strlist *text_fields;   /* input.text_fields, at least one */
	const char *label_field;         /* NULL for unlabelled input */
	const cf_strlist *labels;        /* declared label set; n == 0 if none */
	const char *conf_path;           /* the pipeline file, for messages */
	const cf_node *node;             /* this stage's YAML mapping */
	int dry_run;                     /* count, send nothing */
	int no_cache;                    /* do not read or write response caches */
	size_t max_record_bytes;         /* input.max_record_bytes */
	const cf_stage_ref *stages;      /* every stage of the pipeline, in */
	size_t nstages;                  /* order (this one at index) */
	unsigned index;
} cf_pipeline_info;

#define CF_STAGE_ORIGINALS  0x1u  /* process() receives original records */
#define CF_STAGE_CANDIDATES 0x2u  /* process() receives candidates */
/* The stage holds items until flush() by design (it needs the whole input,
 * like zfilter): the runner then reads past its window (every record after
 * the first held item stays unfinished), and the stage must bound what it
 * holds itself (zfilter: max_held, max_held_mb). */
#define CF_STAGE_HOLDS      0x4u
/* The stage makes candidates (a generator: rules, llm, case), as against
 * one that only passes or filters: a run whose generators made nothing is
 * told so; a run without one is not. */
#define CF_STAGE_GENERATES  0x8u
/* The stage is asynchronous for worker threads of its own (the rules
 * stage's `threads`), not for a network: the progress line does not show
 * what it holds as requests in flight. */
#define CF_STAGE_LOCAL      0x10u

/* The version of this interface.  A kind says which one it was written
 * for (.version; 0 counts as 1); the runner refuses a kind written for a
 * newer one.  Raised when a change would break a compiled stage kind. */
#define CF_STAGE_API_VERSION 1

typedef struct cf_stage_kind {
	unsigned version;          /* CF_STAGE_API_VERSION (0: 1) */
	const char *name;          /* the YAML `type` */
	const char *summary;       /* one line, for `cfaug help stages` */
	size_t state_size;
	const cf_option *options;  /* terminated by key == NULL; may be NULL */
	unsigned flags;            /* CF_STAGE_ORIGINALS | CF_STAGE_CANDIDATES ... */

	/* After options are loaded.  Config problems: CF_ECONFIG with location
	 * (use cf_conf_error with info->node or a child node). May be NULL.
	 * On failure init() releases what it made itself: destroy() is called
	 * only for stages whose init() succeeded. */
	int (*init)(cf_stage *st, void *state, const cf_pipeline_info *info,
	            cf_error *err);
	/* Take ownership of it; see above.  A negative return stops the run
	 * (use it for failures of the stage itself, not of one record). */
	int (*process)(cf_stage *st, void *state, cf_item *it, cf_error *err);
	/* Async stages only (else NULL): make progress for up to timeout_ms,
	 * giving away finished items.  Returns how many items it still holds. */
	int (*poll)(cf_stage *st, void *state, int timeout_ms, cf_error *err);
	/* End of input: give away everything still held.  May be NULL. */
	int (*flush)(cf_stage *st, void *state, cf_error *err);
	/* Add the stage's own figures to its report object.  May be NULL. */
	int (*report)(cf_stage *st, void *state, json_t *out);
	/* Free what init() made; option values are freed by the runner. */
	void (*destroy)(cf_stage *st, void *state);
} cf_stage_kind;

/* Give an item away (see the top of this file). */
void cf_emit(cf_stage *st, cf_item *it);
/* reason: short, stable, machine-friendly ("no_flip", "duplicate", ...);
 * detail: extra JSON for the rejected line (stolen; may be NULL). */
void cf_reject(cf_stage *st, cf_item *it, const char *reason, json_t *detail);
void cf_consume(cf_stage *st, cf_item *it);
void cf_fail_record(cf_stage *st, cf_item *it, const char *reason);

/* The stage cannot go on (an endpoint refused it, out of memory in a
 * callback): the run stops as soon as control is back in the runner, with
 * this message and code (CF_E*), as if process() or poll() had returned
 * it.  The first failure of the run wins.  Returns code.  For use anywhere,
 * also in callbacks; a stage keeps no fatal flag of its own. */
int cf_stage_fail(cf_stage *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Has the run failed (cf_stage_fail or an error returned by any stage)?
 * 0, or the failure's code. */
int cf_stage_failed(const cf_stage *st);
/* A warning on stderr ("cfaug: warning: ..."): the run goes on. */
void cf_stage_warn(cf_stage *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The stage could not do its job this run (e.g. every request of it
 * failed): the run still writes nothing lost, but does not commit and
 * exits 1, naming the stage and `why` (the first call's message wins).
 * Call it from flush() or report-time checks, once the stage knows. */
void cf_stage_unable(cf_stage *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* From flush(), between items given away: write every group they
 * finished (in input order, as the runner does after the flush), so a
 * stage that held the whole input does not keep it all alive until the
 * end.  A failure stops the run as cf_stage_fail does. */
void cf_stage_drain(cf_stage *st);

/* Only for destroy() of a stage abandoned mid-run (the run failed or was
 * interrupted): release an item it still holds.  Accepts NULL. */
void cf_item_free(cf_item *it);

/* A new candidate derived from item `from` (an original or a candidate):
 * its cf starts as a copy of from's text fields and label, its generator as
 * {"stage": NAME, "kind": KIND}.  Numbered in creation order per stage and
 * record.  Returns NULL when out of memory.  The stage owns the result. */
cf_item *cf_candidate_new(cf_stage *st, const cf_item *from);
/* Replace a text field of a candidate (len bytes, need not be NUL-ended). */
int cf_candidate_set_text(cf_item *c, const char *field, const char *text,
                          size_t len);
/* Annotate a candidate: KEY: value joins its pairs.jsonl and
 * rejected.jsonl lines (after "generator", in the order first set; the
 * teacher stage writes "teacher").  Steals value; a later value for the
 * same key replaces it.  0 or CF_ENOMEM (value freed). */
int cf_item_annotate(cf_item *it, const char *key, json_t *value);
/* Where a candidate's text differs from its original's, as the stage
 * that made it knows (the rules stage's edits): bytes [src_off, src_off +
 * src_len) of field in the original became [dst_off, dst_off + dst_len) in
 * the candidate.  Spans of one field are together and in text order.  A
 * hint: edit_filter checks it against both texts and measures the edit
 * distance from it (tokenising once, no full table), and falls back to
 * the full computation when it does not fit (pipeline/util/tokens.h).
 * One malloc'd block (it->edit_spans, freed with the item); a candidate
 * made by cf_candidate_new starts without it. */
typedef struct cf_edit_span {
	const char *field;        /* borrowed from the generating stage, valid
	                             while the run goes */
	uint32_t src_off, src_len, dst_off, dst_len;
} cf_edit_span;
typedef struct cf_edit_spans {
	size_t n;
	cf_edit_span v[];
} cf_edit_spans;

/* Set the target label of a candidate. */
int cf_candidate_set_label(cf_item *c, const char *label);

/* Check a stage's `fields` option against input.text_fields: every name
 * must be a text field (else CF_ECONFIG at the stage's `fields` key).
 * *out gets the fields to work on: `fields` if given, else all text
 * fields (borrowed from info or from fields). */
int cf_stage_fields(const cf_pipeline_info *info, const cf_strlist *fields,
                    const cf_strlist **out, cf_error *err);

/* The stage's name (YAML `name`, default its type), index and kind. */
const char *cf_stage_name(const cf_stage *st);
unsigned cf_stage_index(const cf_stage *st);
const cf_stage_kind *cf_stage_kind_of(const cf_stage *st);

/* Deterministic randomness: every choice derives from (seed, record id,
 * salt), never from position, chunk or thread, so shards agree. */
uint64_t cf_record_rand(const cf_stage *st, const cf_record *rec, uint64_t salt);
/* Uniform double in [0, 1) from a 64-bit value. */
static inline double cf_unit(uint64_t x) { return (double)(x >> 11) * (1.0 / 9007199254740992.0); }

/* The registry: every stage kind, NULL-terminated (stages/registry.c).
 * The core never names it: cli/ hands it to the runner (cf_run_opts.kinds),
 * so pipeline/ links without stages/. */
extern const cf_stage_kind *const cf_stage_kinds[];
const cf_stage_kind *cf_stage_kind_find(const char *name);
/* A pipeline from a loaded config with every registered kind and default
 * run options (stages/registry.c; cf_pipeline_new_opts, pipeline/runner.h,
 * says the rest). */
struct cf_pipeline;
int cf_pipeline_new(struct cf_pipeline **out, const cf_conf *conf,
                    cf_error *err);

#endif
