/*
 * runner.c - builds a pipeline from its YAML and streams records through it.
 *
 * The loop: read one record, validate it into a group, push its original
 * item into stage 0, and write every group at the head of the FIFO that no
 * stage holds anything of any more.  Synchronous stages finish an item
 * inside the push; asynchronous ones keep items and finish them from poll()
 * — the runner polls them between reads, and stops reading while `window`
 * records are unfinished, which bounds memory however the stages behave.
 * At end of input every stage is flushed in order, then the outputs are
 * committed with a report whose totals must reconcile.
 *
 * Timing: one clock is charged to whichever stage (or the reader, the
 * writer, the runner) currently runs; entering a downstream stage from
 * cf_emit switches the clock, so each stage's figure is its own time.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "json_alloc.h"
#include "output.h"
#include "card.h"
#include "id_set.h"
#include "utf8_cut.h"

#define WINDOW_DEFAULT 4096
#define CLOCK_DEPTH 64
enum { CLK_RUNNER = -1, CLK_READER = -2, CLK_WRITER = -3 };

typedef struct top_conf {
	long seed;
	long window;
	const cf_node *input, *stages, *output;
} top_conf;

typedef struct totals {
	uint64_t read, processed, errors, other_shards;
	uint64_t originals_out, originals_consumed;
	uint64_t candidates, accepted, rejected;
	uint64_t bytes;
} totals;

struct cf_pipeline {
	const cf_conf *conf;
	const cf_stage_kind *const *kinds;  /* the stage table, from the caller */
	top_conf top;
	cf_input_conf in;
	cf_output_conf out;
	cf_format format;
	int stdin_assumed;       /* stdin with no input.format: JSONL, said once */
	const char *compression; /* of the input: "gzip", "zstd", "none" */
	unsigned files_mask;     /* output.files as 1 << CF_OUT_*; 0 = all */
	int limited;             /* --limit stopped reading before the end */
	int prog_on;             /* draw the progress line (tty) */
	double prog_t0, prog_last;
	cf_reader *prog_reader;  /* borrowed during the run */
	uint64_t prog_size;      /* input file size, 0 when unknown (stdin) */
	char aug_delim;          /* augmented as CSV/TSV; 0 = JSONL */
	int card;                /* write README.md (output.card, output.files) */
	cf_stage *stages;
	unsigned nstages;
	cf_stage_ref *refs;   /* the stages as written, for cf_pipeline_info */
	int has_async;
	int holds;              /* a stage holds items to the end (CF_STAGE_HOLDS) */
	int dry_run, no_cache;

	/* run state */
	cf_group *head, *tail;
	size_t ngroups;
	cf_output *output;
	int fatal;
	cf_error fatal_err;
	totals t;
	json_t *error_kinds, *reject_reasons;
	json_t *by_target;       /* target label -> {candidates, accepted} */
	json_t *by_rule;               /* rule name -> [accepted, rejected] */
	char *first_error;             /* "FILE:LINE: reason" of the run's first bad record */
	cf_id_set ids;                 /* ids seen (only with input.id_field) */
	uint64_t dup_ids, empty_ids;   /* records with an id seen before / an empty id */
	long first_dup_line;
	double clk_other[3];           /* runner, reader, writer */
	int clk_cur, clk_stack[CLOCK_DEPTH], clk_depth;
	struct timespec clk_last;
};

static volatile sig_atomic_t interrupted;

static void group_free(cf_group *g);
static void maybe_progress(cf_pipeline *p);

void cf_pipeline_interrupt(void)
{
	interrupted = 1;
}

uint64_t cf_pipeline_seed(const cf_pipeline *p)
{
	return (uint64_t)p->top.seed;
}

/* ---- option tables ---------------------------------------------------- */

static const char *const format_names[] = { "auto", "jsonl", "csv", "tsv", NULL };
static const char *const on_error_names[] = { "skip", "fail", NULL };

static const cf_option top_options[] = {
	{ .key = "seed", .type = CF_OPT_INT,
	  .offset = offsetof(top_conf, seed), .def = "0",
	  .help = "every random choice derives from (seed, record id)" },
	{ .key = "window", .type = CF_OPT_INT,
	  .offset = offsetof(top_conf, window), .def = "4096", .min = 1,
	  .max = 1e7, .help = "most records in flight at once (bounds memory)" },
	{ .key = "input", .type = CF_OPT_NODE,
	  .offset = offsetof(top_conf, input), .flags = CF_OPT_REQUIRED,
	  .help = "where records come from" },
	{ .key = "stages", .type = CF_OPT_NODE,
	  .offset = offsetof(top_conf, stages),
	  .help = "the stages, run in this order" },
	{ .key = "output", .type = CF_OPT_NODE,
	  .offset = offsetof(top_conf, output), .flags = CF_OPT_REQUIRED,
	  .help = "where results go" },
	{ .key = NULL }
};

static const cf_option input_options[] = {
	{ .key = "path", .type = CF_OPT_STRING,
	  .offset = offsetof(cf_input_conf, path), .flags = CF_OPT_REQUIRED,
	  .help = "input file, or - for stdin" },
	{ .key = "format", .type = CF_OPT_ENUM,
	  .offset = offsetof(cf_input_conf, format), .def = "auto",
	  .choices = format_names,
	  .help = "jsonl | csv | tsv (default: from the extension)" },
	{ .key = "id_field", .type = CF_OPT_STRING,
	  .offset = offsetof(cf_input_conf, id_field),
	  .help = "field holding the record id" },
	{ .key = "text_fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(cf_input_conf, text_fields),
	  .flags = CF_OPT_REQUIRED, .help = "fields holding the text to edit" },
	{ .key = "label_field", .type = CF_OPT_STRING,
	  .offset = offsetof(cf_input_conf, label_field),
	  .help = "field holding the label" },
	{ .key = "labels", .type = CF_OPT_STRLIST,
	  .offset = offsetof(cf_input_conf, labels),
	  .help = "the label set; other labels are data errors" },
	{ .key = "on_error", .type = CF_OPT_ENUM,
	  .offset = offsetof(cf_input_conf, on_error), .def = "skip",
	  .choices = on_error_names,
	  .help = "skip: bad records go to errors.jsonl; fail: stop" },
	{ .key = "max_record_bytes", .type = CF_OPT_INT,
	  .offset = offsetof(cf_input_conf, max_record_bytes),
	  .def = "1048576", .min = 1, .max = 1073741824.0,
	  .help = "longer records are errors" },
	{ .key = "columns", .type = CF_OPT_STRLIST,
	  .offset = offsetof(cf_input_conf, columns),
	  .help = "csv/tsv without a header row: the column names, in order" },
	{ .key = "quotes", .type = CF_OPT_BOOL,
	  .offset = offsetof(cf_input_conf, quotes), .def = "true",
	  .help = "csv/tsv: RFC 4180 quoting; false: '\"' is an ordinary "
	  "character" },
	{ .key = "unique_ids", .type = CF_OPT_BOOL,
	  .offset = offsetof(cf_input_conf, unique_ids), .def = "false",
	  .help = "duplicate or empty ids are data errors (else: one warning)" },
	{ .key = NULL }
};

static const char *const compress_names[] = { "none", "gzip", "zstd", NULL };
enum { AUG_JSONL, AUG_INPUT, AUG_CSV, AUG_TSV };
static const char *const aug_format_names[] = { "jsonl", "input", "csv", "tsv", NULL };

static const cf_option output_options[] = {
	{ .key = "dir", .type = CF_OPT_STRING,
	  .offset = offsetof(cf_output_conf, dir), .flags = CF_OPT_REQUIRED,
	  .help = "output directory, or - for stdout" },
	{ .key = "files", .type = CF_OPT_STRLIST,
	  .offset = offsetof(cf_output_conf, files),
	  .help = "files to write: pairs, augmented, rejected, errors, report, "
	  "card (default all)" },
	{ .key = "compress", .type = CF_OPT_ENUM,
	  .offset = offsetof(cf_output_conf, compress), .def = "none",
	  .choices = compress_names,
	  .help = "none | gzip (.gz) | zstd (.zst): the data files" },
	{ .key = "augmented_format", .type = CF_OPT_ENUM,
	  .offset = offsetof(cf_output_conf, augmented_format), .def = "jsonl",
	  .choices = aug_format_names,
	  .help = "jsonl | input (the input's format) | csv | tsv (csv/tsv "
	  "input only)" },
	{ .key = "card", .type = CF_OPT_BOOL,
	  .offset = offsetof(cf_output_conf, card), .def = "true",
	  .help = "write README.md, a Hugging Face dataset card with "
	  "provenance" },
	{ .key = NULL }
};

