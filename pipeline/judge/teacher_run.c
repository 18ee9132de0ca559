/*
 * teacher_run.c - the built-in teacher's train, eval and predict runs
 * (teacher_run.h says what each reads, writes and returns); `cfaug teacher`
 * (cli/cmd_teacher.c) is their command line.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cfaug/reader.h"
#include "json_write.h"
#include "teacher_policy.h"
#include "teacher_run.h"

#define MAX_REASONS 16   /* distinct reasons told, each once, then counted */
#define MAX_MAP CF_TEACHER_MAX_MAP

/* the names this code had in cli/cmd_teacher.c */
typedef cf_teacher_opts args;
typedef cf_teacher_map name_map;

typedef struct reason {
	char why[512];
	long line;          /* first record with it */
	uint64_t recno, count;
} reason;

typedef struct source {
	const char *path;
	cf_reader *rd;
	uint64_t bad;
	long line;          /* of the last good record */
	uint64_t recno;
	const char *text;   /* JSONL: the record's line, else NULL (borrowed,
	                       valid until the next record) */
	size_t text_len;
	const char *fields[CF_LM_MAX_FIELDS];
	size_t lens[CF_LM_MAX_FIELDS];
	char labelbuf[32];
	reason reasons[MAX_REASONS];
	size_t nreasons;
	uint64_t more_reasons;    /* bad records of reasons past the table */
	const char *group_field;  /* train: read each record's group key */
	int group_auto;           /* group_field was not given: orig_id if the
	                             first record has it, else none */
	const char *group;        /* the record's key, NULL: none (borrowed) */
	size_t group_len;
	char groupbuf[32];
	uint64_t grouped, ungrouped;
} source;

/* Parse "A=B,C=D" into m (names non-empty, each model name once). */
int cf_teacher_map_parse(name_map *m, const char *opt, const char *v, cf_error *err)
{
	char *p, *item, *save = NULL;
	size_t i;

	free(m->buf);
	memset(m, 0, sizeof *m);
	if (!(m->buf = strdup(v)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (p = m->buf; (item = strtok_r(p, ",", &save)); p = NULL) {
		char *eq = strchr(item, '=');

		if (!eq || eq == item || !eq[1])
			return cf_error_set(err, CF_EUSAGE, "%s: '%s' is not MODEL=DATA",
			                    opt, item);
		if (m->n == MAX_MAP)
			return cf_error_set(err, CF_EUSAGE, "%s: more than %d pairs", opt,
			                    MAX_MAP);
		*eq = 0;
		for (i = 0; i < m->n; i++)
			if (!strcmp(m->from[i], item))
				return cf_error_set(err, CF_EUSAGE, "%s: '%s' mapped twice",
				                    opt, item);
		m->from[m->n] = item;
		m->to[m->n++] = eq + 1;
	}
	if (!m->n)
		return cf_error_set(err, CF_EUSAGE, "%s: empty map", opt);
	return 0;
}

/* The data's name for the model's name (itself when not mapped). */
static const char *map_to(const name_map *m, const char *model_name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->from[i], model_name))
			return m->to[i];
	return model_name;
}

/* The model's name for the data's name (itself when not mapped). */
static const char *map_from(const name_map *m, const char *data_name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->to[i], data_name))
			return m->from[i];
	return data_name;
}

static int source_open(source *s, const args *a, cf_error *err)
{
	cf_format fmt = a->format ? cf_format_from_name(a->format) :
	                cf_format_from_path(a->input);

	memset(s, 0, sizeof *s);
	s->path = a->input;
	if (fmt == CF_FMT_AUTO)
		return a->format ?
		       cf_error_set(err, CF_EUSAGE, "--format: unknown format '%s' "
		                    "(jsonl, csv or tsv)", a->format) :
		       cf_error_set(err, CF_EUSAGE, "%s: cannot tell the format from "
		                    "the name; use --format jsonl|csv|tsv", a->input);
	return cf_reader_open(&s->rd, a->input, fmt, CF_MAX_RECORD_BYTES_DEFAULT,
	                      err);
}

/* A skipped record: each distinct reason is told once, with its first
 * line; the rest are counted and summed up by tell_bad_total. */
