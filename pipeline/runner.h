/*
 * runner.h - the pipeline: its parsed configuration, its stages, and the
 * loop that streams records through them (internal to the core).
 *
 * A record's path: reader -> cf_record (validated, id, label) -> group ->
 * the original item is pushed into stage 0 -> each stage gives items away
 * with cf_emit/cf_reject/cf_consume/cf_fail_record -> after the last stage
 * items land in their group -> groups are written strictly in input order
 * once nothing of them is still alive in a stage (output.c).
 */
#ifndef CF_RUNNER_H
#define CF_RUNNER_H

#include <stdio.h>
#include "cfaug/sys/stage.h"
#include "cfaug/reader.h"

enum { CF_ON_ERROR_SKIP = 0, CF_ON_ERROR_FAIL = 1 };

typedef struct cf_input_conf {
	char *path;
	int format;              /* index into format names; 0 = from extension */
	char *id_field;
	cf_strlist text_fields;
	char *label_field;
	cf_strlist labels;
	int on_error;            /* CF_ON_ERROR_* */
	long max_record_bytes;
	cf_strlist columns;      /* CSV/TSV without a header row: the names */
	int quotes;              /* CSV/TSV: RFC 4180 quoting (1) or none (0) */
	int unique_ids;          /* duplicate or empty ids are data errors */
} cf_input_conf;

typedef struct cf_output_conf {
	char *dir;               /* "-": pairs to stdout */
	cf_strlist files;        /* which of pairs, augmented, ...; empty = all */
	int compress;            /* none | gzip | zstd (CF_ZFILE_*) */
	int augmented_format;    /* jsonl | input | csv | tsv */
	int card;                /* write README.md, a dataset card */
} cf_output_conf;

typedef struct cf_stage_stats {
	uint64_t in_originals, in_candidates;
	uint64_t generated, emitted, rejected, consumed, failed;
	double seconds;          /* own time: process + poll + flush, not downstream */
} cf_stage_stats;

struct cf_stage {
	const cf_stage_kind *kind;
	void *state;             /* kind->state_size bytes, zeroed, owned */
	char *name;
	unsigned index;
	struct cf_pipeline *p;
	cf_stage_stats stats;
	int ready;               /* options loaded (1) and init done (2) */
	unsigned held;           /* items held at its last poll (progress line) */
	const cf_node *node;
	char *unable;            /* cf_stage_unable()'s message, owned; NULL if able */
};

typedef struct cf_run_opts {
	const char *input;       /* -i override, or NULL */
	const char *output;      /* -o override, or NULL */
	unsigned shard_k, shard_n; /* 1-based K of N; N == 0: no sharding */
	int quiet;
	int progress;            /* draw a progress line on stderr */
	long window;             /* max records in flight; 0 = default */
	int dry_run;             /* stages count what they would send, send nothing */
	int no_cache;            /* stages neither read nor write their caches */
	long long limit;         /* --limit: read at most this many records; 0 = all */
	int overwrite;           /* --overwrite: replace another pipeline's output */
	/* the stage kinds a pipeline may use, NULL-terminated: given from above
	 * (cli/ passes cf_stage_kinds of stages/registry.c), so the core never
	 * names the stages layer; required by cf_pipeline_new_opts */
	const cf_stage_kind *const *kinds;
} cf_run_opts;

typedef struct cf_pipeline cf_pipeline;

/* Build a pipeline from a loaded config: top-level keys, input, output,
 * every stage's options and init(), its stage types looked up in o->kinds;
 * the stages are told (through cf_pipeline_info) what of o concerns them at
 * build time: dry_run and no_cache.  Config mistakes: CF_ECONFIG with
 * FILE:LINE:COL.  The conf is borrowed and must outlive the pipeline.
 * cf_pipeline_new (the same with every registered kind and no other
 * option) lives with the registry: include/cfaug/sys/stage.h. */
int cf_pipeline_new_opts(cf_pipeline **out, const cf_conf *conf,
                         const cf_run_opts *o, cf_error *err);

/* Stream the input through the stages into the outputs.  Returns 0, or a
 * negative code (CF_EDATA under on_error: fail, CF_EIO, CF_EINTR, ...).
 * *report (may be NULL) receives a new reference to the report object. */
int cf_pipeline_run(cf_pipeline *p, const cf_run_opts *o, json_t **report,
                    cf_error *err);

void cf_pipeline_free(cf_pipeline **p);

/* The option tables of a pipeline file's sections, for `cfaug schema`:
 * "input", "output", else the top level (whose input/output/stages rows are
 * nodes). */
const cf_option *cf_pipeline_options(const char *section);

/* The pipeline's seed (top-level `seed`, default 0). */
uint64_t cf_pipeline_seed(const cf_pipeline *p);

/* Ask a running pipeline to stop (from a signal handler: only sets a flag). */
void cf_pipeline_interrupt(void);

#endif
