/*
 * options.c - option tables: a stage's YAML mapping into its state.
 *
 * A table row says key, type, offset into the state, default and flags
 * (include/cfaug/conf.h); this file is the one place that turns located
 * nodes into typed fields, so every stage gets the same strictness and the
 * same messages: unknown keys (with a did-you-mean by edit distance),
 * wrong types, out-of-range values, missing required keys, each with the
 * FILE:LINE:COL of the offending node.
 *
 * Typing is strict in the YAML-schema sense: a quoted scalar is a string and
 * is never read as a number or a bool; a plain null (`key:`, `~`) means
 * "absent" so the default applies.  Defaults are written as the YAML text a
 * user would type and parsed by the same code, so a bad default in a table
 * is a bug (CF_EINTERNAL) found on first use, not a silent zero.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cfaug/conf.h"

#define EXCERPT_MAX 40   /* characters of a bad value quoted in a message */

const char *cf_node_type_name(cf_node_type t)
{
	switch (t) {
	case CF_NODE_SCALAR: return "scalar";
	case CF_NODE_SEQ:    return "sequence";
	case CF_NODE_MAP:    return "mapping";
	}
	return "node";
}

/* ---- scalar conversions ---------------------------------------------------- */

static int plain_scalar(const cf_node *n)
{
	return n && n->type == CF_NODE_SCALAR && !n->quoted && n->len > 0;
}

int cf_node_to_long(const cf_node *n, long *out)
{
	const char *s;
	char *end;
	long v;

	if (!plain_scalar(n))
		return -1;
	s = n->str;
	/* strtol would skip blanks and accept 0x only with base 0: check first */
	if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || end != n->str + n->len)
		return -1;
	*out = v;
	return 0;
}