static void tell_bad(source *s, long line, uint64_t recno, const char *why)
{
	size_t i;
	reason *r;

	s->bad++;
	for (i = 0; i < s->nreasons; i++)
		if (!strcmp(s->reasons[i].why, why)) {
			s->reasons[i].count++;
			return;
		}
	if (s->nreasons == MAX_REASONS) {
		if (!s->more_reasons++)
			fprintf(stderr, "cfaug teacher: %s: more kinds of bad records, "
			        "counting them quietly\n", s->path);
		return;
	}
	r = &s->reasons[s->nreasons++];
	snprintf(r->why, sizeof r->why, "%s", why);
	r->line = line;
	r->recno = recno;
	r->count = 1;
	fprintf(stderr, "cfaug teacher: %s:%ld: record %llu skipped: %s\n",
	        s->path, line, (unsigned long long)recno, why);
}

static void tell_bad_total(const source *s)
{
	size_t i;

	for (i = 0; i < s->nreasons; i++)
		if (s->reasons[i].count > 1)
			fprintf(stderr, "cfaug teacher: %s: %llu records skipped (first "
			        "at line %ld): %s\n", s->path,
			        (unsigned long long)s->reasons[i].count,
			        s->reasons[i].line, s->reasons[i].why);
	if (s->bad)
		fprintf(stderr, "cfaug teacher: %s: %llu bad record%s skipped\n",
		        s->path, (unsigned long long)s->bad, s->bad == 1 ? "" : "s");
}

/* A key of obj equal to name but for case, or NULL (borrowed). */
static const char *case_twin(json_t *obj, const char *name)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (!strcasecmp(key, name) && strcmp(key, name))
			return key;
	return NULL;
}

/* The record's group key into s->group (NULL: none): a string, or an
 * integer written out.  With the field not named, the first record
 * decides: orig_id (cfaug's augmented.jsonl) if it has one. */
static void read_group(source *s, json_t *obj)
{
	json_t *g;

	s->group = NULL;
	if (s->group_auto) {
		s->group_auto = 0;
		if (json_object_get(obj, "orig_id"))
			s->group_field = "orig_id";
	}
	if (!s->group_field)
		return;
	g = json_object_get(obj, s->group_field);
	if (json_is_string(g) && json_string_length(g) > 0) {
		s->group = json_string_value(g);
		s->group_len = json_string_length(g);
	} else if (json_is_integer(g)) {
		s->group_len = (size_t)snprintf(s->groupbuf, sizeof s->groupbuf,
		                                "%lld", (long long)json_integer_value(g));
		s->group = s->groupbuf;
	}
	if (s->group)
		s->grouped++;
	else
		s->ungrouped++;
}

/* The next good record: texts of fields[] in s->fields/lens and, when
 * label_field is set, its label.  Bad records are told and skipped.
 * Returns CF_READ_OK with *obj a new reference, CF_READ_EOF, or <0. */
static int source_next(source *s, const char *const *fields, size_t nfields,
                       const char *label_field, json_t **obj,
                       const char **label, cf_error *err)
{
	cf_raw raw;
	size_t f;
	int rc;

	for (;;) {
		char why[512];
		json_t *lv;

		*obj = NULL;
		rc = cf_reader_next(s->rd, &raw, err);
		if (rc < 0 || rc == CF_READ_EOF)
			return rc;
		if (rc == CF_READ_BAD) {
			tell_bad(s, raw.line, raw.recno, raw.reason);
			continue;
		}
		why[0] = 0;
		for (f = 0; f < nfields && !why[0]; f++) {
			json_t *t = json_object_get(raw.obj, fields[f]);

			if (!json_is_string(t)) {
				const char *twin = t ? NULL : case_twin(raw.obj, fields[f]);

				if (twin)
					snprintf(why, sizeof why, "text field '%.80s' is missing; "
					         "the record has '%.80s', which differs only in case "
					         "(--field-map %.80s=%.80s)", fields[f], twin,
					         fields[f], twin);
				else
					snprintf(why, sizeof why, "text field '%s' %s", fields[f],
					         t ? "is not a string" : "is missing");
				break;
			}
			s->fields[f] = json_string_value(t);
			s->lens[f] = json_string_length(t);
		}
		if (!why[0] && label_field) {
			lv = json_object_get(raw.obj, label_field);
			if (json_is_string(lv) && json_string_length(lv) > 0) {
				*label = json_string_value(lv);
			} else if (json_is_integer(lv)) {
				snprintf(s->labelbuf, sizeof s->labelbuf, "%lld",
				         (long long)json_integer_value(lv));
				*label = s->labelbuf;
			} else if (!lv && case_twin(raw.obj, label_field)) {
				snprintf(why, sizeof why, "label field '%.100s' is missing; the "
				         "record has '%.100s', which differs only in case",
				         label_field, case_twin(raw.obj, label_field));
			} else {
				snprintf(why, sizeof why, "label field '%s' %s", label_field,
				         lv ? "is not a string or integer" : "is missing");
			}
		}
		if (why[0]) {
			tell_bad(s, raw.line, raw.recno, why);
			json_decref(raw.obj);
			continue;
		}
		read_group(s, raw.obj);
		*obj = raw.obj;
		s->text = raw.text;
		s->text_len = raw.text_len;
		s->line = raw.line;
		s->recno = raw.recno;
		return CF_READ_OK;
	}
}