const cf_option *cf_pipeline_options(const char *section)
{
	if (!strcmp(section, "input"))
		return input_options;
	if (!strcmp(section, "output"))
		return output_options;
	return top_options;
}

/* output.files -> a mask of 1 << CF_OUT_*; config error for unknown names. */
static int check_output(cf_pipeline *p, cf_error *err)
{
	const cf_node *at = p->top.output;
	size_t i, k;

	p->card = p->out.card && !p->out.files.n;
	for (i = 0; i < p->out.files.n; i++) {
		if (!strcmp(p->out.files.v[i], "card")) {
			p->card = p->out.card;   /* README.md: not a file of output.c */
			continue;
		}
		for (k = 0; cf_output_file_names[k]; k++)
			if (!strcmp(p->out.files.v[i], cf_output_file_names[k]))
				break;
		if (!cf_output_file_names[k])
			return cf_conf_error(err, p->conf->path, cf_node_get(at, "files"),
			        "unknown output file '%s' (known: pairs, augmented, "
			        "rejected, errors, report, card)", p->out.files.v[i]);
		p->files_mask |= 1u << k;
	}
	if (p->out.files.n && !p->files_mask)
		p->files_mask = 1u << 31;   /* only the card: no file of output.c */
	switch (p->out.augmented_format) {
	case AUG_INPUT:
		p->aug_delim = p->format == CF_FMT_CSV ? ',' : p->format == CF_FMT_TSV ? '\t' : 0;
		break;
	case AUG_CSV:
	case AUG_TSV:
		if (p->format == CF_FMT_JSONL)
			return cf_conf_error(err, p->conf->path,
			        cf_node_get(at, "augmented_format"), "augmented_format %s "
			        "needs csv or tsv input (JSONL records may nest values and "
			        "differ in their fields); use 'input' or 'jsonl'",
			        aug_format_names[p->out.augmented_format]);
		p->aug_delim = p->out.augmented_format == AUG_CSV ? ',' : '\t';
		break;
	}
	return 0;
}

/* ---- building --------------------------------------------------------- */

static int need_map(const cf_conf *c, const cf_node *n, const char *what,
                    cf_error *err)
{
	if (n && n->type != CF_NODE_MAP)
		return cf_conf_error(err, c->path, n, "'%s' must be a mapping, got a %s",
		                     what, cf_node_type_name(n->type));
	return 0;
}

static int has_dup(const cf_strlist *l, const char **dup)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = i + 1; j < l->n; j++)
			if (strcmp(l->v[i], l->v[j]) == 0) {
				*dup = l->v[i];
				return 1;
			}
	return 0;
}

static int check_input(cf_pipeline *p, cf_error *err)
{
	const char *file = p->conf->path, *dup;
	const cf_node *at = p->top.input;

	if (p->in.text_fields.n == 0)
		return cf_conf_error(err, file, cf_node_get(at, "text_fields"),
		                     "'text_fields' needs at least one field");
	if (has_dup(&p->in.text_fields, &dup))
		return cf_conf_error(err, file, cf_node_get(at, "text_fields"),
		                     "text field '%s' is listed twice", dup);
	if (has_dup(&p->in.labels, &dup))
		return cf_conf_error(err, file, cf_node_get(at, "labels"),
		                     "label '%s' is listed twice", dup);
	if (p->in.labels.n && !p->in.label_field)
		return cf_conf_error(err, file, cf_node_get(at, "labels"),
		                     "'labels' needs 'label_field'");
	if (has_dup(&p->in.columns, &dup))
		return cf_conf_error(err, file, cf_node_get(at, "columns"),
		                     "column '%s' is listed twice", dup);
	for (size_t i = 0; i < p->in.columns.n; i++)
		if (!p->in.columns.v[i][0])
			return cf_conf_error(err, file, cf_node_get(at, "columns"),
			                     "column %zu has an empty name", i + 1);
	p->format = (cf_format)p->in.format;
	if (p->format == CF_FMT_AUTO) {
		p->format = strcmp(p->in.path, "-") == 0 ? CF_FMT_JSONL
		            : cf_format_from_path(p->in.path);
		p->stdin_assumed = strcmp(p->in.path, "-") == 0;
		if (p->format == CF_FMT_AUTO && cf_node_get(at, "path")->line == 0)
			return cf_error_set(err, CF_ECONFIG, "input '%s' (given with -i or "
			        "--set): cannot tell its format from the name; add "
			        "--set input.format=jsonl (or csv, tsv)", p->in.path);
		if (p->format == CF_FMT_AUTO)
			return cf_conf_error(err, file, cf_node_get(at, "path"),
			        "cannot tell the format of '%s' from its extension; "
			        "set input.format to jsonl, csv or tsv", p->in.path);
	}
	if (p->in.columns.n && p->format == CF_FMT_JSONL)
		return cf_conf_error(err, file, cf_node_get(at, "columns"),
		                     "'columns' is for csv/tsv input without a header "
		                     "row, and this input is jsonl");
	return 0;
}

/* A scalar's text, else NULL. */
static const char *scalar_of(const cf_node *n)
{
	return n && n->type == CF_NODE_SCALAR ? n->str : NULL;
}

/* p->refs from the stage mappings (sn: the sequence): what one stage may
 * know of the others (cf_stage_ref).  Malformed entries are left for
 * build_stage to report. */