int cf_node_to_double(const cf_node *n, double *out)
{
	const char *s;
	char *end;
	double v;

	if (!plain_scalar(n))
		return -1;
	s = n->str;
	/* no hex floats, inf or nan: strtod takes them, YAML users mean none */
	if (!(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')) ||
	    strpbrk(s, "xXnNiI"))
		return -1;
	v = strtod(s, &end);
	if (end == s || end != n->str + n->len || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int cf_node_to_bool(const cf_node *n, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	int i;

	if (!plain_scalar(n))
		return -1;
	for (i = 0; yes[i]; i++) {
		if (strcasecmp(n->str, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(n->str, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* ---- lists and maps -------------------------------------------------------- */

void cf_strlist_free(cf_strlist *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void cf_strmap_free(cf_strmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->n = 0;
}

const char *cf_strmap_get(const cf_strmap *m, const char *key)
{
	size_t i;

	if (!m || !key)
		return NULL;
	for (i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}

static void free_maplist(const cf_option *o, cf_maplist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		cf_options_free(o->sub, (char *)l->v + i * o->size);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- messages --------------------------------------------------------------- */

/* What the user wrote, for "got ...": one line, short. */
static void describe(const cf_node *n, char *buf, size_t size)
{
	char ex[EXCERPT_MAX * 2 + 4];
	size_t i, o = 0;

	if (n->type != CF_NODE_SCALAR) {
		snprintf(buf, size, "a %s", cf_node_type_name(n->type));
		return;
	}
	if (cf_node_is_null(n)) {
		snprintf(buf, size, "an empty value");
		return;
	}
	for (i = 0; i < n->len && i < EXCERPT_MAX; i++) {
		unsigned char c = (unsigned char)n->str[i];
		ex[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < n->len) {
		memcpy(ex + o, "...", 3);
		o += 3;
	}
	ex[o] = '\0';
	snprintf(buf, size, "%s'%s'", n->quoted ? "a quoted string " : "", ex);
}

/* " in input", " in stages.1", " at top level". */
static void where(const cf_node *map, char *buf, size_t size)
{
	char path[200];

	if (!map || !map->parent) {
		snprintf(buf, size, " at top level");
		return;
	}
	cf_node_path(map, path, sizeof path);
	snprintf(buf, size, " in %s", path);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[65], prev, tmp;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The table key nearest to key within distance 2, or NULL. */
static const char *nearest(const cf_option *table, const char *key)
{
	const char *best = NULL;
	size_t bestd = 3, d;

	for (; table->key; table++) {
		d = edit_distance(key, table->key);
		if (d < bestd) {
			bestd = d;
			best = table->key;
		}
	}
	return best;
}

/* ---- setting one option ----------------------------------------------------- */

static int bad_type(const cf_option *o, const cf_node *n, const char *file,
                    const char *want, cf_error *err)
{
	char got[EXCERPT_MAX * 2 + 40];

	describe(n, got, sizeof got);
	return cf_conf_error(err, file, n, "'%s' must be %s, got %s", o->key,
	                     want, got);
}

/* STRLIST/MAPLIST: count items within min..max when max > 0. */
static int check_count(const cf_option *o, const cf_node *n, size_t count,
                       const char *file, const char *what, cf_error *err)
{
	if (o->max <= 0 || (count >= o->min && count <= o->max))
		return 0;
	if (o->min == o->max)
		return cf_conf_error(err, file, n, "'%s' must be a list of %.0f %s, "
		                     "got %zu", o->key, o->max, what, count);
	return cf_conf_error(err, file, n, "'%s' must be a list of %.0f to %.0f "
	                     "%s, got %zu", o->key, o->min, o->max, what, count);
}

static int set_strlist(const cf_option *o, cf_strlist *dst, const cf_node *n,
                       const char *file, cf_error *err)
{
	cf_strlist l = { NULL, 0 };
	size_t i, count = n->type == CF_NODE_SCALAR ? 1 : n->nkids;
	char got[EXCERPT_MAX * 2 + 40];
	int rc = 0;

	if (n->type == CF_NODE_MAP)
		return bad_type(o, n, file, "a string or a list of strings", err);
	if (count && !(l.v = calloc(count, sizeof *l.v))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < count; i++) {
		const cf_node *it = n->type == CF_NODE_SCALAR ? n : n->kids[i];
		if (it->type != CF_NODE_SCALAR || cf_node_is_null(it)) {
			describe(it, got, sizeof got);
			rc = cf_conf_error(err, file, it,
			                   "items of '%s' must be strings, got %s",
			                   o->key, got);
			goto done;
		}
		if ((o->flags & CF_OPT_NONEMPTY) && it->len == 0) {
			rc = cf_conf_error(err, file, it,
			                   "items of '%s' must not be empty", o->key);
			goto done;
		}
		if (!(l.v[l.n] = strdup(it->str))) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		l.n++;
	}
	if ((rc = check_count(o, n, count, file, "strings", err)) < 0)
		goto done;
	cf_strlist_free(dst);
	*dst = l;
	l.v = NULL;
	l.n = 0;
done:
	cf_strlist_free(&l);
	return rc;
}

static int set_strmap(const cf_option *o, cf_strmap *dst, const cf_node *n,
                      const char *file, cf_error *err)
{
	cf_strmap m = { NULL, NULL, 0 };
	size_t i, count;
	char got[EXCERPT_MAX * 2 + 40];
	int rc = 0;

	if (n->type != CF_NODE_MAP)
		return bad_type(o, n, file, "a mapping of strings", err);
	count = n->nkids / 2;
	if (count && (!(m.keys = calloc(count, sizeof *m.keys)) ||
	              !(m.vals = calloc(count, sizeof *m.vals)))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < count; i++) {
		const cf_node *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
		if (v->type != CF_NODE_SCALAR || cf_node_is_null(v)) {
			describe(v, got, sizeof got);
			rc = cf_conf_error(err, file, v,
			                   "values in '%s' must be strings, got %s",
			                   o->key, got);
			goto done;
		}
		if ((o->flags & CF_OPT_NONEMPTY) && v->len == 0) {
			rc = cf_conf_error(err, file, v, "values in '%s' must not be "
			                   "empty", o->key);
			goto done;
		}
		m.keys[i] = strdup(k->str);
		m.vals[i] = strdup(v->str);
		m.n++;   /* counted before the check so both are freed on failure */
		if (!m.keys[i] || !m.vals[i]) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
	}
	cf_strmap_free(dst);
	*dst = m;
	memset(&m, 0, sizeof m);
done:
	cf_strmap_free(&m);
	return rc;
}

static int set_enum(const cf_option *o, int *dst, const cf_node *n,
                    const char *file, cf_error *err)
{
	char list[256], got[EXCERPT_MAX * 2 + 40];
	size_t pos = 0;
	int i;

	if (n->type == CF_NODE_SCALAR && o->choices) {
		for (i = 0; o->choices[i]; i++) {
			if (strcmp(n->str, o->choices[i]) == 0) {
				*dst = i;
				return 0;
			}
		}
	}
	list[0] = '\0';
	for (i = 0; o->choices && o->choices[i] && pos < sizeof list; i++)
		pos += (size_t)snprintf(list + pos, sizeof list - pos, "%s%s",
		                        i ? ", " : "", o->choices[i]);
	describe(n, got, sizeof got);
	return cf_conf_error(err, file, n, "'%s' must be one of %s; got %s",
	                     o->key, list, got);
}

/* load_table's how: a sub-table (MAP, MAPLIST entries); keys the table
 * does not name are someone else's (cf_options_pick). */
#define LOAD_SUB  1
#define LOAD_PICK 2
static int load_table(const cf_option *table, void *state, const cf_node *map,
                      const char *file, const char *const *skip, int how,
                      const cf_option *preset, cf_error *err);
static int set_value(const cf_option *o, void *state, const cf_node *n,
                     const char *file, cf_error *err);

/* "mode, between, field": a sub-table's keys, for messages. */
static void key_list(const cf_option *table, char *buf, size_t size)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (; table->key && pos < size; table++)
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%s",
		                        pos ? ", " : "", table->key);
}

/* MAP: the struct at dst from mapping n, or from a scalar through
 * o->shorthand.  dst starts with `const cf_node *at`. */
static int set_map(const cf_option *o, void *dst, const cf_node *n,
                   const char *file, cf_error *err)
{
	const cf_option *sh = NULL, *so;
	cf_option tmp;
	char keys[256], got[EXCERPT_MAX * 2 + 40];
	int rc;

	if (!o->sub)
		return cf_error_set(err, CF_EINTERNAL, "option '%s' is MAP "
		                    "without a table", o->key);
	for (so = o->sub; o->shorthand && so->key; so++)
		if (!strcmp(so->key, o->shorthand))
			sh = so;
	key_list(o->sub, keys, sizeof keys);
	cf_options_free(o->sub, dst);
	if (n->type == CF_NODE_SCALAR && sh) {
		/* messages name the option the user wrote: 'parse', not 'mode' */
		tmp = *sh;
		tmp.key = o->key;
		if ((rc = set_value(&tmp, dst, n, file, err)) < 0 ||
		    (rc = load_table(o->sub, dst, NULL, file, NULL, LOAD_SUB, sh, err)) < 0)
			return rc;
	} else if (n->type == CF_NODE_MAP) {
		if ((rc = load_table(o->sub, dst, n, file, NULL, LOAD_SUB, NULL, err)) < 0)
			return rc;
	} else {
		describe(n, got, sizeof got);
		if (sh)
			return cf_conf_error(err, file, n, "'%s' must be a mapping "
			                     "(%s) or its %s, got %s", o->key, keys,
			                     sh->key, got);
		return cf_conf_error(err, file, n, "'%s' must be a mapping (%s), "
		                     "got %s", o->key, keys, got);
	}
	*(const cf_node **)dst = n;
	return 0;
}

/* MAPLIST: a sequence of mappings, each into a struct of o->size bytes. */
static int set_maplist(const cf_option *o, cf_maplist *dst, const cf_node *n,
                       const char *file, cf_error *err)
{
	cf_maplist l = { NULL, 0 };
	char keys[256], got[EXCERPT_MAX * 2 + 40];
	size_t i;
	int rc = 0;

	if (!o->sub || o->size < sizeof(const cf_node *))
		return cf_error_set(err, CF_EINTERNAL, "option '%s' is MAPLIST "
		                    "without a table or size", o->key);
	key_list(o->sub, keys, sizeof keys);
	if (n->type != CF_NODE_SEQ) {
		describe(n, got, sizeof got);
		return cf_conf_error(err, file, n, "'%s' must be a list of mappings "
		                     "(%s), got %s", o->key, keys, got);
	}
	if ((rc = check_count(o, n, n->nkids, file, "mappings", err)) < 0)
		return rc;
	if (n->nkids && !(l.v = calloc(n->nkids, o->size)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (i = 0; i < n->nkids; i++) {
		const cf_node *it = n->kids[i];
		void *el = (char *)l.v + i * o->size;
		if (it->type != CF_NODE_MAP) {
			describe(it, got, sizeof got);
			rc = cf_conf_error(err, file, it, "items of '%s' must be "
			                   "mappings (%s), got %s", o->key, keys, got);
			goto done;
		}
		l.n++;   /* counted first: freed with the others on failure */
		if ((rc = load_table(o->sub, el, it, file, NULL, LOAD_SUB, NULL, err)) < 0)
			goto done;
		*(const cf_node **)el = it;
	}
	free_maplist(o, dst);
	*dst = l;
	memset(&l, 0, sizeof l);
done:
	free_maplist(o, &l);
	return rc;
}

/* RANGE: [lo, hi]. */
static int set_range(const cf_option *o, cf_range *dst, const cf_node *n,
                     const char *file, cf_error *err)
{
	double lo, hi;

	if (n->type != CF_NODE_SEQ || n->nkids != 2 ||
	    cf_node_to_double(n->kids[0], &lo) < 0 ||
	    cf_node_to_double(n->kids[1], &hi) < 0 || lo > hi ||
	    (o->min < o->max && (lo < o->min || hi > o->max))) {
		if (o->min < o->max)
			return cf_conf_error(err, file, n, "'%s' must be [lo, hi] with "
			                     "%g <= lo <= hi <= %g", o->key, o->min,
			                     o->max);
		return cf_conf_error(err, file, n, "'%s' must be [lo, hi] with "
		                     "lo <= hi", o->key);
	}
	dst->set = 1;
	dst->lo = lo;
	dst->hi = hi;
	return 0;
}

/* Store n (not null) into the field of o; errors located at n. */
static int set_value(const cf_option *o, void *state, const cf_node *n,
                     const char *file, cf_error *err)
{
	void *field = (char *)state + o->offset;
	long l;
	double d;
	int b, rc;
	char *s;

	switch (o->type) {
	case CF_OPT_STRING:
		if (n->type != CF_NODE_SCALAR)
			return bad_type(o, n, file, "a string", err);
		if ((o->flags & CF_OPT_NONEMPTY) && n->len == 0)
			return cf_conf_error(err, file, n, "'%s' must not be empty",
			                     o->key);
		if (!(s = strdup(n->str)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		free(*(char **)field);
		*(char **)field = s;
		return 0;
	case CF_OPT_INT:
		if (cf_node_to_long(n, &l))
			return bad_type(o, n, file, "an integer", err);
		if (o->min < o->max && (l < o->min || l > o->max))
			return cf_conf_error(err, file, n,
			                     "'%s' must be between %.0f and %.0f, got %ld",
			                     o->key, o->min, o->max, l);
		*(long *)field = l;
		return 0;
	case CF_OPT_DOUBLE:
		if (cf_node_to_double(n, &d))
			return bad_type(o, n, file, "a number", err);
		if (o->min < o->max && (d < o->min || d > o->max))
			return cf_conf_error(err, file, n,
			                     "'%s' must be between %g and %g, got %g",
			                     o->key, o->min, o->max, d);
		*(double *)field = d;
		return 0;
	case CF_OPT_BOOL:
		if (cf_node_to_bool(n, &b))
			return bad_type(o, n, file, "true or false", err);
		*(int *)field = b;
		return 0;
	case CF_OPT_ENUM:
		return set_enum(o, field, n, file, err);
	case CF_OPT_STRLIST:
		return set_strlist(o, field, n, file, err);
	case CF_OPT_STRMAP:
		return set_strmap(o, field, n, file, err);
	case CF_OPT_NODE:
		*(const cf_node **)field = n;
		return 0;
	case CF_OPT_OPTNUM:
		if (o->flags & CF_OPT_INTEGER) {
			if (cf_node_to_long(n, &l))
				return bad_type(o, n, file, "an integer", err);
			d = (double)l;
		} else if (cf_node_to_double(n, &d)) {
			return bad_type(o, n, file, "a number", err);
		}
		if (o->min < o->max && (d < o->min || d > o->max))
			return cf_conf_error(err, file, n,
			                     "'%s' must be between %g and %g, got %g",
			                     o->key, o->min, o->max, d);
		((cf_optnum *)field)->set = 1;
		((cf_optnum *)field)->v = d;
		((cf_optnum *)field)->at = n;
		return 0;
	case CF_OPT_MAP:
		return set_map(o, field, n, file, err);
	case CF_OPT_MAPLIST:
		return set_maplist(o, field, n, file, err);
	case CF_OPT_RANGE:
		return set_range(o, field, n, file, err);
	case CF_OPT_NODELIST:
		if (n->type != CF_NODE_SEQ)
			return bad_type(o, n, file, "a list", err);
		if ((rc = check_count(o, n, n->nkids, file, "items", err)) < 0)
			return rc;
		((cf_nodelist *)field)->v = (const cf_node *const *)n->kids;
		((cf_nodelist *)field)->n = n->nkids;
		((cf_nodelist *)field)->at = n;
		return 0;
	case CF_OPT_CUSTOM:
		if (!o->set)
			return cf_error_set(err, CF_EINTERNAL,
			                    "option '%s' is CUSTOM without a setter", o->key);
		rc = o->set(state, n, file, err);
		/* a setter that forgot its message still gets a located one */
		if (rc < 0 && err && !err->code)
			cf_conf_error(err, file, n, "bad value for '%s'", o->key);
		return rc < 0 ? rc : 0;
	}
	return cf_error_set(err, CF_EINTERNAL, "option '%s' has unknown type %d",
	                    o->key, (int)o->type);
}

/* Parse o->def as if the user had written it as a plain scalar. */
static int set_default(const cf_option *o, void *state, const char *file,
                       cf_error *err)
{
	cf_node tmp;
	cf_error e = { 0, "" };

	memset(&tmp, 0, sizeof tmp);
	tmp.type = CF_NODE_SCALAR;
	tmp.str = (char *)o->def;   /* only read */
	tmp.len = strlen(o->def);
	if (o->type == CF_OPT_NODE || o->type == CF_OPT_MAP ||
	    o->type == CF_OPT_MAPLIST || o->type == CF_OPT_NODELIST ||
	    set_value(o, state, &tmp, file, &e))
		return cf_error_set(err, e.code == CF_ENOMEM ? CF_ENOMEM : CF_EINTERNAL,
		                    "option '%s' has a bad default '%s'", o->key, o->def);
	return 0;
}

static int skipped(const char *const *skip, const char *key)
{
	for (; skip && *skip; skip++)
		if (strcmp(*skip, key) == 0)
			return 1;
	return 0;
}

/* The loader.  how: LOAD_SUB, a sub-table (unknown keys list the table's
 * keys; map NULL means absent: defaults only, no required keys);
 * LOAD_PICK, keys the table does not name are passed over.  preset: a row
 * already set from a shorthand scalar, left alone. */
static int load_table(const cf_option *table, void *state, const cf_node *map,
                      const char *file, const char *const *skip, int how,
                      const cf_option *preset, cf_error *err)
{
	int sub = how & LOAD_SUB;
	const cf_option *o;
	const cf_node *k, *v;
	char in[256], got[EXCERPT_MAX * 2 + 40], keys[256];
	const char *near;
	size_t i;
	int rc = 0;

	if (map && cf_node_is_null(map))
		map = NULL;
	where(map, in, sizeof in);
	if (map && map->type != CF_NODE_MAP) {
		describe(map, got, sizeof got);
		rc = cf_conf_error(err, file, map, "expected a mapping%s, got %s",
		                   in, got);
		goto done;
	}

	/* keys in file order, so the first mistake reported is the first one */
	for (i = 0; map && i + 1 < map->nkids; i += 2) {
		k = map->kids[i];
		v = map->kids[i + 1];
		if (skipped(skip, k->str))
			continue;
		for (o = table; o->key && strcmp(o->key, k->str) != 0; o++)
			;
		if (!o->key && (how & LOAD_PICK))
			continue;
		if (!o->key) {
			near = nearest(table, k->str);
			if (near)
				rc = cf_conf_error(err, file, k,
				                   "unknown key '%s'%s (did you mean '%s'?)",
				                   k->str, in, near);
			else if (sub) {
				key_list(table, keys, sizeof keys);
				rc = cf_conf_error(err, file, k, "unknown key '%s'%s (%s)",
				                   k->str, in, keys);
			} else
				rc = cf_conf_error(err, file, k, "unknown key '%s'%s",
				                   k->str, in);
			goto done;
		}
		if (cf_node_is_null(v))
			continue;
		if ((rc = set_value(o, state, v, file, err)))
			goto done;
	}

	/* then what the file left out */
	for (o = table; o->key; o++) {
		v = cf_node_get(map, o->key);
		if ((v && !cf_node_is_null(v)) || o == preset)
			continue;
		if (o->type == CF_OPT_MAP) {   /* absent: its defaults */
			if ((rc = load_table(o->sub, (char *)state + o->offset, NULL,
			                     file, NULL, LOAD_SUB, NULL, err)))
				goto done;
		} else if (o->def) {
			if ((rc = set_default(o, state, file, err)))
				goto done;
		} else if ((o->flags & CF_OPT_REQUIRED) && (map || !sub)) {
			if (v) {   /* `key:` with nothing: point at the key */
				for (i = 0; map->kids[i + 1] != v; i += 2)
					;
				rc = cf_conf_error(err, file, map->kids[i],
				                   "missing required key '%s'%s (its value is empty)",
				                   o->key, in);
			} else if (map) {   /* an entry's key: say what it is for */
				rc = cf_conf_error(err, file, map,
				                   "missing required key '%s'%s%s%s%s", o->key,
				                   in, sub && o->help ? " (" : "",
				                   sub && o->help ? o->help : "",
				                   sub && o->help ? ")" : "");
			} else {
				rc = cf_conf_error(err, file, NULL,
				                   "missing required key '%s'", o->key);
			}
			goto done;
		}
	}
done:
	if (rc)
		cf_options_free(table, state);
	return rc;
}

int cf_option_set(const cf_option *row, void *state, const cf_node *n,
                  const char *file, cf_error *err)
{
	return set_value(row, state, n, file, err);
}

int cf_options_load(const cf_option *table, void *state, const cf_node *map,
                    const char *file, const char *const *skip, cf_error *err)
{
	return load_table(table, state, map, file, skip, 0, NULL, err);
}

int cf_options_pick(const cf_option *table, void *state, const cf_node *map,
                    const char *file, cf_error *err)
{
	return load_table(table, state, map, file, NULL, LOAD_PICK, NULL, err);
}

void cf_options_free(const cf_option *table, void *state)
{
	const cf_option *o;
	void *field;

	if (!table || !state)
		return;
	for (o = table; o->key; o++) {
		field = (char *)state + o->offset;
		switch (o->type) {
		case CF_OPT_STRING:
			free(*(char **)field);
			*(char **)field = NULL;
			break;
		case CF_OPT_STRLIST:
			cf_strlist_free(field);
			break;
		case CF_OPT_STRMAP:
			cf_strmap_free(field);
			break;
		case CF_OPT_NODE:
			*(const cf_node **)field = NULL;
			break;
		case CF_OPT_MAP:
			cf_options_free(o->sub, field);
			*(const cf_node **)field = NULL;
			break;
		case CF_OPT_MAPLIST:
			free_maplist(o, field);
			break;
		case CF_OPT_RANGE:
			memset(field, 0, sizeof(cf_range));
			break;
		case CF_OPT_NODELIST:
			memset(field, 0, sizeof(cf_nodelist));
			break;
		case CF_OPT_CUSTOM:
			if (o->release)
				o->release(state);
			break;
		default:
			break;
		}
	}
}