#define TBATCH_RECS  2048        /* training records tokenised per batch */
#define TBATCH_BYTES (8u << 20)

/* Training records gathered for cf_lm_data_add_batch: texts and labels
 * copied into one arena (offsets until the batch is handed over). */
typedef struct tbatch {
	size_t n, nf;
	cf_jbuf arena;
	size_t off[TBATCH_RECS * (CF_LM_MAX_FIELDS + 1)];
	size_t lens[TBATCH_RECS * CF_LM_MAX_FIELDS];
	const char *ptr[TBATCH_RECS * CF_LM_MAX_FIELDS];
	const char *labels[TBATCH_RECS];
	size_t goff[TBATCH_RECS];       /* SIZE_MAX: no group */
	size_t glen[TBATCH_RECS];
	const char *groups[TBATCH_RECS];
	int any_group;
} tbatch;

static int tbatch_flush(tbatch *b, cf_lm_data *d, int threads, cf_error *err)
{
	size_t i, f, nf = b->nf, first;
	int rc;

	for (i = 0; i < b->n; i++) {
		for (f = 0; f < nf; f++)
			b->ptr[i * nf + f] = b->arena.p + b->off[i * (nf + 1) + f];
		b->labels[i] = b->arena.p + b->off[i * (nf + 1) + nf];
	}
	for (i = 0; i < b->n; i++)
		b->groups[i] = b->goff[i] == SIZE_MAX ? NULL : b->arena.p + b->goff[i];
	first = cf_lm_data_count(d);
	rc = cf_lm_data_add_batch(d, b->n, b->ptr, b->lens, b->labels, threads,
	                          err);
	if (rc >= 0 && b->any_group)
		rc = cf_lm_data_set_groups(d, first, b->n, b->groups, b->glen, err);
	b->n = 0;
	b->any_group = 0;
	b->arena.len = 0;
	return rc;
}

/* How the dev split was grouped, on stderr (only when there is one). */
static void tell_groups(const source *s, const cf_lm_report *rep,
                        const cf_lm_opts *o)
{
	if (!s->group_field || !(o->dev_split > 0))
		return;
	fprintf(stderr, "cfaug teacher: dev split by '%s': %zu groups",
	        s->group_field, rep->ngroups);
	if (s->ungrouped)
		fprintf(stderr, " (%llu records without '%s', each its own)",
		        (unsigned long long)s->ungrouped, s->group_field);
	fprintf(stderr, "\n");
}