static int stage_refs(cf_pipeline *p, const cf_node *sn, cf_error *err)
{
	const cf_node *m;
	unsigned i;

	if (!(p->refs = calloc(p->nstages, sizeof *p->refs)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < p->nstages; i++) {
		p->refs[i].type = scalar_of(cf_node_get(sn->kids[i], "type"));
		p->refs[i].name = scalar_of(cf_node_get(sn->kids[i], "name"));
		m = cf_node_get(sn->kids[i], "model");
		p->refs[i].model = scalar_of(m);
		p->refs[i].line = m ? m->line : sn->kids[i]->line;
	}
	return 0;
}

static int build_stage(cf_pipeline *p, unsigned idx, const cf_node *node,
                       cf_error *err)
{
	static const char *const skip[] = { "type", "name", NULL };
	const char *file = p->conf->path;
	cf_stage *st = &p->stages[idx];
	const cf_node *type, *name;
	cf_pipeline_info info;
	unsigned i;
	int rc;

	if (node->type != CF_NODE_MAP)
		return cf_conf_error(err, file, node, "a stage must be a mapping, got a %s",
		                     cf_node_type_name(node->type));
	type = cf_node_get(node, "type");
	if (!type) {
		char where[64];
		cf_node_path(node, where, sizeof where);
		return cf_conf_error(err, file, node, "missing required key 'type' in %s",
		                     where);
	}
	if (type->type != CF_NODE_SCALAR)
		return cf_conf_error(err, file, type, "'type' must be a scalar");
	for (i = 0; p->kinds[i] && strcmp(p->kinds[i]->name, type->str); i++)
		;
	st->kind = p->kinds[i];
	if (!st->kind) {
		char known[256] = "";
		for (i = 0; p->kinds[i]; i++) {
			if (i)
				strncat(known, ", ", sizeof known - strlen(known) - 1);
			strncat(known, p->kinds[i]->name, sizeof known - strlen(known) - 1);
		}
		return cf_conf_error(err, file, type, "unknown stage type '%s' (known: %s)",
		                     type->str, known);
	}
	if (st->kind->version > CF_STAGE_API_VERSION)
		return cf_conf_error(err, file, type, "stage type '%s' needs stage "
		                     "API version %u; this cfaug has %u", type->str,
		                     st->kind->version, CF_STAGE_API_VERSION);
	st->p = p;
	st->index = idx;
	st->node = node;
	name = cf_node_get(node, "name");
	if (name && name->type != CF_NODE_SCALAR)
		return cf_conf_error(err, file, name, "'name' must be a scalar");
	st->name = strdup(name ? name->str : st->kind->name);
	if (!st->name)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < idx; i++) {
		if (strcmp(p->stages[i].name, st->name) != 0)
			continue;
		if (name)
			return cf_conf_error(err, file, name,
			                     "stage name '%s' is used twice", st->name);
		/* unnamed stages of one type get a number: rules, rules.2 */
		free(st->name);
		if (!(st->name = malloc(strlen(st->kind->name) + 16)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		sprintf(st->name, "%s.%u", st->kind->name, idx + 1);
	}
	if (st->kind->state_size && !(st->state = calloc(1, st->kind->state_size)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (st->kind->options) {
		rc = cf_options_load(st->kind->options, st->state, node, file, skip, err);
		if (rc < 0)
			return rc;
	} else if (node->nkids > 2 * (name ? 2u : 1u)) {
		const cf_node *k = node->kids[0];
		for (i = 0; i < node->nkids; i += 2)
			if (strcmp(node->kids[i]->str, "type") && strcmp(node->kids[i]->str, "name"))
				k = node->kids[i];
		return cf_conf_error(err, file, k, "unknown key '%s' in stage '%s'",
		                     k->str, st->kind->name);
	}
	st->ready = 1;
	if (st->kind->poll)
		p->has_async = 1;
	if (st->kind->flags & CF_STAGE_HOLDS)
		p->holds = 1;
	memset(&info, 0, sizeof info);
	info.seed = (uint64_t)p->top.seed;
	info.text_fields = &p->in.text_fields;
	info.label_field = p->in.label_field;
	info.labels = &p->in.labels;
	info.conf_path = file;
	info.node = node;
	info.dry_run = p->dry_run;
	info.no_cache = p->no_cache;
	info.max_record_bytes = (size_t)p->in.max_record_bytes;
	info.stages = p->refs;
	info.nstages = p->nstages;
	info.index = idx;
	if (st->kind->init && (rc = st->kind->init(st, st->state, &info, err)) < 0)
		return rc;
	st->ready = 2;
	return 0;
}

int cf_pipeline_new_opts(cf_pipeline **out, const cf_conf *conf,
                         const cf_run_opts *o, cf_error *err)
{
	cf_pipeline *p = calloc(1, sizeof *p);
	const char *file = conf->path;
	const cf_node *sn;
	unsigned i;
	int rc;

	*out = NULL;
	if (!p)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	cf_json_alloc_install();
	p->conf = conf;
	if (!o || !(p->kinds = o->kinds)) {
		rc = cf_error_set(err, CF_EINTERNAL, "no stage table given");
		goto done;
	}
	p->dry_run = o ? o->dry_run : 0;
	p->no_cache = o ? o->no_cache : 0;
	if ((rc = cf_options_load(top_options, &p->top, conf->root, file, NULL, err)) < 0)
		goto done;
	if ((rc = need_map(conf, p->top.input, "input", err)) < 0 ||
	    (rc = need_map(conf, p->top.output, "output", err)) < 0)
		goto done;
	if ((rc = cf_options_load(input_options, &p->in, p->top.input, file, NULL, err)) < 0 ||
	    (rc = cf_options_load(output_options, &p->out, p->top.output, file, NULL, err)) < 0 ||
	    (rc = check_input(p, err)) < 0 || (rc = check_output(p, err)) < 0)
		goto done;
	sn = p->top.stages;
	if (sn && sn->type == CF_NODE_SCALAR && sn->len == 0 && !sn->quoted)
		sn = NULL;   /* `stages:` with nothing: read -> write */
	if (sn && sn->type != CF_NODE_SEQ) {
		rc = cf_conf_error(err, file, sn, "'stages' must be a sequence, got a %s",
		                   cf_node_type_name(sn->type));
		goto done;
	}
	if (sn && sn->nkids) {   /* nstages only once the array exists */
		if (!(p->stages = calloc(sn->nkids, sizeof *p->stages))) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		p->nstages = (unsigned)sn->nkids;
		if ((rc = stage_refs(p, sn, err)) < 0)
			goto done;
	}
	for (i = 0; i < p->nstages; i++)
		if ((rc = build_stage(p, i, sn->kids[i], err)) < 0)
			goto done;
done:
	if (rc < 0)
		cf_pipeline_free(&p);
	*out = p;
	return rc;
}

void cf_pipeline_free(cf_pipeline **pp)
{
	cf_pipeline *p = pp ? *pp : NULL;
	unsigned i;

	if (!p)
		return;
	for (i = 0; i < p->nstages; i++) {
		cf_stage *st = &p->stages[i];
		if (st->ready == 2 && st->kind->destroy)
			st->kind->destroy(st, st->state);
		if (st->ready && st->kind->options)
			cf_options_free(st->kind->options, st->state);
		free(st->state);
		free(st->name);
		free(st->unable);
	}
	free(p->stages);
	free(p->refs);
	while (p->head) {   /* what a failed run left queued */
		cf_group *g = p->head;
		p->head = g->next;
		group_free(g);
	}
	cf_options_free(input_options, &p->in);
	cf_options_free(output_options, &p->out);
	cf_options_free(top_options, &p->top);
	free(p);
	*pp = NULL;
}

/* ---- the clock -------------------------------------------------------- */

static double now_s(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

static void clock_switch(cf_pipeline *p, int to)
{
	struct timespec ts;
	double d;

	now_s(&ts);
	d = (double)(ts.tv_sec - p->clk_last.tv_sec) +
	    (double)(ts.tv_nsec - p->clk_last.tv_nsec) * 1e-9;
	if (p->clk_cur >= 0)
		p->stages[p->clk_cur].stats.seconds += d;
	else
		p->clk_other[-p->clk_cur - 1] += d;
	p->clk_last = ts;
	p->clk_cur = to;
}

static void clock_enter(cf_pipeline *p, int to)
{
	if (p->clk_depth < CLOCK_DEPTH)
		p->clk_stack[p->clk_depth] = p->clk_cur;
	p->clk_depth++;
	clock_switch(p, to);
}

static void clock_leave(cf_pipeline *p)
{
	p->clk_depth--;
	clock_switch(p, p->clk_depth < CLOCK_DEPTH ? p->clk_stack[p->clk_depth]
	                                           : CLK_RUNNER);
}

/* ---- items and groups ------------------------------------------------- */

static void set_fatal(cf_pipeline *p, int rc, const cf_error *e, const cf_stage *st)
{
	if (p->fatal)
		return;
	p->fatal = rc;
	if (e && e->code)
		p->fatal_err = *e;
	else
		cf_error_set(&p->fatal_err, rc, "stage '%s' failed: %s",
		             st ? st->name : "?", cf_strerror(rc));
}

int cf_stage_fail(cf_stage *st, int code, const char *fmt, ...)
{
	cf_error e = { 0 };
	char msg[CF_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cf_error_set(&e, code, "%s", msg);
	set_fatal(st->p, code, &e, st);
	return code;
}

int cf_stage_failed(const cf_stage *st)
{
	return st->p ? st->p->fatal : 0;
}

void cf_stage_warn(cf_stage *st, const char *fmt, ...)
{
	va_list ap;

	(void)st;
	fputs("cfaug: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cf_item_free(cf_item *it)
{
	if (!it || !it->cf)    /* originals live inside their group */
		return;
	json_decref(it->cf);
	json_decref(it->generator);
	json_decref(it->notes);
	json_decref(it->detail);
	free(it->gen_edits);
	free(it->edit_spans);
	free(it->reason);
	free(it);
}

static void group_free(cf_group *g)
{
	cf_item *it, *next;

	for (it = g->accepted; it; it = next) {
		next = it->next;
		cf_item_free(it);
	}
	for (it = g->rejected; it; it = next) {
		next = it->next;
		cf_item_free(it);
	}
	json_decref(g->rec.fields);
	json_decref(g->original.notes);
	free(g->error);
	if (!g->raw_borrowed)
		free(g->raw);
	free(g);
}

static void deliver(cf_pipeline *p, unsigned idx, cf_item *it);

static void sink(cf_pipeline *p, cf_item *it)
{
	cf_group *g = it->group;

	if (it->cf) {
		it->next = g->accepted;
		g->accepted = it;
	} else {
		g->original_out = 1;
	}
	g->refs--;
}

static void deliver(cf_pipeline *p, unsigned idx, cf_item *it)
{
	unsigned want = it->cf ? CF_STAGE_CANDIDATES : CF_STAGE_ORIGINALS;
	cf_error e = { 0 };
	cf_stage *st;
	int rc;

	for (; idx < p->nstages; idx++) {
		st = &p->stages[idx];
		if (!(st->kind->flags & want))
			continue;
		if (it->cf)
			st->stats.in_candidates++;
		else
			st->stats.in_originals++;
		clock_enter(p, (int)idx);
		rc = st->kind->process(st, st->state, it, &e);
		clock_leave(p);
		if (rc < 0)
			set_fatal(p, rc, &e, st);
		return;
	}
	sink(p, it);
}

void cf_emit(cf_stage *st, cf_item *it)
{
	st->stats.emitted++;
	deliver(st->p, st->index + 1, it);
}

void cf_reject(cf_stage *st, cf_item *it, const char *reason, json_t *detail)
{
	cf_group *g = it->group;

	if (!it->cf) {   /* an original cannot be rejected: it was consumed */
		json_decref(detail);
		cf_consume(st, it);
		return;
	}
	free(it->reason);
	reason = reason ? reason : "rejected";
	if (!(it->reason = cf_utf8_valid_dup(reason, strlen(reason))))
		set_fatal(st->p, CF_ENOMEM, NULL, st);   /* never a wrong reason */
	json_decref(it->detail);
	it->detail = detail;
	it->reject_stage = st->index;
	it->next = g->rejected;
	g->rejected = it;
	st->stats.rejected++;
	g->refs--;
}

void cf_consume(cf_stage *st, cf_item *it)
{
	if (it->cf) {    /* a candidate cannot vanish silently */
		cf_reject(st, it, "consumed", NULL);
		return;
	}
	it->group->consumed = 1;
	st->stats.consumed++;
	it->group->refs--;
}

void cf_fail_record(cf_stage *st, cf_item *it, const char *reason)
{
	cf_group *g = it->group;

	st->stats.failed++;
	if (!g->is_error) {
		g->is_error = 1;
		reason = reason ? reason : "failed";
		if (!(g->error = cf_utf8_valid_dup(reason, strlen(reason))))
			set_fatal(st->p, CF_ENOMEM, NULL, st);
		g->error_stage = st->name;
	}
	if (it->cf) {
		cf_reject(st, it, "record_failed", NULL);
		st->stats.rejected--;   /* counted as failed, not as a rejection */
	} else {
		g->refs--;
	}
}

cf_item *cf_candidate_new(cf_stage *st, const cf_item *from)
{
	cf_pipeline *p = st->p;
	const cf_strlist *tf = &p->in.text_fields;
	const char *label = cf_item_label(from);
	cf_item *c = calloc(1, sizeof *c);
	size_t i;

	if (!c)
		return NULL;
	c->rec = from->rec;
	c->group = from->group;
	c->cf = json_object();
	c->generator = json_object();
	if (!c->cf || !c->generator)
		goto fail;
	for (i = 0; i < tf->n; i++) {
		json_t *v = json_object_get(from->cf ? from->cf : from->rec->fields, tf->v[i]);
		if (v && json_object_set(c->cf, tf->v[i], v) < 0)
			goto fail;
	}
	if (label && json_object_set_new(c->cf, "label", json_string(label)) < 0)
		goto fail;
	if (json_object_set_new(c->generator, "stage", json_string(st->name)) < 0 ||
	    json_object_set_new(c->generator, "kind", json_string(st->kind->name)) < 0)
		goto fail;
	c->gen_stage = st->index;
	c->gen_index = c->group->gen_count[st->index]++;
	c->group->refs++;
	st->stats.generated++;
	p->t.candidates++;
	return c;
fail:
	json_decref(c->cf);
	json_decref(c->generator);
	free(c);
	return NULL;
}

int cf_candidate_set_text(cf_item *c, const char *field, const char *text,
                          size_t len)
{
	int nul;
	/* jansson checks UTF-8 a byte at a time; cf_utf8_check runs ASCII eight
	 * bytes at a time and accepts a subset of what jansson accepts, so
	 * jansson only decides the rare rest (a NUL byte, invalid text) */
	json_t *s = cf_utf8_check(text, len, &nul) == len ? json_stringn_nocheck(text, len)
	                                                  : json_stringn(text, len);

	if (!s)
		return CF_EDATA;   /* not valid UTF-8 */
	return json_object_set_new(c->cf, field, s) < 0 ? CF_ENOMEM : 0;
}

int cf_candidate_set_label(cf_item *c, const char *label)
{
	return json_object_set_new(c->cf, "label", json_string(label)) < 0 ? CF_ENOMEM : 0;
}

int cf_stage_fields(const cf_pipeline_info *info, const cf_strlist *fields,
                    const cf_strlist **out, cf_error *err)
{
	size_t i, j;

	for (i = 0; i < fields->n; i++) {
		for (j = 0; j < info->text_fields->n; j++)
			if (strcmp(fields->v[i], info->text_fields->v[j]) == 0)
				break;
		if (j == info->text_fields->n)
			return cf_conf_error(err, info->conf_path, cf_node_get(info->node, "fields"),
			                     "'%s' is not one of input.text_fields", fields->v[i]);
	}
	*out = fields->n ? fields : info->text_fields;
	return 0;
}

const char *cf_stage_name(const cf_stage *st) { return st->name; }
unsigned cf_stage_index(const cf_stage *st) { return st->index; }
const cf_stage_kind *cf_stage_kind_of(const cf_stage *st) { return st->kind; }

/* ---- reading a record into a group ----------------------------------- */

static void count_kind(json_t *counts, const char *kind)
{
	json_t *v = json_object_get(counts, kind);

	if (v)   /* in place: no allocation per count */
		json_integer_set(v, json_integer_value(v) + 1);
	else
		json_object_set_new(counts, kind, json_integer(1));
}

/* Candidates and accepted per target label, label-changing ones only:
 * a filter that keeps the flips of one direction only is told at the end. */
static void count_target(json_t *by, cf_item *it, int accepted)
{
	const char *to = cf_item_label(it), *from = it->rec->label;
	json_t *o;

	if (!to || !from || !strcmp(to, from))
		return;
	if (!(o = json_object_get(by, to))) {
		o = json_pack("{s:I, s:I}", "candidates", (json_int_t)0, "accepted", (json_int_t)0);
		if (!o || json_object_set_new(by, to, o) < 0)
			return;   /* out of memory: a figure is lost, not the run */
	}
	count_kind(o, "candidates");
	if (accepted)
		count_kind(o, "accepted");
}

/* A field's value as text: a string is borrowed from the record's fields
 * (they live as long as the group), an integer is written in decimal into
 * buf (24 bytes); NULL for any other type.  No allocation per record. */
static const char *scalar_text(json_t *v, char *buf)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* Check a good raw record; on a data problem set g->error and *kind. */
static int validate(cf_pipeline *p, cf_group *g, const char **kind)
{
	const cf_input_conf *in = &p->in;
	char msg[512];
	json_t *v;
	size_t i;

	if (in->id_field) {
		const char *id;
		v = json_object_get(g->rec.fields, in->id_field);
		if (!v || !(id = scalar_text(v, g->idnum))) {
			snprintf(msg, sizeof msg, v ? "id field '%s' must be a string or an integer"
			                            : "missing id field '%s'", in->id_field);
			*kind = "bad_id";
			goto bad;
		}
		g->rec.id = id;   /* the record number stood in until now */
	}
	g->id_known = 1;
	for (i = 0; i < in->text_fields.n; i++) {
		v = json_object_get(g->rec.fields, in->text_fields.v[i]);
		if (!v || !json_is_string(v)) {
			snprintf(msg, sizeof msg, v ? "text field '%s' is not a string"
			                            : "missing text field '%s'", in->text_fields.v[i]);
			*kind = v ? "bad_text_field" : "missing_text_field";
			goto bad;
		}
	}
	if (in->label_field) {
		const char *label;
		v = json_object_get(g->rec.fields, in->label_field);
		if (!v || !(label = scalar_text(v, g->labnum))) {
			snprintf(msg, sizeof msg, v ? "label field '%s' must be a string or an integer"
			                            : "missing label field '%s'", in->label_field);
			*kind = "bad_label";
			goto bad;
		}
		g->rec.label = label;
		if (in->labels.n) {
			for (i = 0; i < in->labels.n; i++)
				if (strcmp(in->labels.v[i], label) == 0)
					break;
			if (i == in->labels.n) {
				size_t off = (size_t)snprintf(msg, sizeof msg,
				        "unknown label '%.*s' (expected one of ",
				        (int)cf_utf8_cut(label, strlen(label), 100), label);
				for (i = 0; i < in->labels.n && off < sizeof msg; i++)
					off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s",
					                        i ? ", " : "", in->labels.v[i]);
				if (off < sizeof msg - 1)
					strcat(msg, ")");
				*kind = "unknown_label";
				goto bad;
			}
		}
	}
	return 0;
bad:
	g->is_error = 1;
	cf_utf8_trim(msg);   /* the label list may have been cut at the end */
	g->error = strdup(msg);
	return g->error ? 1 : CF_ENOMEM;
}

/* v in decimal at buf (>= 21 bytes), NUL-terminated: once per record, so
 * not through printf. */
static void put_u64(char *buf, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*buf++ = tmp[--n];
	*buf = '\0';
}

static cf_group *group_new(cf_pipeline *p, cf_raw *raw, uint64_t seq)
{
	cf_group *g = calloc(1, sizeof *g + p->nstages * sizeof g->gen_count[0]);
	if (!g)
		return NULL;
	g->rec.seq = seq;
	g->rec.recno = raw->recno;
	g->rec.line = raw->line;
	g->rec.fields = raw->obj;   /* steals */
	raw->obj = NULL;
	g->original.rec = &g->rec;
	g->original.group = g;
	if (raw->text) {   /* copied by keep_raw() only if the group must wait */
		g->raw = (char *)raw->text;
		g->raw_len = raw->text_len;
		g->raw_borrowed = 1;
	}
	put_u64(g->idnum, raw->recno);
	g->rec.id = g->idnum;
	return g;
}

/* The reader's buffer moves on at the next read: a group that is still
 * waiting then needs its own copy of the raw text. */
static int keep_raw(cf_group *g)
{
	char *copy;

	if (!g || !g->raw_borrowed)
		return 0;
	if (!(copy = malloc(g->raw_len + 1)))
		return CF_ENOMEM;
	memcpy(copy, g->raw, g->raw_len);
	copy[g->raw_len] = '\0';
	g->raw = copy;
	g->raw_borrowed = 0;
	return 0;
}

/* ---- writing finished groups ------------------------------------------ */

/* "FILE:LINE: [stage S: ]reason" of a bad record, for the final message. */
static char *first_error_text(const cf_pipeline *p, const cf_group *g)
{
	char buf[400];

	snprintf(buf, sizeof buf, "%s:%ld: %s%s%s%s", strcmp(p->in.path, "-") ? p->in.path
	         : "stdin", g->rec.line, g->error_stage ? "stage " : "",
	         g->error_stage ? g->error_stage : "", g->error_stage ? ": " : "",
	         g->error ? g->error : "?");
	cf_utf8_trim(buf);
	return strdup(buf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count a candidate under each rule its generator names (rules stages
 * list them), as accepted (col 0) or rejected (col 1): the report's
 * pairs_by_rule says which rules a teacher downstream keeps. */
static void count_rules(json_t *by, const cf_item *it, int col)
{
	json_t *rules = it->generator ? json_object_get(it->generator, "rules") : NULL;
	size_t i;

	for (i = 0; by && json_is_array(rules) && i < json_array_size(rules); i++) {
		const char *name = json_string_value(json_array_get(rules, i));
		json_t *c;
		if (!name)
			continue;
		if (!(c = json_object_get(by, name))) {
			if (json_object_set_new(by, name, c = json_pack("[ii]", 0, 0)) < 0 || !c)
				continue;
		}
		json_t *n = json_array_get(c, (size_t)col);
		json_integer_set(n, json_integer_value(n) + 1);   /* in place: no allocation */
	}
}

static int finish_group(cf_pipeline *p, cf_group *g, cf_error *err)
{
	cf_item *it, *next;
	int rc;

	if (g->is_error) {
		/* a failed record: whatever it produced is rejected with it */
		int oom = 0;
		for (it = g->accepted; it; it = next) {
			next = it->next;
			free(it->reason);
			oom |= !(it->reason = strdup("record_failed"));
			it->reject_stage = it->gen_stage;
			it->next = g->rejected;
			g->rejected = it;
			g->accepted = next;   /* both lists stay whole at every step */
		}
		if (oom)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		p->t.errors++;
		if (g->error_stage)
			count_kind(p->error_kinds, "stage_failed");
		if (!p->first_error)
			p->first_error = first_error_text(p, g);
	} else {
		p->t.processed++;
		if (g->original_out)
			p->t.originals_out++;
		if (g->consumed)
			p->t.originals_consumed++;
		for (it = g->accepted; it; it = it->next)
			p->t.accepted++;
	}
	for (it = g->rejected; it; it = it->next) {
		p->t.rejected++;
		count_kind(p->reject_reasons, it->reason ? it->reason : "rejected");
	}
	if (!g->is_error) {
		for (it = g->accepted; it; it = it->next)
			count_target(p->by_target, it, 1);
		for (it = g->rejected; it; it = it->next)
			count_target(p->by_target, it, 0);
		for (it = g->accepted; it; it = it->next)
			count_rules(p->by_rule, it, 0);
		for (it = g->rejected; it; it = it->next)
			count_rules(p->by_rule, it, 1);
	}
	clock_enter(p, CLK_WRITER);
	rc = cf_output_write_group(p->output, g, err);
	clock_leave(p);
	return rc;
}

/* ---- a run that cannot do its job ---------------------------------------- */

void cf_stage_unable(cf_stage *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (st->unable)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cf_utf8_trim(msg);
	st->unable = strdup(msg);   /* NULL when out of memory: then the name alone */
	if (!st->unable)
		st->unable = strdup("");
}

/* The key with the largest count of a {key: count} object, and its count. */
static const char *dominant(json_t *counts, json_int_t *n)
{
	const char *key, *best = "?";
	json_t *v;

	*n = 0;
	json_object_foreach(counts, key, v)
		if (json_integer_value(v) > *n) {
			*n = json_integer_value(v);
			best = key;
		}
	return best;
}

/* Is every rejection one of failure (a reason ending in "_failed")? */
static int all_rejections_failed(json_t *reasons)
{
	const char *key;
	json_t *v;
	size_t n;

	json_object_foreach(reasons, key, v) {
		n = strlen(key);
		if (json_integer_value(v) && (n < 7 || strcmp(key + n - 7, "_failed") != 0))
			return 0;
	}
	return json_object_size(reasons) > 0;
}

/* A run that did not do its job is an error, not a success with empty
 * files: every record failed (data, exit 4), a stage said it could not work,
 * or every candidate failed (exit 1).  Its files are written all the same
 * (errors.jsonl and rejected.jsonl say why, record by record). */
static int check_useful(cf_pipeline *p, cf_error *err)
{
	const char *kind;
	json_int_t n;
	unsigned i;

	if (p->t.read > 0 && p->t.processed == 0) {
		kind = dominant(p->error_kinds, &n);
		return cf_error_set(err, CF_EDATA, "every record failed: %llu of %llu records "
		        "are errors, most of them %s (%lld); the first: %s", (unsigned long long)p->t.errors,
		        (unsigned long long)p->t.read, kind, (long long)n,
		        p->first_error ? p->first_error : "?");
	}
	for (i = 0; i < p->nstages; i++)
		if (p->stages[i].unable)
			return cf_error_set(err, CF_EUNABLE, "stage '%s' could not do its job%s%s",
			        p->stages[i].name,
			        *p->stages[i].unable ? ": " : "", p->stages[i].unable);
	if (p->t.candidates > 0 && p->t.accepted == 0 &&
	    all_rejections_failed(p->reject_reasons)) {
		kind = dominant(p->reject_reasons, &n);
		return cf_error_set(err, CF_EUNABLE, "no candidate survived: all %llu were "
		        "rejected as failures, most of them %s (%lld); see rejected.jsonl and "
		        "the report's stages", (unsigned long long)p->t.candidates,
		        kind, (long long)n);
	}
	return 0;
}

/* Write every finished group at the head of the FIFO. */
static int drain(cf_pipeline *p, cf_error *err)
{
	cf_group *g;
	int rc;

	while ((g = p->head) && g->refs == 0) {
		p->head = g->next;
		if (!p->head)
			p->tail = NULL;
		p->ngroups--;
		rc = finish_group(p, g, err);
		group_free(g);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* For a stage giving away many held items from flush(): write the
 * groups they finished now, not after the flush (issue 13: zfilter). */
void cf_stage_drain(cf_stage *st)
{
	cf_error e = { 0 };
	int rc;

	if (!st->p->fatal && (rc = drain(st->p, &e)) < 0)
		set_fatal(st->p, rc, &e, st);
}

/* Poll every async stage once; returns the number of items they hold. */
static int poll_stages(cf_pipeline *p, int timeout_ms)
{
	cf_error e = { 0 };
	unsigned i;
	int held = 0, n;

	for (i = 0; i < p->nstages && !p->fatal; i++) {
		cf_stage *st = &p->stages[i];
		if (!st->kind->poll)
			continue;
		clock_enter(p, (int)i);
		n = st->kind->poll(st, st->state, timeout_ms, &e);
		clock_leave(p);
		if (n < 0)
			set_fatal(p, n, &e, st);
		else
			held += n;
		st->held = n > 0 ? (unsigned)n : 0;
	}
	return held;
}

/* at_window: the window is full while reading (else: after the flush). */
static int stall_error(cf_pipeline *p, int at_window, cf_error *err)
{
	unsigned i;

	/* a stage that holds items until end of input by design fills the
	 * window on any input longer than it: a limit, not a bug */
	for (i = 0; at_window && i < p->nstages; i++)
		if (p->stages[i].kind->flags & CF_STAGE_HOLDS)
			return cf_error_set(err, CF_ELIMIT, "%zu records are unfinished "
			        "and stage '%s' holds candidates until end of input: "
			        "raise `window` (or --window) above the number of input "
			        "records", p->ngroups, p->stages[i].name);
	return cf_error_set(err, CF_EINTERNAL,
	        "record %llu (line %ld) is held by no stage but never finished",
	        (unsigned long long)p->head->rec.recno, p->head->rec.line);
}

/* Block until fewer than `window` records are unfinished.  With a stage
 * that holds items to the end of input (zfilter), every record after its
 * first held item stays unfinished whatever the window: that stage bounds
 * them itself (its max_held), so reading goes on as long as the
 * asynchronous stages have fewer than `window` items in flight. */
static int wait_window(cf_pipeline *p, size_t window, cf_error *err)
{
	int rc, timeout = p->holds ? 0 : 50;

	while (p->ngroups >= window && !p->fatal && !interrupted) {
		int held = poll_stages(p, timeout);
		maybe_progress(p);
		if ((rc = drain(p, err)) < 0)
			return rc;
		if (p->holds && (size_t)held < window)
			return 0;
		timeout = 50;
		if (held == 0 && p->ngroups >= window)
			return stall_error(p, 1, err);
	}
	return 0;
}

/* End of input: flush stages in order, so a stage's late items reach the
 * next stage before that one is flushed. */
static int flush_stages(cf_pipeline *p, cf_error *err)
{
	cf_error e = { 0 };
	unsigned i;
	int rc;

	for (i = 0; i < p->nstages && !p->fatal && !interrupted; i++) {
		cf_stage *st = &p->stages[i];
		if (st->kind->flush) {
			clock_enter(p, (int)i);
			rc = st->kind->flush(st, st->state, &e);
			clock_leave(p);
			if (rc < 0)
				set_fatal(p, rc, &e, st);
		}
		while (st->kind->poll && !p->fatal && !interrupted) {
			clock_enter(p, (int)i);
			rc = st->kind->poll(st, st->state, 100, &e);
			clock_leave(p);
			st->held = rc > 0 ? (unsigned)rc : 0;
			maybe_progress(p);
			if (rc < 0)
				set_fatal(p, rc, &e, st);
			if (rc <= 0)
				break;
		}
		if ((rc = drain(p, err)) < 0)
			return rc;
	}
	return 0;
}

/* ---- progress and report ---------------------------------------------- */

/* Network figures of an asynchronous stage from its report (requests,
 * responses, retries, tokens), added into sums[4]. */
static void stage_net(cf_stage *st, long long sums[4])
{
	json_t *r = json_object();

	if (!r || !st->kind->report || st->kind->report(st, st->state, r) < 0) {
		json_decref(r);
		return;
	}
	sums[0] += json_integer_value(json_object_get(r, "responses"));
	sums[1] += json_integer_value(json_object_get(r, "retries"));
	sums[2] += json_integer_value(json_object_get(r, "retry_after_honoured"));
	sums[3] += json_integer_value(json_object_get(json_object_get(r, "usage"), "total_tokens"));
	json_decref(r);
}

static void eta_text(char *buf, size_t n, double s)
{
	if (s >= 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, n, "%ds", (int)s);
}

/* The progress line on stderr: records read and done, candidates accepted
 * and rejected, requests of network stages, and an ETA from the input's
 * bytes when its size is known.  Drawn by maybe_progress on a timer. */
static void progress(cf_pipeline *p, double elapsed, int final)
{
	char line[512], eta[32];
	long long net[4] = { 0 };
	uint64_t done = p->t.processed + p->t.errors, held = 0, file_bytes;
	size_t off;
	int has_net = 0;

	off = (size_t)snprintf(line, sizeof line, "cfaug: %llu read (%.0f/s), %llu "
	        "done | %llu candidates: %llu accepted, %llu rejected",
	        (unsigned long long)p->t.read,
	        elapsed > 0 ? (double)p->t.read / elapsed : 0.0, (unsigned long long)done,
	        (unsigned long long)p->t.candidates, (unsigned long long)p->t.accepted,
	        (unsigned long long)p->t.rejected);
	for (unsigned i = 0; i < p->nstages; i++)
		if (p->stages[i].kind->poll && !(p->stages[i].kind->flags & CF_STAGE_LOCAL)) {
			has_net = 1;
			held += p->stages[i].held;
			stage_net(&p->stages[i], net);
		}
	if (has_net && off < sizeof line)
		off += (size_t)snprintf(line + off, sizeof line - off, " | requests: "
		        "%llu in flight, %lld done, %lld retried%s, %lld tokens",
		        (unsigned long long)held, net[0], net[1],
		        net[2] ? " (Retry-After)" : "", net[3]);
	file_bytes = p->prog_reader ? (cf_reader_file_bytes(p->prog_reader)
	             ? cf_reader_file_bytes(p->prog_reader) : cf_reader_bytes(p->prog_reader)) : 0;
	if (!final && p->prog_size && file_bytes && off < sizeof line) {
		double frac = (double)file_bytes / (double)p->prog_size;
		eta_text(eta, sizeof eta, elapsed * (1 - frac) / (frac > 0 ? frac : 1));
		off += (size_t)snprintf(line + off, sizeof line - off, " | %.0f%% ETA %s",
		                        frac > 1 ? 100.0 : frac * 100, eta);
	} else if (off < sizeof line) {
		off += (size_t)snprintf(line + off, sizeof line - off, " | %.1fs", elapsed);
	}
	/* \r and clear to the end of the line: the line may get shorter */
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	fflush(stderr);
}

/* Draw the progress line if a quarter second passed since the last one. */
static void maybe_progress(cf_pipeline *p)
{
	struct timespec ts;
	double now;

	if (!p->prog_on)
		return;
	now = now_s(&ts) - p->prog_t0;
	if (now - p->prog_last < 0.25)
		return;
	p->prog_last = now;
	progress(p, now, 0);
}

/* The report's counters, as data: key and offset of a uint64_t. */
typedef struct counter_field { const char *key; size_t off; } counter_field;

static const counter_field total_fields[] = {
	{ "records_read", offsetof(totals, read) },
	{ "records_processed", offsetof(totals, processed) },
	{ "records_errors", offsetof(totals, errors) },
	{ "records_other_shards", offsetof(totals, other_shards) },
	{ "originals_written", offsetof(totals, originals_out) },
	{ "originals_replaced", offsetof(totals, originals_consumed) },
	{ "candidates", offsetof(totals, candidates) },
	{ "accepted", offsetof(totals, accepted) },
	{ "rejected", offsetof(totals, rejected) },
};

static const counter_field stat_fields[] = {
	{ "in_originals", offsetof(cf_stage_stats, in_originals) },
	{ "in_candidates", offsetof(cf_stage_stats, in_candidates) },
	{ "generated", offsetof(cf_stage_stats, generated) },
	{ "emitted", offsetof(cf_stage_stats, emitted) },
	{ "rejected", offsetof(cf_stage_stats, rejected) },
	{ "consumed", offsetof(cf_stage_stats, consumed) },
	{ "failed", offsetof(cf_stage_stats, failed) },
};

static json_t *build_report(cf_pipeline *p, const cf_run_opts *o, double elapsed)
{
	char hex[65];
	json_t *r, *tot, *stages, *s;
	size_t i, k;

	cf_sha256_hex(p->conf->sha256, hex);
	r = json_object();
	json_object_set_new(r, "tool", json_string("cfaug"));
	json_object_set_new(r, "version", json_string(CFAUG_VERSION));
	json_object_set_new(r, "pipeline", json_pack("{s:s, s:s}", "path", p->conf->path,
	                                             "sha256", hex));
	json_object_set_new(r, "seed", json_integer(p->top.seed));
	if (p->dry_run)
		json_object_set_new(r, "dry_run", json_true());
	json_object_set_new(r, "input", json_pack("{s:s, s:s, s:s, s:I}", "path",
	                    p->in.path, "format", cf_format_name(p->format),
	                    "compression", p->compression, "bytes", (json_int_t)p->t.bytes));
	if (o->limit > 0)
		json_object_set_new(json_object_get(r, "input"), "limit",
		                    json_pack("{s:I, s:b}", "records", (json_int_t)o->limit,
		                              "cut", p->limited));
	json_object_set_new(r, "shard", o->shard_n ? json_pack("{s:i, s:i}", "k",
	                    (int)o->shard_k, "n", (int)o->shard_n) : json_null());
	tot = json_object();
	for (i = 0; i < sizeof total_fields / sizeof total_fields[0]; i++)
		json_object_set_new(tot, total_fields[i].key, json_integer((json_int_t)
		        *(const uint64_t *)((const char *)&p->t + total_fields[i].off)));
	json_object_set_new(r, "totals", tot);
	json_object_set(r, "errors_by_kind", p->error_kinds);
	json_object_set(r, "rejected_by_reason", p->reject_reasons);
	json_object_set(r, "flips_by_target", p->by_target);
	if (p->by_rule && json_object_size(p->by_rule)) {
		/* rules by name: one order whatever the data's (issue 12) */
		size_t nk = json_object_size(p->by_rule), q = 0;
		const char **keys = malloc(nk * sizeof *keys);
		json_t *br = json_object(), *c;
		const char *name;
		if (keys) {
			json_object_foreach(p->by_rule, name, c)
				keys[q++] = name;
			qsort(keys, nk, sizeof *keys, cmp_str);
		}
		for (q = 0; keys && q < nk; q++) {
			c = json_object_get(p->by_rule, keys[q]);
			json_int_t a = json_integer_value(json_array_get(c, 0));
			json_int_t rj = json_integer_value(json_array_get(c, 1));
			json_object_set_new(br, keys[q], json_pack("{s:I, s:I, s:f}", "accepted",
			                    a, "rejected", rj, "accepted_share",
			                    a + rj ? (double)a / (double)(a + rj) : 0.0));
		}
		free(keys);
		json_object_set_new(r, "pairs_by_rule", br);
	}
	stages = json_array();
	for (i = 0; i < p->nstages; i++) {
		cf_stage *st = &p->stages[i];
		s = json_object();
		json_object_set_new(s, "name", json_string(st->name));
		json_object_set_new(s, "type", json_string(st->kind->name));
		for (k = 0; k < sizeof stat_fields / sizeof stat_fields[0]; k++)
			json_object_set_new(s, stat_fields[k].key, json_integer((json_int_t)
			        *(const uint64_t *)((const char *)&st->stats + stat_fields[k].off)));
		json_object_set_new(s, "seconds", json_real(st->stats.seconds));
		if (st->kind->report)
			st->kind->report(st, st->state, s);
		json_array_append_new(stages, s);
	}
	json_object_set_new(r, "stages", stages);
	json_object_set_new(r, "timing", json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}",
	        "seconds", elapsed, "read_seconds", p->clk_other[-CLK_READER - 1],
	        "write_seconds", p->clk_other[-CLK_WRITER - 1],
	        "runner_seconds", p->clk_other[-CLK_RUNNER - 1],
	        "records_per_second", elapsed > 0 ? (double)p->t.read / elapsed : 0.0,
	        "mb_per_second", elapsed > 0 ? (double)p->t.bytes / 1e6 / elapsed : 0.0));
	return r;
}

/* report.files: the names of the files this run writes (output.files,
 * compression and augmented_format applied), for the summary, the dataset
 * card and `cfaug merge`. */
static int report_files(json_t *rep, const cf_output_layout *l)
{
	json_t *a = json_array();
	char name[64];

	for (int i = 0; i < CF_OUT_N; i++)
		if (!l->files || (l->files & (1u << i)))
			json_array_append_new(a, json_string(cf_output_file_name(l, i, name,
			                                                         sizeof name)));
	return json_object_set_new(rep, "files", a);
}

/* A JSON value could not be allocated somewhere (see json_alloc.c): the
 * output would silently lack it, so the run fails instead. */
static int json_oom(cf_error *err)
{
	return cf_error_set(err, CF_ENOMEM, "out of memory (a JSON value could not be made)");
}

/* ---- the loop ---------------------------------------------------------- */

static int in_shard(const cf_run_opts *o, const char *key)
{
	if (!o->shard_n)
		return 1;
	return cf_hash64(key, strlen(key), 0) % o->shard_n == o->shard_k - 1;
}

/* Duplicate and empty ids: counted (one warning at the end), or data
 * errors under input.unique_ids.  `1` and `"1"` are the same id (the id is
 * the value's text, as CSV would give it). */
static int check_id(cf_pipeline *p, cf_group *g, const char **kind)
{
	const char *why = NULL;
	int r;

	if (!*g->rec.id) {
		p->empty_ids++;
		why = "empty id";
		*kind = "empty_id";
	} else if ((r = cf_id_set_add(&p->ids, g->rec.id, strlen(g->rec.id))) < 0) {
		return CF_ENOMEM;
	} else if (r == 0) {
		if (!p->dup_ids++)
			p->first_dup_line = g->rec.line;
		why = "duplicate id (seen before in the input)";
		*kind = "duplicate_id";
	}
	if (!why || !p->in.unique_ids)
		return 0;
	g->is_error = 1;
	return (g->error = strdup(why)) ? 0 : CF_ENOMEM;
}

static void warn_ids(const cf_pipeline *p)
{
	if (p->in.unique_ids || (!p->dup_ids && !p->empty_ids))
		return;
	fprintf(stderr, "cfaug: warning: %s: %llu record%s with an id seen before "
	        "(the first at line %ld), %llu with an empty id: their pair_ids are not "
	        "unique; set input.unique_ids: true to make them errors\n", p->in.path,
	        (unsigned long long)p->dup_ids, p->dup_ids == 1 ? "" : "s",
	        p->first_dup_line, (unsigned long long)p->empty_ids);
}

static int read_one(cf_pipeline *p, cf_reader *r, const cf_run_opts *o,
                    uint64_t *seq, cf_error *err)
{
	cf_raw raw;
	cf_group *g = NULL;
	const char *kind = "unreadable";
	int rc;

	memset(&raw, 0, sizeof raw);
	clock_enter(p, CLK_READER);
	rc = cf_reader_next(r, &raw, err);
	clock_leave(p);
	if (rc < 0 || rc == CF_READ_EOF)
		return rc;
	if (!(g = group_new(p, &raw, *seq))) {
		json_decref(raw.obj);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	if (rc == CF_READ_BAD) {
		g->is_error = 1;
		if (!(g->error = strdup(raw.reason))) {
			group_free(g);
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		}
	} else if ((rc = validate(p, g, &kind)) < 0) {
		group_free(g);
		return cf_error_set(err, rc, "out of memory");
	}
	if (!in_shard(o, g->rec.id)) {
		p->t.other_shards++;
		group_free(g);
		return 1;
	}
	if (!g->is_error && p->in.id_field && (rc = check_id(p, g, &kind)) < 0) {
		group_free(g);
		return cf_error_set(err, rc, "out of memory");
	}
	p->t.read++;
	if (g->is_error) {
		count_kind(p->error_kinds, kind);
		if (p->in.on_error == CF_ON_ERROR_FAIL) {
			rc = cf_error_set(err, CF_EDATA, "%s:%ld: record %llu: %s",
			                  strcmp(p->in.path, "-") ? p->in.path : "stdin",
			                  g->rec.line, (unsigned long long)g->rec.recno, g->error);
			group_free(g);
			return rc;
		}
	}
	(*seq)++;
	if (p->tail)
		p->tail->next = g;
	else
		p->head = g;
	p->tail = g;
	p->ngroups++;
	if (!g->is_error) {
		g->refs = 2;      /* the original item + our hold while pushing */
		deliver(p, 0, &g->original);
		g->refs--;
	}
	return 1;
}

/* Open the input with the pipeline's reader options; say on stderr which
 * format stdin is read as when nothing said it. */
static int open_input(cf_pipeline *p, const cf_run_opts *o, cf_reader **r,
                      cf_error *err)
{
	cf_reader_opts ro = {
		.fmt = p->format,
		.max_record_bytes = (size_t)p->in.max_record_bytes,
		.columns = (const char *const *)p->in.columns.v,
		.ncolumns = p->in.columns.n,
		.no_quotes = !p->in.quotes,
	};

	if (p->stdin_assumed && !o->quiet)
		fprintf(stderr, "cfaug: reading stdin as %s (set input.format to "
		        "jsonl, csv or tsv to say otherwise)\n", cf_format_name(p->format));
	return cf_reader_open_opts(r, p->in.path, &ro, err);
}

int cf_pipeline_run(cf_pipeline *p, const cf_run_opts *o, json_t **report,
                    cf_error *err)
{
	cf_reader *r = NULL;
	cf_output_layout layout;
	struct timespec ts;
	double t0, elapsed;
	struct stat sb;
	size_t window = o->window > 0 ? (size_t)o->window : (size_t)p->top.window;
	uint64_t seq = 0, tick = 0, taken = 0;
	json_t *rep = NULL;
	int rc;

	if (report)
		*report = NULL;
	interrupted = 0;
	(void)cf_json_oom_take();   /* a failure before this run is not ours */
	p->error_kinds = json_object();
	p->by_rule = json_object();
	p->reject_reasons = json_object();
	p->by_target = json_object();
	p->clk_cur = CLK_RUNNER;
	t0 = now_s(&p->clk_last);
	if ((rc = open_input(p, o, &r, err)) < 0)
		goto done;
	p->prog_on = o->progress;
	p->prog_t0 = t0;
	p->prog_last = 0;
	p->prog_reader = r;
	p->prog_size = strcmp(p->in.path, "-") && stat(p->in.path, &sb) == 0 &&
	               S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
	memset(&layout, 0, sizeof layout);
	layout.text_fields = &p->in.text_fields;
	layout.label_field = p->in.label_field;
	layout.input_name = strcmp(p->in.path, "-") ? p->in.path : "stdin";
	layout.stages = p->stages;
	layout.raw_splice = p->format == CF_FMT_JSONL;
	layout.files = p->files_mask;
	layout.compress = p->out.compress;
	layout.aug_delim = p->aug_delim;
	layout.discard = p->dry_run;   /* a dry run writes no output file */
	layout.input_path = p->in.path;
	if ((rc = cf_output_open(&p->output, p->out.dir, &layout, err)) < 0)
		goto done;

	for (;;) {
		if (interrupted) {
			rc = cf_error_set(err, CF_EINTR, "interrupted; no output was committed");
			goto done;
		}
		if ((rc = wait_window(p, window, err)) < 0)
			goto done;
		if (p->fatal)
			break;
		if ((rc = read_one(p, r, o, &seq, err)) < 0)
			goto done;
		if (cf_json_oom_take()) {
			rc = json_oom(err);
			goto done;
		}
		if (rc == CF_READ_EOF)
			break;
		if (o->limit > 0 && ++taken >= (uint64_t)o->limit) {
			p->limited = 1;   /* --limit: the first N records, like EOF */
			break;
		}
		tick++;
		if (p->has_async && (tick & 15) == 0)
			poll_stages(p, 0);
		if ((rc = drain(p, err)) < 0)
			goto done;
		if (keep_raw(p->tail) < 0) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if ((tick & 63) == 0 || p->has_async)
			maybe_progress(p);
	}
	if (!p->fatal && (rc = flush_stages(p, err)) < 0)
		goto done;
	if (cf_json_oom_take()) {
		rc = json_oom(err);
		goto done;
	}
	if (interrupted) {
		rc = cf_error_set(err, CF_EINTR, "interrupted; no output was committed");
		goto done;
	}
	if (p->fatal) {
		rc = cf_error_set(err, p->fatal, "%s", p->fatal_err.msg);
		goto done;
	}
	if ((rc = drain(p, err)) < 0)
		goto done;
	if (p->ngroups) {
		rc = stall_error(p, 0, err);
		goto done;
	}
	/* nothing lost: the figures must add up, or we have a bug */
	if (p->t.read != p->t.processed + p->t.errors ||
	    p->t.candidates != p->t.accepted + p->t.rejected) {
		rc = cf_error_set(err, CF_EINTERNAL, "totals do not reconcile: read %llu, "
		        "processed %llu, errors %llu, candidates %llu, accepted %llu, rejected %llu",
		        (unsigned long long)p->t.read, (unsigned long long)p->t.processed,
		        (unsigned long long)p->t.errors, (unsigned long long)p->t.candidates,
		        (unsigned long long)p->t.accepted, (unsigned long long)p->t.rejected);
		goto done;
	}
	p->t.bytes = cf_reader_bytes(r);
	p->compression = cf_reader_compression(r);
	clock_switch(p, CLK_RUNNER);
	elapsed = now_s(&ts) - t0;
	if (o->progress)
		progress(p, elapsed, 1);
	if (!(rep = build_report(p, o, elapsed)) || report_files(rep, &layout) < 0 ||
	    json_object_set_new(rep, "card", p->card && !p->dry_run && strcmp(p->out.dir, "-")
	                        ? json_string("README.md") : json_null()) < 0 ||
	    cf_json_oom_take()) {
		rc = json_oom(err);
		goto done;
	}
	warn_ids(p);
	rc = cf_output_commit(p->output, rep, err);
	if (rc == 0 && p->card && !p->dry_run && strcmp(p->out.dir, "-"))
		rc = cf_card_write(p->out.dir, rep, p->conf, err);
	if (rc == 0)
		rc = check_useful(p, err);
done:
	/* A failed run leaves groups queued: stages may still hold their
	 * items, so the groups are freed by cf_pipeline_free() after every
	 * stage's destroy() has let go of them. */
	cf_output_free(&p->output);
	p->prog_reader = NULL;
	cf_reader_close(&r);
	json_decref(p->error_kinds);
	json_decref(p->by_rule);
	p->by_rule = NULL;
	json_decref(p->reject_reasons);
	json_decref(p->by_target);
	p->error_kinds = p->reject_reasons = NULL;
	free(p->first_error);
	p->first_error = NULL;
	cf_id_set_free(&p->ids);
	p->dup_ids = p->empty_ids = 0;
	if (rc >= 0 && report)
		*report = rep;
	else
		json_decref(rep);
	return rc < 0 ? rc : 0;
}
