/*
 * eval_read.c - the input layouts of `cfaug eval` (see eval.h): cfaug's pairs.jsonl,
 * flat files grouped by --pair-key or in --block N (with --originals),
 * all through the streaming readers; bad records are told and counted.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "eval_int.h"

/* ---- units and groups ------------------------------------------------- */

static void unit_clear(unit *u)
{
	size_t f;

	for (f = 0; f < CF_EVAL_MAX_FIELDS; f++)
		free(u->texts[f]);
	free(u->label);
	json_decref(u->generator);
	memset(u, 0, sizeof *u);
}

void ev_group_clear(eval *e)
{
	size_t i;

	unit_clear(&e->orig);
	for (i = 0; i < e->ncf; i++)
		unit_clear(&e->cfs[i]);
	e->ncf = 0;
	e->have_group = 0;
}

void ev_tell_bad(eval *e, const char *path, long line, const char *why)
{
	/* one reason is told once: a wrong field name would fill the screen */
	if (!strcmp(why, e->last_bad)) {
		++e->bad;
		if (!e->last_bad_repeats++)
			fprintf(stderr, "cfaug eval: %s: from line %ld on, records skipped "
			        "for the same reason are counted quietly\n", path, line);
		return;
	}
	snprintf(e->last_bad, sizeof e->last_bad, "%s", why);
	e->last_bad_repeats = 0;
	if (++e->bad <= MAX_TOLD)
		fprintf(stderr, "cfaug eval: %s:%ld: skipped: %s\n", path, line, why);
	else if (e->bad == MAX_TOLD + 1)
		fprintf(stderr, "cfaug eval: more bad records, counting them "
		        "quietly\n");
}