static int do_train(const args *a, cf_error *err)
{
	const char *deff[1] = { "text" };
	const char *const *fields = a->nfields ? a->fields : deff;
	size_t nf = a->nfields ? a->nfields : 1;
	cf_lm_data *d = NULL;
	cf_lm *m = NULL;
	cf_lm_report rep;
	source s = { 0 };
	json_t *obj = NULL;
	const char *label = NULL;
	tbatch *b = NULL;
	const char *why;
	size_t f;
	int rc;

	if ((rc = cf_lm_data_new(&d, fields, nf, &a->opts, err)) < 0 ||
	    (rc = cf_lm_data_set_label_field(d, a->label_field, err)) < 0 ||
	    (rc = source_open(&s, a, err)) < 0)
		goto done;
	s.group_field = a->group_field;
	s.group_auto = !a->group_field;
	if (!(b = calloc(1, sizeof *b))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	b->nf = nf;
	b->arena.max = TBATCH_BYTES + 4 * (size_t)CF_MAX_RECORD_BYTES_DEFAULT;
	/* records are copied into batches; each batch is tokenised on two
	 * threads while the model is built in input order */
	while ((rc = source_next(&s, fields, nf, a->label_field, &obj, &label,
	                         err)) == CF_READ_OK) {
		size_t i = b->n++;

		for (f = 0; f < nf && rc >= 0; f++) {
			b->off[i * (nf + 1) + f] = b->arena.len;
			b->lens[i * nf + f] = s.lens[f];
			if (cf_jbuf_put(&b->arena, s.fields[f], s.lens[f]) < 0 ||
			    cf_jbuf_put(&b->arena, "", 1) < 0)
				rc = -1;
		}
		b->off[i * (nf + 1) + nf] = b->arena.len;
		if (rc >= 0 && cf_jbuf_put(&b->arena, label, strlen(label) + 1) < 0)
			rc = -1;
		b->goff[i] = SIZE_MAX;
		if (s.group) {
			b->goff[i] = b->arena.len;
			b->glen[i] = s.group_len;
			b->any_group = 1;
			if (rc >= 0 && (cf_jbuf_put(&b->arena, s.group, s.group_len) < 0 ||
			                cf_jbuf_put(&b->arena, "", 1) < 0))
				rc = -1;
		}
		json_decref(obj);
		if (rc < 0) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if ((b->n == TBATCH_RECS || b->arena.len >= TBATCH_BYTES) &&
		    (rc = tbatch_flush(b, d, a->opts.threads, err)) < 0)
			goto done;
	}
	if (rc < 0 || (b->n && (rc = tbatch_flush(b, d, a->opts.threads, err)) < 0))
		goto done;
	tell_bad_total(&s);
	if (!cf_lm_data_count(d)) {
		rc = cf_error_set(err, CF_EDATA, "%s: no usable records", a->input);
		goto done;
	}
	if (a->group_field && !s.grouped) {
		rc = cf_error_set(err, CF_EDATA, "%s: --group-field '%s': no record "
		                  "has it", a->input, a->group_field);
		goto done;
	}
	if ((rc = cf_lm_train(&m, d, &a->opts, &rep, err)) < 0 ||
	    (rc = cf_lm_save(m, a->output, err)) < 0)
		goto done;
	fprintf(stderr, "cfaug teacher: trained on %zu records (%zu dev), "
	        "%zu features, %d iterations (kept %d), train loss %.4f",
	        rep.ntrain, rep.ndev, rep.nfeatures, rep.iterations,
	        rep.best_iteration, rep.train_loss);
	if (rep.ndev)
		fprintf(stderr, ", dev loss %.4f, dev accuracy %.4f", rep.dev_loss,
		        rep.dev_accuracy);
	if (rep.refit_iterations)
		fprintf(stderr, ", refit on all %zu records for %d iterations",
		        rep.ntrain + rep.ndev, rep.refit_iterations);
	fprintf(stderr, ", %ld passes; wrote %s\n", rep.evaluations, a->output);
	tell_groups(&s, &rep, &a->opts);
	if ((why = cf_lm_report_degenerate(&rep, &a->opts)))
		fprintf(stderr, "cfaug teacher: WARNING: %s looks degenerate: %s "
		        "(%s accuracy %.4f, commonest label %.4f, %zu of %zu labels "
		        "predicted, kept iteration %d).  Paired rows (an original and "
		        "its counterfactual) split across train and dev do this: give "
		        "their shared key with --group-field, or train with "
		        "--dev-split 0\n", a->output, why,
		        rep.check_on_dev ? "dev" : "training", rep.check_accuracy,
		        rep.check_majority, rep.check_classes, rep.check_labels,
		        rep.best_iteration);
done:
	if (b)
		cf_jbuf_free(&b->arena);
	free(b);
	cf_reader_close(&s.rd);
	cf_lm_data_free(&d);
	cf_lm_free(&m);
	return rc;
}

/* The model's labels as "A, B, C" (a static buffer, cut when long). */
static const char *model_labels(const cf_lm *m)
{
	static char buf[200];
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < cf_lm_nlabels(m) && n < sizeof buf - 8; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? ", " : "",
		                      cf_lm_label(m, i));
	if (n >= sizeof buf - 8)
		snprintf(buf + sizeof buf - 8, 8, ", ...");
	return buf;
}

/* Why a gold label is not the model's: it may differ only in case. */
static void unknown_label(const args *a, const cf_lm *m, const char *label,
                          char *why, size_t n)
{
	size_t i;

	for (i = 0; i < cf_lm_nlabels(m); i++)
		if (!strcasecmp(cf_lm_label(m, i), label)) {
			snprintf(why, n, "label '%.60s' differs from the model's '%.60s' "
			         "only in case (--label-map %.60s=%.60s)", label,
			         cf_lm_label(m, i), cf_lm_label(m, i), label);
			return;
		}
	snprintf(why, n, "label '%.60s' is not one of the model's (%.100s)%s", label,
	         model_labels(m), a->label_map.n ? " nor mapped by --label-map" : "");
}

/* Text fields for eval/predict: the command line's, else the model's
 * (through --field-map). */
static const char *const *model_fields(const args *a, const cf_lm *m,
                                       const char **buf, size_t *nf,
                                       cf_error *err)
{
	size_t i;

	for (i = 0; i < a->field_map.n; i++) {
		size_t f;
		int known = cf_lm_label_field(m) &&
		            !strcmp(a->field_map.from[i], cf_lm_label_field(m));

		for (f = 0; f < cf_lm_nfields(m); f++)
			known |= !strcmp(a->field_map.from[i], cf_lm_field(m, f));
		if (!known) {
			cf_error_set(err, CF_EUSAGE, "--field-map: '%s' is not a field of "
			             "%s (its fields: %s%s%s)", a->field_map.from[i],
			             a->model, cf_lm_field(m, 0),
			             cf_lm_nfields(m) > 1 ? ", ..." : "",
			             cf_lm_label_field(m) ? " and its label field" : "");
			return NULL;
		}
	}
	if (a->nfields) {
		if (a->nfields != cf_lm_nfields(m)) {
			cf_error_set(err, CF_EUSAGE, "%s has %zu text field%s, "
			             "--text-field given %zu times", a->model,
			             cf_lm_nfields(m), cf_lm_nfields(m) == 1 ? "" : "s",
			             a->nfields);
			return NULL;
		}
		*nf = a->nfields;
		return a->fields;
	}
	for (i = 0; i < cf_lm_nfields(m); i++)
		buf[i] = map_to(&a->field_map, cf_lm_field(m, i));
	*nf = cf_lm_nfields(m);
	return buf;
}