/* A label value (string or integer) as a new string; NULL if absent. */
char *ev_label_of(const json_t *v)
{
	char buf[32];

	if (json_is_string(v) && json_string_length(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	return NULL;
}

/* Append to why what the record has instead of the missing key: a key
 * differing only in case, else the record's keys, and the option to set. */
static void key_hint(const json_t *o, const char *want, const char *opt,
                     char *why, size_t wsz)
{
	size_t n = strlen(why), k = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
		if (!strcasecmp(key, want)) {
			snprintf(why + n, wsz - n, " ('%s' differs only in case: %s %s)",
			         key, opt, key);
			return;
		}
	n += (size_t)snprintf(why + n, wsz - n, " (the record has:");
	json_object_foreach((json_t *)o, key, v) {
		if (n >= wsz || k++ == 8)
			break;
		n += (size_t)snprintf(why + n, wsz - n, "%s %s", k > 1 ? "," : "", key);
	}
	if (n < wsz)
		snprintf(why + n, wsz - n, "; set %s)", opt);
}

/* Fill u from object o: the text fields, the label from label_field.
 * Returns 0, 1 with why set (bad record), or CF_ENOMEM. */
static int unit_from(eval *e, unit *u, const json_t *o, const char *label_field,
                     char *why, size_t wsz)
{
	size_t f;
	json_t *lv;

	for (f = 0; f < e->nf; f++) {
		json_t *t = json_object_get(o, e->fields[f]);

		if (!json_is_string(t)) {
			snprintf(why, wsz, "text field '%s' %s", e->fields[f],
			         t ? "is not a string" : "is missing");
			if (!t)
				key_hint(o, e->fields[f], "--text-field", why, wsz);
			return 1;
		}
		u->lens[f] = json_string_length(t);
		if (!(u->texts[f] = malloc(u->lens[f] + 1)))
			return CF_ENOMEM;
		memcpy(u->texts[f], json_string_value(t), u->lens[f] + 1);
	}
	lv = json_object_get(o, label_field);
	if (!(u->label = ev_label_of(lv))) {
		if (lv && !json_is_string(lv) && !json_is_integer(lv)) {
			snprintf(why, wsz, "label field '%s' is not a string or integer",
			         label_field);
			return 1;
		}
		snprintf(why, wsz, "label field '%s' is missing or empty", label_field);
		if (!lv)
			key_hint(o, label_field, "--label-field", why, wsz);
		return 1;
	}
	return 0;
}

static int is_control(const eval *e, const json_t *gen, const json_t *rec)
{
	const json_t *src = rec ? rec : gen;
	json_t *k = json_object_get(gen, "kind"), *v;
	char *eq;
	int r;

	if (json_is_string(k) && !strcmp(json_string_value(k), "paraphrase"))
		return 1;
	if (json_is_true(json_object_get(gen, "control")))
		return 1;
	if (!e->a->control_key)
		return 0;
	eq = strchr(e->a->control_key, '=');
	{
		char key[256];
		size_t n = (size_t)(eq - e->a->control_key);

		if (n >= sizeof key)
			return 0;
		memcpy(key, e->a->control_key, n);
		key[n] = 0;
		v = json_object_get(src, key);
	}
	if (json_is_string(v))
		return !strcmp(json_string_value(v), e->a->control_value);
	if (json_is_boolean(v))
		return !strcmp(json_is_true(v) ? "true" : "false", e->a->control_value);
	if (json_is_integer(v)) {
		char b[32];

		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
		r = !strcmp(b, e->a->control_value);
		return r;
	}
	return 0;
}

static unit *new_cf(eval *e)
{
	if (ev_grow((void **)&e->cfs, &e->capcf, e->ncf + 1, sizeof *e->cfs) < 0)
		return NULL;
	memset(&e->cfs[e->ncf], 0, sizeof *e->cfs);
	return &e->cfs[e->ncf++];
}

/* ---- reading ---------------------------------------------------------- */

int ev_open_reader(cf_reader **rd, const char *path, const char *format,
                       cf_error *err)
{
	cf_format fmt = format ? cf_format_from_name(format) :
	                cf_format_from_path(path);

	if (fmt == CF_FMT_AUTO)
		return format ?
		       cf_error_set(err, CF_EUSAGE, "--format: unknown format '%s' "
		                    "(jsonl, csv or tsv)", format) :
		       cf_error_set(err, CF_EUSAGE, "%s: cannot tell the format from "
		                    "the name; use --format jsonl|csv|tsv", path);
	return cf_reader_open(rd, path, fmt, CF_MAX_RECORD_BYTES_DEFAULT, err);
}

/* Next good record of rd as a new reference (bad ones told, skipped). */
int ev_next_obj(eval *e, cf_reader *rd, const char *path, json_t **obj,
                    long *line, cf_error *err)
{
	cf_raw raw;
	int rc;

	for (;;) {
		*obj = NULL;
		rc = cf_reader_next(rd, &raw, err);
		if (rc < 0 || rc == CF_READ_EOF)
			return rc;
		if (rc == CF_READ_BAD) {
			ev_tell_bad(e, path, raw.line, raw.reason);
			continue;
		}
		e->records++;
		*obj = raw.obj;
		*line = raw.line;
		return CF_READ_OK;
	}
}

static json_t *flat_generator(const eval *e, const json_t *rec)
{
	json_t *g = json_pack("{s:s}", "kind", "given");
	json_t *v;

	if (g && e->a->generator_field &&
	    json_is_string(v = json_object_get(rec, e->a->generator_field)))
		json_object_set(g, "stage", v);
	return g;
}

int ev_read_pairs(eval *e, cf_reader *rd, cf_error *err)
{
	char *group_id = NULL, why[300];
	json_t *obj = NULL;
	long line;
	int rc;

	while ((rc = ev_next_obj(e, rd, e->a->input, &obj, &line, err)) == CF_READ_OK) {
		json_t *o = json_object_get(obj, "original"),
		       *c = json_object_get(obj, "counterfactual"),
		       *g = json_object_get(obj, "generator"),
		       *oid = json_object_get(obj, "orig_id");
		const char *id = json_is_string(oid) ? json_string_value(oid) : NULL;
		unit *u;

		why[0] = 0;
		if (!json_is_object(o) || !json_is_object(c))
			snprintf(why, sizeof why, "not a pair: 'original' and "
			         "'counterfactual' objects expected (flat file? use "
			         "--pair-key or --block)");
		else if (!id)
			snprintf(why, sizeof why, "pair without a string 'orig_id'");
		if (why[0])
			goto bad;
		if (!e->have_group || strcmp(id, group_id)) {
			if ((rc = ev_score_group(e, err)) < 0) {
				json_decref(obj);   /* the record that opened the next group */
				goto done;
			}
			free(group_id);
			if (!(group_id = strdup(id)))
				goto nomem;
			e->have_group = 1;
			if ((rc = unit_from(e, &e->orig, o, "label", why, sizeof why)) < 0)
				goto nomem;
			e->orig.line = line;
			if (rc) {
				ev_group_clear(e);
				goto bad;
			}
		}
		if (!(u = new_cf(e)))
			goto nomem;
		u->line = line;
		if ((rc = unit_from(e, u, c, "label", why, sizeof why)) < 0)
			goto nomem;
		if (rc) {
			unit_clear(u);
			e->ncf--;
			goto bad;
		}
		u->generator = json_is_object(g) ? json_incref(g) : json_object();
		u->control = is_control(e, u->generator, NULL);
		json_decref(obj);
		continue;
bad:
		ev_tell_bad(e, e->a->input, line, why);
		json_decref(obj);
	}
	if (rc >= 0)
		rc = ev_score_group(e, err);
	goto done;
nomem:
	json_decref(obj);
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	free(group_id);
	return rc;
}

/* Flat files: --pair-key, or --block with or without --originals. */
int ev_read_flat(eval *e, cf_reader *rd, cf_error *err)
{
	const args *a = e->a;
	const char *lf = e->label_field;
	const char *tf = a->target_field ? a->target_field : lf;
	cf_reader *ord = NULL;
	char *group_key = NULL, why[300], kbuf[64];
	json_t *obj = NULL;
	long line, inblock = 0;
	int rc;

	if (a->originals && (rc = ev_open_reader(&ord, a->originals, a->format,
	                                      err)) < 0)
		return rc;
	while ((rc = ev_next_obj(e, rd, a->input, &obj, &line, err)) == CF_READ_OK) {
		int starts = 0, as_orig = 0;
		const char *key = NULL;
		unit *u;

		why[0] = 0;
		if (a->pair_key) {
			json_t *kv = json_object_get(obj, a->pair_key);

			if (json_is_string(kv)) {
				key = json_string_value(kv);
			} else if (json_is_integer(kv)) {
				snprintf(kbuf, sizeof kbuf, "%lld",
				         (long long)json_integer_value(kv));
				key = kbuf;
			} else {
				snprintf(why, sizeof why, "pair key '%s' is missing or not "
				         "a string", a->pair_key);
				ev_tell_bad(e, a->input, line, why);
				json_decref(obj);
				continue;
			}
			/* by key alone: after a bad original its group stays skipped */
			starts = !group_key || strcmp(key, group_key);
			as_orig = starts;
		} else {
			starts = inblock == 0;
			as_orig = starts && !a->originals;
			inblock = (inblock + 1) % a->block;
		}
		if (starts) {
			if ((rc = ev_score_group(e, err)) < 0) {
				json_decref(obj);   /* the record that opened the next group */
				goto done;
			}
			free(group_key);
			group_key = NULL;
			if (key && !(group_key = strdup(key)))
				goto nomem;
			e->have_group = 1;
			if (ord) {
				json_t *oo = NULL;
				long oline;

				/* the block's original from --originals */
				rc = ev_next_obj(e, ord, a->originals, &oo, &oline, err);
				if (rc < 0) {
					json_decref(obj);
					goto done;
				}
				if (rc == CF_READ_EOF) {
					rc = cf_error_set(err, CF_EDATA, "%s: more blocks of %ld "
					                  "than originals in %s (line %ld)",
					                  a->input, a->block, a->originals, line);
					json_decref(obj);
					goto done;
				}
				rc = unit_from(e, &e->orig, oo, lf, why, sizeof why);
				json_decref(oo);
				e->orig.line = oline;
				if (rc < 0)
					goto nomem;
				if (rc) {
					/* a bad original: its block is skipped whole */
					ev_tell_bad(e, a->originals, oline, why);
					e->have_group = 0;
					unit_clear(&e->orig);
				}
			}
		}
		if (!e->have_group) {
			json_decref(obj);
			continue;
		}
		if (as_orig) {
			rc = unit_from(e, &e->orig, obj, lf, why, sizeof why);
			e->orig.line = line;
			if (rc < 0)
				goto nomem;
			if (rc) {
				/* without its original the group cannot be judged */
				ev_tell_bad(e, a->input, line, why);
				e->have_group = 0;
				unit_clear(&e->orig);
			}
			json_decref(obj);
			continue;
		}
		if (!(u = new_cf(e)))
			goto nomem;
		u->line = line;
		if ((rc = unit_from(e, u, obj, tf, why, sizeof why)) < 0)
			goto nomem;
		if (rc) {
			unit_clear(u);
			e->ncf--;
			ev_tell_bad(e, a->input, line, why);
			json_decref(obj);
			continue;
		}
		if (!(u->generator = flat_generator(e, obj)))
			goto nomem;
		u->control = is_control(e, u->generator, obj);
		json_decref(obj);
	}
	if (rc < 0)
		goto done;
	if (a->block && inblock)
		fprintf(stderr, "cfaug eval: %s: the last block has %ld of %ld "
		        "records\n", a->input, inblock, a->block);
	if (ord) {
		/* originals the blocks did not use: the wrong file, or the wrong N */
		cf_raw raw;
		uint64_t extra = 0;

		while ((rc = cf_reader_next(ord, &raw, err)) == CF_READ_OK ||
		       rc == CF_READ_BAD) {
			extra++;
			json_decref(raw.obj);
		}
		if (rc < 0)
			goto done;
		if (extra)
			ev_warn(e, "%s has %llu more records than the blocks of %ld in "
			        "%s use: is it the right file, and the right --block?",
			        a->originals, (unsigned long long)extra, a->block,
			        a->input);
	}
	rc = ev_score_group(e, err);
	goto done;
nomem:
	json_decref(obj);
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	free(group_key);
	cf_reader_close(&ord);
	return rc;
}