/* Every model name of --label-map must be one of the model's labels. */
static int check_label_map(const args *a, const cf_lm *m, cf_error *err)
{
	size_t i;

	for (i = 0; i < a->label_map.n; i++)
		if (cf_lm_label_index(m, a->label_map.from[i]) < 0)
			return cf_error_set(err, CF_EUSAGE, "--label-map: '%s' is not a "
			                    "label of %s (%s)", a->label_map.from[i],
			                    a->model, model_labels(m));
	return 0;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

static int print_eval(const args *a, const cf_lm *m, const uint64_t *conf,
                      uint64_t n, uint64_t bad, cf_error *err)
{
	size_t K = cf_lm_nlabels(m), i, j;
	double macro = 0, acc;
	uint64_t right = 0;
	json_t *out = json_object(), *per = json_object(), *mat = json_array(),
	       *names = json_array();
	int rc = 0;

	for (i = 0; i < K; i++)
		right += conf[i * K + i];
	acc = ratio((double)right, (double)n);
	if (a->human)
		printf("records %llu  accuracy %.4f", (unsigned long long)n, acc);
	for (i = 0; i < K; i++) {
		uint64_t tp = conf[i * K + i], row = 0, col = 0;
		double p, r, f;
		json_t *mr = json_array();

		for (j = 0; j < K; j++) {
			row += conf[i * K + j];
			col += conf[j * K + i];
			json_array_append_new(mr, json_integer((json_int_t)conf[i * K + j]));
		}
		p = ratio((double)tp, (double)col);
		r = ratio((double)tp, (double)row);
		f = ratio(2 * p * r, p + r);
		macro += f;
		json_object_set_new(per, cf_lm_label(m, i),
		                    json_pack("{s:f,s:f,s:f,s:I}", "precision", p,
		                              "recall", r, "f1", f, "support",
		                              (json_int_t)row));
		json_array_append_new(mat, mr);
		json_array_append_new(names, json_string(cf_lm_label(m, i)));
	}
	macro /= (double)K;
	if (a->human) {
		printf("  macro-F1 %.4f  bad records %llu\n\n", macro,
		       (unsigned long long)bad);
		printf("%-20s %9s %9s %9s %9s\n", "label", "precision", "recall",
		       "f1", "support");
		for (i = 0; i < K; i++) {
			json_t *o = json_object_get(per, cf_lm_label(m, i));

			printf("%-20.20s %9.4f %9.4f %9.4f %9lld\n", cf_lm_label(m, i),
			       json_real_value(json_object_get(o, "precision")),
			       json_real_value(json_object_get(o, "recall")),
			       json_real_value(json_object_get(o, "f1")),
			       (long long)json_integer_value(json_object_get(o, "support")));
		}
		printf("\nconfusion (rows: gold, columns: predicted)\n%-20s", "");
		for (j = 0; j < K; j++)
			printf(" %12.12s", cf_lm_label(m, j));
		printf("\n");
		for (i = 0; i < K; i++) {
			printf("%-20.20s", cf_lm_label(m, i));
			for (j = 0; j < K; j++)
				printf(" %12llu", (unsigned long long)conf[i * K + j]);
			printf("\n");
		}
	} else {
		json_object_set_new(out, "records", json_integer((json_int_t)n));
		json_object_set_new(out, "bad_records", json_integer((json_int_t)bad));
		json_object_set_new(out, "accuracy", json_real(acc));
		json_object_set_new(out, "macro_f1", json_real(macro));
		json_object_set(out, "labels", per);
		json_object_set_new(out, "confusion",
		                    json_pack("{s:O,s:O}", "labels", names, "matrix", mat));
		if (json_dumpf(out, stdout, JSON_INDENT(2)) < 0)
			rc = cf_error_set(err, CF_EIO, "stdout: write failed");
		printf("\n");
	}
	json_decref(out);
	json_decref(per);
	json_decref(mat);
	json_decref(names);
	return rc;
}

/* A model this right on the data it is evaluated on has likely been
 * trained on it: the figure says nothing of new data (same words as the
 * teacher stage's warning). */
static void warn_overfit(const args *a, const cf_lm *m, const uint64_t *conf,
                         uint64_t n)
{
	size_t K = cf_lm_nlabels(m), i;
	unsigned long long right = 0;
	char what[256], note[512];

	for (i = 0; i < K; i++)
		right += conf[i * K + i];
	snprintf(what, sizeof what, "records of %s", a->input);
	if (cf_overfit_note(note, sizeof note, right, n, what))
		fprintf(stderr, "cfaug teacher: warning: the model is %s; this accuracy "
		        "says little of new data (evaluate on records it was not "
		        "trained on)\n", note);
}

static int do_eval(const args *a, cf_error *err)
{
	const char *fbuf[CF_LM_MAX_FIELDS];
	const char *const *fields;
	const char *label_field;
	cf_lm *m = NULL;
	source s = { 0 };
	json_t *obj;
	const char *label = NULL;
	uint64_t *conf = NULL, n = 0;
	double *probs = NULL;
	size_t nf, K, k, best;
	int rc;

	if ((rc = cf_lm_load(&m, a->model, err)) < 0)
		goto done;
	if (!(fields = model_fields(a, m, fbuf, &nf, err))) {
		rc = err->code;
		goto done;
	}
	/* the label field: the command line's, else the model's */
	label_field = a->label_field ? a->label_field :
	              cf_lm_label_field(m) ?
	              map_to(&a->field_map, cf_lm_label_field(m)) : "label";
	if ((rc = check_label_map(a, m, err)) < 0)
		goto done;
	K = cf_lm_nlabels(m);
	if (!(conf = calloc(K * K, sizeof *conf)) ||
	    !(probs = malloc(K * sizeof *probs))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = source_open(&s, a, err)) < 0)
		goto done;
	while ((rc = source_next(&s, fields, nf, label_field, &obj, &label,
	                         err)) == CF_READ_OK) {
		int gold = cf_lm_label_index(m, map_from(&a->label_map, label));

		if (gold < 0) {
			char why[512];

			unknown_label(a, m, label, why, sizeof why);
			tell_bad(&s, s.line, s.recno, why);
			json_decref(obj);
			continue;
		}
		rc = cf_lm_predict_len(m, s.fields, s.lens, nf, probs);
		json_decref(obj);
		if (rc < 0) {
			cf_error_set(err, rc, "out of memory");
			goto done;
		}
		for (best = 0, k = 1; k < K; k++)
			if (probs[k] > probs[best])
				best = k;
		conf[(size_t)gold * K + best]++;
		n++;
	}
	if (rc < 0)
		goto done;
	tell_bad_total(&s);
	if (!n) {
		rc = cf_error_set(err, CF_EDATA, "%s: no usable records", a->input);
		goto done;
	}
	rc = print_eval(a, m, conf, n, s.bad, err);
	warn_overfit(a, m, conf, n);
done:
	cf_reader_close(&s.rd);
	cf_lm_free(&m);
	free(conf);
	free(probs);
	return rc;
}

#define OUT_FLUSH   (1u << 20)   /* bytes of output gathered per write */
#define BATCH_RECS  1024         /* records scored per batch ... */
#define BATCH_BYTES (4u << 20)   /* ... or this many bytes of JSONL lines */

/* One output line into out: the record with "probs" (po, updated) and
 * "pred".  A JSONL line t[0..n) without those keys is copied as read,
 * with them spliced in before its closing brace; otherwise (or t NULL) the
 * object is written again with them set.  0, or -1 out of memory. */
static int put_prediction(cf_jbuf *out, const char *t, size_t n,
                          json_t *obj, json_t *po, const char *pred)
{
	int more = json_object_size(obj) > 0;

	while (t && n > 0 && t[n - 1] != '}')
		n--;
	if (t && n > 0 && !json_object_get(obj, "probs") &&
	    !json_object_get(obj, "pred")) {
		if (cf_jbuf_put(out, t, n - 1) < 0 ||
		    (more ? cf_jbuf_put(out, ",\"probs\":", 9) :
		            cf_jbuf_put(out, "\"probs\":", 8)) < 0 ||
		    cf_json_write(out, po) < 0 ||
		    cf_jbuf_put(out, ",\"pred\":", 8) < 0 ||
		    cf_json_write_string(out, pred, strlen(pred)) < 0)
			return -1;
		return cf_jbuf_put(out, "}\n", 2);
	}
	if (json_object_set(obj, "probs", po) < 0 ||
	    json_object_set_new(obj, "pred", json_string(pred)) < 0 ||
	    cf_json_write(out, obj) < 0)
		return -1;
	return cf_jbuf_put(out, "\n", 1);
}

static int flush_out(cf_jbuf *out, cf_error *err)
{
	if (out->len && fwrite(out->p, 1, out->len, stdout) != out->len)
		return cf_error_set(err, CF_EIO, "stdout: write failed");
	out->len = 0;
	return 0;
}

/* A batch of records read ahead, so their scoring can be shared by two
 * threads; reading and writing stay in order on the main thread. */
typedef struct batch {
	const cf_lm *m;
	const name_map *lmap;          /* predictions in the data's names */
	size_t nf, K, n;
	json_t *obj[BATCH_RECS];
	const char *fields[BATCH_RECS][CF_LM_MAX_FIELDS];  /* borrowed from obj */
	size_t lens[BATCH_RECS][CF_LM_MAX_FIELDS];
	size_t line[BATCH_RECS + 1];   /* offsets in lines; SIZE_MAX: none */
	cf_jbuf lines;                 /* copies of the JSONL lines */
	double *probs;                 /* BATCH_RECS x K */
} batch;

typedef struct score_job {
	batch *b;
	size_t lo, hi;
	int rc;
} score_job;

static void *score_run(void *arg)
{
	score_job *j = arg;
	size_t i;

	for (i = j->lo; i < j->hi && j->rc == 0; i++)
		j->rc = cf_lm_predict_len(j->b->m, j->b->fields[i], j->b->lens[i],
		                          j->b->nf, j->b->probs + i * j->b->K);
	return NULL;
}

/* Score the batch: the second half on another thread when threads > 1
 * (inline if it cannot start).  0 or CF_ENOMEM. */
static int score_batch(batch *b, int threads)
{
	score_job j[2] = { { b, 0, b->n, 0 }, { b, b->n, b->n, 0 } };
	pthread_t th;
	int started = 0;

	if (threads > 1 && b->n >= 16) {
		j[0].hi = j[1].lo = b->n / 2;
		started = pthread_create(&th, NULL, score_run, &j[1]) == 0;
	}
	score_run(&j[0]);
	if (started)
		pthread_join(th, NULL);
	else
		score_run(&j[1]);
	return j[0].rc < 0 ? j[0].rc : j[1].rc;
}

/* Write the batch's lines into out (flushing as it fills) and release its
 * records. */
static int write_batch(batch *b, cf_jbuf *out, json_t *po, json_t **pv,
                       cf_error *err)
{
	size_t i, k, best;
	int rc = 0;

	for (i = 0; i < b->n; i++) {
		const double *p = b->probs + i * b->K;
		const char *t = b->line[i] == SIZE_MAX ? NULL :
		                b->lines.p + b->line[i];

		for (best = 0, k = 0; k < b->K; k++) {
			json_real_set(pv[k], p[k]);
			if (p[k] > p[best])
				best = k;
		}
		if (rc == 0 && put_prediction(out, t, t ? b->line[i + 1] - b->line[i] : 0,
		                              b->obj[i], po,
		                              map_to(b->lmap, cf_lm_label(b->m, best))) < 0)
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		if (rc == 0 && out->len >= OUT_FLUSH)
			rc = flush_out(out, err);
		json_decref(b->obj[i]);
	}
	b->n = 0;
	b->lines.len = 0;
	return rc;
}

static int do_predict(const args *a, cf_error *err)
{
	const char *fbuf[CF_LM_MAX_FIELDS];
	const char *const *fields;
	cf_lm *m = NULL;
	source s = { 0 };
	json_t *obj, *po = NULL, **pv = NULL;
	cf_jbuf out = { 0 };
	batch *b = NULL;
	size_t nf, K, k;
	uint64_t scored = 0;
	int rc, rd;

	if ((rc = cf_lm_load(&m, a->model, err)) < 0)
		goto done;
	if (!(fields = model_fields(a, m, fbuf, &nf, err))) {
		rc = err->code;
		goto done;
	}
	K = cf_lm_nlabels(m);
	/* one probs object, its reals updated for every record */
	if (!(b = calloc(1, sizeof *b)) ||
	    !(b->probs = malloc(BATCH_RECS * K * sizeof *b->probs)) ||
	    !(pv = calloc(K, sizeof *pv)) || !(po = json_object()))
		goto nomem;
	b->m = m;
	b->nf = nf;
	b->K = K;
	b->lines.max = BATCH_BYTES + 2 * CF_MAX_RECORD_BYTES_DEFAULT;
	if ((rc = check_label_map(a, m, err)) < 0)
		goto done;
	b->lmap = &a->label_map;
	for (k = 0; k < K; k++)
		if (!(pv[k] = json_real(0)) ||
		    json_object_set_new(po, map_to(&a->label_map, cf_lm_label(m, k)),
		                        pv[k]) < 0)
			goto nomem;
	out.max = (size_t)1 << 30;
	if ((rc = source_open(&s, a, err)) < 0)
		goto done;
	for (;;) {
		rd = source_next(&s, fields, nf, NULL, &obj, NULL, err);
		if (rd == CF_READ_OK) {
			size_t i = b->n++;

			scored++;
			b->obj[i] = obj;
			memcpy(b->fields[i], s.fields, nf * sizeof *s.fields);
			memcpy(b->lens[i], s.lens, nf * sizeof *s.lens);
			b->line[i] = s.text ? b->lines.len : SIZE_MAX;
			if (s.text && cf_jbuf_put(&b->lines, s.text, s.text_len) < 0)
				goto nomem;
			b->line[i + 1] = b->lines.len;
			if (b->n < BATCH_RECS && b->lines.len < BATCH_BYTES)
				continue;
		} else if (rd < 0) {
			rc = rd;
			goto done;
		}
		/* a full batch, or the end */
		if (b->n && (rc = score_batch(b, a->opts.threads)) < 0)
			goto nomem;
		if (b->n && (rc = write_batch(b, &out, po, pv, err)) < 0)
			goto done;
		if (rd == CF_READ_EOF)
			break;
	}
	tell_bad_total(&s);
	if ((rc = flush_out(&out, err)) < 0)
		goto done;
	/* a wrong --text-field makes every record bad: not a success */
	if (!scored && s.bad) {
		rc = cf_error_set(err, CF_EDATA, "%s: every record failed (%llu bad, none "
		                  "scored): see the reasons above", s.path,
		                  (unsigned long long)s.bad);
		goto done;
	}
	if (fflush(stdout) != 0)
		rc = cf_error_set(err, CF_EIO, "stdout: write failed");
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	if (b) {
		for (k = 0; k < b->n; k++)
			json_decref(b->obj[k]);
		cf_jbuf_free(&b->lines);
		free(b->probs);
		free(b);
	}
	cf_reader_close(&s.rd);
	cf_lm_free(&m);
	json_decref(po);
	cf_jbuf_free(&out);
	free(pv);
	return rc;
}

void cf_teacher_map_free(cf_teacher_map *m)
{
	free(m->buf);
	memset(m, 0, sizeof *m);
}

void cf_teacher_opts_default(cf_teacher_opts *o)
{
	memset(o, 0, sizeof *o);
	cf_lm_opts_default(&o->opts);
}

int cf_teacher_train(const cf_teacher_opts *o, cf_error *err)
{
	return do_train(o, err);
}

int cf_teacher_eval(const cf_teacher_opts *o, cf_error *err)
{
	return do_eval(o, err);
}

int cf_teacher_predict(const cf_teacher_opts *o, cf_error *err)
{
	return do_predict(o, err);
}
