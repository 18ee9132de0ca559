/*
 * conf.c - the pipeline file: YAML to a tree of located nodes.
 *
 * libyaml's event API drives a small explicit stack (at most
 * CF_CONF_MAX_DEPTH open collections), so no recursion depends on input.
 * Everything in YAML that a pipeline file does not need is refused rather
 * than half-supported: anchors and aliases (which also defuses the
 * "billion laughs" expansion), tags, non-scalar keys, duplicate keys, more
 * than one document, a top level that is not a mapping.  Each refusal is a
 * CF_ECONFIG with FILE:LINE:COL (1-based; libyaml counts from 0).
 *
 * `${NAME}` in scalar values (never keys) is expanded from the environment
 * here, once, so every later reader sees the final text; the result is
 * capped at SCALAR_MAX.  cf_conf_set() edits the tree for --set overrides;
 * its nodes have line 0.  The SHA-256 of the raw bytes is kept so a run can
 * record exactly which file it used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "cfaug/conf.h"
#include "cfaug/util.h"

#define SCALAR_MAX  (1u << 20)   /* a value after ${} expansion */
#define MAP_MAX     10000        /* keys per mapping: duplicate check is O(n^2) */
#define SEQ_MAX     (1u << 20)   /* items per sequence */

/* ---- nodes ---------------------------------------------------------------- */

static cf_node *node_new(cf_node_type type, int line, int col)
{
	cf_node *n = calloc(1, sizeof *n);

	if (n) {
		n->type = type;
		n->line = line;
		n->col = col;
	}
	return n;
}

/* Depth is bounded by CF_CONF_MAX_DEPTH (loader) plus the --set path cap. */
static void node_free(cf_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

/* Append kid to n; -1 when out of memory, -2 when n is full. */
static int node_add(cf_node *n, cf_node *kid)
{
	size_t cap = n->type == CF_NODE_MAP ? 2 * (size_t)MAP_MAX : SEQ_MAX;
	cf_node **k;

	if (n->nkids >= cap)
		return -2;
	/* grow at powers of two: nkids is a power of two exactly when full */
	if (n->nkids == 0 || (n->nkids & (n->nkids - 1)) == 0) {
		size_t want = n->nkids ? 2 * n->nkids : 4;
		k = realloc(n->kids, want * sizeof *k);
		if (!k)
			return -1;
		n->kids = k;
	}
	n->kids[n->nkids++] = kid;
	kid->parent = n;
	return 0;
}

const cf_node *cf_node_get(const cf_node *map, const char *key)
{
	size_t i;

	if (!map || map->type != CF_NODE_MAP || !key)
		return NULL;
	for (i = 0; i + 1 < map->nkids; i += 2)
		if (strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

int cf_node_is_null(const cf_node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	int i;

	if (!n || n->type != CF_NODE_SCALAR || n->quoted)
		return 0;
	for (i = 0; nulls[i]; i++)
		if (strcmp(n->str, nulls[i]) == 0)
			return 1;
	return 0;
}

static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos < size) {
		size_t room = size - 1 - *pos;
		memcpy(buf + *pos, s, n < room ? n : room);
		buf[*pos + (n < room ? n : room)] = '\0';
	}
	*pos += n;
}

static void path_rec(const cf_node *n, char *buf, size_t size, size_t *pos)
{
	const cf_node *p = n->parent;
	char idx[32];
	size_t i;

	if (!p)
		return;
	path_rec(p, buf, size, pos);
	if (p->parent)
		put(buf, size, pos, ".", 1);
	for (i = 0; i < p->nkids && p->kids[i] != n; i++)
		;
	if (p->type == CF_NODE_MAP) {
		const cf_node *key = p->kids[i & ~(size_t)1];
		put(buf, size, pos, key->str, key->len);
	} else {
		snprintf(idx, sizeof idx, "%zu", i);
		put(buf, size, pos, idx, strlen(idx));
	}
}

size_t cf_node_path(const cf_node *n, char *buf, size_t size)
{
	size_t pos = 0;

	if (buf && size)
		buf[0] = '\0';
	if (n)
		path_rec(n, buf, buf ? size : 0, &pos);
	return pos;
}

int cf_conf_error(cf_error *err, const char *file, const cf_node *at,
                  const char *fmt, ...)
{
	char msg[CF_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!at)
		return cf_error_set(err, CF_ECONFIG, "%s: %s", file, msg);
	if (at->line == 0)
		return cf_error_set(err, CF_ECONFIG, "--set: %s", msg);
	return cf_error_set(err, CF_ECONFIG, "%s:%d:%d: %s", file, at->line,
	                    at->col, msg);
}

/* ---- loading -------------------------------------------------------------- */

typedef struct loader {
	const char *name;
	const char *buf;
	size_t len;
	cf_error *err;
	cf_node *stack[CF_CONF_MAX_DEPTH];
	int depth;
	cf_node *root;
	int ndocs;
} loader;

static int mark_error(loader *ld, yaml_mark_t m, const char *what)
{
	return cf_error_set(ld->err, CF_ECONFIG, "%s:%zu:%zu: %s", ld->name,
	                    m.line + 1, m.column + 1, what);
}

static int nomem(cf_error *err)
{
	return cf_error_set(err, CF_ENOMEM, "out of memory");
}

/* Report libyaml's own error with the best position it gives. */
static int yaml_error(loader *ld, const yaml_parser_t *p)
{
	size_t line = 0, col = 0, i;

	if (p->error == YAML_MEMORY_ERROR)
		return nomem(ld->err);
	if (p->error == YAML_READER_ERROR) {
		/* reader errors (bad encoding) only carry a byte offset */
		for (i = 0; i < p->problem_offset && i < ld->len; i++) {
			if (ld->buf[i] == '\n') {
				line++;
				col = 0;
			} else {
				col++;
			}
		}
	} else {
		line = p->problem_mark.line;
		col = p->problem_mark.column;
	}
	if (p->context)
		return cf_error_set(ld->err, CF_ECONFIG, "%s:%zu:%zu: %s (%s)",
		                    ld->name, line + 1, col + 1,
		                    p->problem ? p->problem : "syntax error",
		                    p->context);
	return cf_error_set(ld->err, CF_ECONFIG, "%s:%zu:%zu: %s", ld->name,
	                    line + 1, col + 1,
	                    p->problem ? p->problem : "syntax error");
}

static int is_name_start(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Set n->str to s[0..len) with ${NAME} replaced from the environment and
 * $${ turned into a literal ${.  Errors are located at n. */
static int expand(loader *ld, cf_node *n, const char *s, size_t len)
{
	cf_buf b = { NULL, 0, 0, SCALAR_MAX };
	char name[256];
	size_t i = 0, j, start = 0;
	const char *val;
	int rc = 0, r;

	while (i < len) {
		if (s[i] != '$') {
			i++;
			continue;
		}
		if (i + 2 < len && s[i + 1] == '$' && s[i + 2] == '{') {
			/* $${ -> ${ : copy up to and including the first '$' */
			if ((r = cf_buf_put(&b, s + start, i + 1 - start)))
				goto add_failed;
			i += 2;
			start = i;
			continue;
		}
		if (i + 1 >= len || s[i + 1] != '{') {
			i++;
			continue;
		}
		for (j = i + 2; j < len && s[j] != '}'; j++)
			;
		if (j >= len) {
			rc = cf_conf_error(ld->err, ld->name, n,
			                   "unterminated '${' in value (write '$${' for a literal '${')");
			goto done;
		}
		if (j - (i + 2) >= sizeof name || j == i + 2 ||
		    !is_name_start((unsigned char)s[i + 2])) {
			rc = cf_conf_error(ld->err, ld->name, n,
			                   "bad environment variable name in '${...}'");
			goto done;
		}
		memcpy(name, s + i + 2, j - (i + 2));
		name[j - (i + 2)] = '\0';
		for (r = 0; name[r]; r++) {
			if (!is_name_char((unsigned char)name[r])) {
				rc = cf_conf_error(ld->err, ld->name, n,
				                   "bad environment variable name in '${...}'");
				goto done;
			}
		}
		val = getenv(name);
		if (!val) {
			rc = cf_conf_error(ld->err, ld->name, n,
			                   "environment variable %s is not set", name);
			goto done;
		}
		if ((r = cf_buf_put(&b, s + start, i - start)) ||
		    (r = cf_buf_put(&b, val, strlen(val))))
			goto add_failed;
		i = j + 1;
		start = i;
	}
	if ((r = cf_buf_put(&b, s + start, len - start)))
		goto add_failed;
	if (memchr(b.p, '\0', b.len)) {
		rc = cf_conf_error(ld->err, ld->name, n, "NUL character in value");
		goto done;
	}
	n->str = b.p;
	n->len = b.len;
	b.p = NULL;
	goto done;

add_failed:
	if (r == CF_ENOMEM)
		rc = nomem(ld->err);
	else
		rc = cf_conf_error(ld->err, ld->name, n,
		                   "value longer than %u bytes after expansion",
		                   SCALAR_MAX);
done:
	free(b.p);
	return rc;
}

/* Attach a new node under the innermost open collection (or as the root),
 * enforcing the rules on keys.  Takes n in every case. */
static int attach(loader *ld, cf_node *n)
{
	cf_node *parent = ld->depth ? ld->stack[ld->depth - 1] : NULL;
	int rc = 0, r;
	size_t i;

	if (!parent) {
		if (ld->root) {   /* cannot happen: one node per document */
			rc = cf_error_set(ld->err, CF_EINTERNAL, "%s: second root", ld->name);
			goto fail;
		}
		ld->root = n;
		if (n->type != CF_NODE_MAP) {
			rc = cf_conf_error(ld->err, ld->name, n,
			                   "the top level must be a mapping, got %s",
			                   cf_node_is_null(n) ? "nothing" :
			                   n->type == CF_NODE_SEQ ? "a sequence" : "a scalar");
		}
		return rc;
	}
	if (parent->type == CF_NODE_MAP && parent->nkids % 2 == 0) {
		if (n->type != CF_NODE_SCALAR) {
			rc = cf_conf_error(ld->err, ld->name, n,
			                   "mapping keys must be scalars, got a %s",
			                   cf_node_type_name(n->type));
			goto fail;
		}
		for (i = 0; i < parent->nkids; i += 2) {
			if (strcmp(parent->kids[i]->str, n->str) == 0) {
				rc = cf_conf_error(ld->err, ld->name, n,
				                   "duplicate key '%s' (first at line %d)",
				                   n->str, parent->kids[i]->line);
				goto fail;
			}
		}
	}
	r = node_add(parent, n);
	if (r == -1) {
		rc = nomem(ld->err);
		goto fail;
	}
	if (r == -2) {
		rc = cf_conf_error(ld->err, ld->name, n, "more than %u %s in one %s",
		                   parent->type == CF_NODE_MAP ? MAP_MAX : SEQ_MAX,
		                   parent->type == CF_NODE_MAP ? "keys" : "items",
		                   cf_node_type_name(parent->type));
		goto fail;
	}
	return 0;
fail:
	node_free(n);
	return rc;
}

/* One event: build, check, attach. */
static int on_event(loader *ld, const yaml_event_t *ev, int *end)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	cf_node *n = NULL, *parent;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	int rc;

	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		*end = 1;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (ld->ndocs++)
			return mark_error(ld, ev->start_mark,
			                  "more than one document (a pipeline file is one mapping)");
		return 0;
	case YAML_ALIAS_EVENT:
		return mark_error(ld, ev->start_mark, "aliases are not supported");
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		ld->depth--;
		return 0;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		return 0;
	}
	if (anchor)
		return mark_error(ld, ev->start_mark, "anchors are not supported");
	if (tag)
		return mark_error(ld, ev->start_mark, "tags are not supported");

	if (ev->type == YAML_SCALAR_EVENT) {
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;

		if (!(n = node_new(CF_NODE_SCALAR, line, col)))
			return nomem(ld->err);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		parent = ld->depth ? ld->stack[ld->depth - 1] : NULL;
		if (parent && parent->type == CF_NODE_MAP && parent->nkids % 2 == 0) {
			/* a key: taken literally */
			if (memchr(v, '\0', len)) {
				node_free(n);
				return mark_error(ld, ev->start_mark, "NUL character in key");
			}
			if (!(n->str = malloc(len + 1))) {
				node_free(n);
				return nomem(ld->err);
			}
			memcpy(n->str, v, len);
			n->str[len] = '\0';
			n->len = len;
		} else if ((rc = expand(ld, n, v, len))) {
			node_free(n);
			return rc;
		}
		return attach(ld, n);
	}

	/* a collection opens */
	if (ld->depth >= CF_CONF_MAX_DEPTH)
		return mark_error(ld, ev->start_mark,
		                  "nesting deeper than 64 levels");
	n = node_new(ev->type == YAML_MAPPING_START_EVENT ? CF_NODE_MAP :
	             CF_NODE_SEQ, line, col);
	if (!n)
		return nomem(ld->err);
	if ((rc = attach(ld, n)))
		return rc;
	ld->stack[ld->depth++] = n;
	return 0;
}

int cf_conf_load_buffer(cf_conf **out, const char *name, const char *buf,
                        size_t len, cf_error *err)
{
	loader ld;
	yaml_parser_t parser;
	yaml_event_t ev;
	cf_conf *conf = NULL;
	int rc = 0, end = 0, parser_ok = 0;

	*out = NULL;
	memset(&ld, 0, sizeof ld);
	ld.name = name;
	ld.buf = buf;
	ld.len = len;
	ld.err = err;
	if (len > CF_CONF_MAX_BYTES) {
		/* locate the first byte past the limit, so the bulk can be found */
		size_t line = 1, col = 1;

		for (size_t i = 0; i < CF_CONF_MAX_BYTES; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		rc = cf_error_set(err, CF_ECONFIG, "%s:%zu:%zu: file is larger than "
		                  "%u MiB (the limit is passed here)", name, line, col,
		                  CF_CONF_MAX_BYTES >> 20);
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		rc = nomem(err);
		goto done;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!end) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_error(&ld, &parser);
			goto done;
		}
		rc = on_event(&ld, &ev, &end);
		yaml_event_delete(&ev);
		if (rc)
			goto done;
	}
	if (!ld.root) {
		rc = cf_error_set(err, CF_ECONFIG,
		                  "%s:1:1: the file is empty (expected a mapping)", name);
		goto done;
	}

	if (!(conf = calloc(1, sizeof *conf)) || !(conf->path = strdup(name))) {
		rc = nomem(err);
		goto done;
	}
	conf->root = ld.root;
	ld.root = NULL;
	cf_sha256(buf, len, conf->sha256);
	*out = conf;
	conf = NULL;
done:
	if (parser_ok)
		yaml_parser_delete(&parser);
	node_free(ld.root);
	cf_conf_free(&conf);
	return rc;
}

int cf_conf_load(cf_conf **out, const char *path, cf_error *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0, n;
	int rc = 0;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		rc = cf_error_set(err, CF_EUSAGE,
		                  "the pipeline file cannot be '-' (standard input)");
		goto done;
	}
	if (!(f = fopen(path, "rb"))) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* read one byte past the cap so "too large" is detected, not truncated */
	if (!(buf = malloc(CF_CONF_MAX_BYTES + 1))) {
		rc = nomem(err);
		goto done;
	}
	while ((n = fread(buf + len, 1, CF_CONF_MAX_BYTES + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		goto done;
	}
	rc = cf_conf_load_buffer(out, path, buf, len, err);
done:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

void cf_conf_free(cf_conf **conf)
{
	if (!conf || !*conf)
		return;
	node_free((*conf)->root);
	free((*conf)->path);
	free(*conf);
	*conf = NULL;
}

/* ---- --set overrides ------------------------------------------------------- */

/* Put n in place of parent->kids[i], freeing what was there. */
static void replace(cf_node *parent, size_t i, cf_node *n)
{
	node_free(parent->kids[i]);
	parent->kids[i] = n;
	n->parent = parent;
}

/* Parse a 0-based decimal index; -1 if s is not one. */
static int parse_index(const char *s, size_t *out)
{
	size_t v = 0;

	if (!*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Nodes of a --set value: line 0, so messages say "--set: ...". */
static void unlocate(cf_node *n)
{
	size_t i;

	n->line = n->col = 0;
	for (i = 0; i < n->nkids; i++)
		unlocate(n->kids[i]);
}

/* The value of a --set: a value starting with [ { " or ' is YAML (a flow
 * list or mapping, a quoted string); anything else is a plain scalar as
 * written.  *out is a new node. */
static int set_value(const char *assignment, const char *v, cf_node **out,
                     cf_error *err)
{
	cf_conf *tmp = NULL;
	cf_error e = { 0 };
	char *doc;
	size_t n = strlen(v), i, k;
	int rc;

	*out = NULL;
	if (!*v || !strchr("[{\"'", *v)) {
		if (!(*out = node_new(CF_NODE_SCALAR, 0, 0)) || !((*out)->str = strdup(v))) {
			node_free(*out);
			*out = NULL;
			return nomem(err);
		}
		(*out)->len = n;
		return 0;
	}
	/* "${" doubled: --set values are never expanded (`$${` is a literal) */
	if (!(doc = malloc(3 + 2 * n + 1)))
		return nomem(err);
	memcpy(doc, "v: ", 3);
	for (i = 0, k = 3; i < n; i++) {
		if (v[i] == '$' && v[i + 1] == '{')
			doc[k++] = '$';
		doc[k++] = v[i];
	}
	doc[k] = '\0';
	rc = cf_conf_load_buffer(&tmp, "--set", doc, k, &e);
	free(doc);
	if (rc == CF_ENOMEM)
		return nomem(err);
	if (rc < 0 || tmp->root->nkids != 2) {
		rc = cf_error_set(err, CF_EUSAGE, "--set %s: not a YAML value (%s); to pass "
		                  "it as a string, quote it: KEY='\"...\"'", assignment,
		                  rc < 0 ? e.msg : "more than one value");
		cf_conf_free(&tmp);
		return rc;
	}
	*out = tmp->root->kids[1];
	tmp->root->nkids = 1;   /* the key stays, the value is ours */
	(*out)->parent = NULL;
	unlocate(*out);
	cf_conf_free(&tmp);
	return 0;
}

int cf_conf_set(cf_conf *conf, const char *assignment, cf_error *err)
{
	char *key = NULL, *comp[CF_CONF_MAX_DEPTH];
	const char *eq = strchr(assignment, '=');
	cf_node *cur, *n = NULL;
	size_t ncomp = 0, c, i, idx, nprefix;
	int rc = 0, r;
	char *p;

	if (!eq) {
		rc = cf_error_set(err, CF_EUSAGE, "--set %s: expected KEY=VALUE",
		                  assignment);
		goto done;
	}
	if (eq == assignment) {
		rc = cf_error_set(err, CF_EUSAGE, "--set %s: empty key", assignment);
		goto done;
	}
	if (!(key = strndup(assignment, (size_t)(eq - assignment)))) {
		rc = nomem(err);
		goto done;
	}
	for (p = key;; p++) {
		char *dot = strchr(p, '.');
		if (ncomp == CF_CONF_MAX_DEPTH) {
			rc = cf_error_set(err, CF_EUSAGE, "--set %.*s: more than %d levels",
			                  (int)(eq - assignment), assignment,
			                  CF_CONF_MAX_DEPTH);
			goto done;
		}
		comp[ncomp++] = p;
		if (dot)
			*dot = '\0';
		if (!*p) {
			rc = cf_error_set(err, CF_EUSAGE, "--set %.*s: empty path component",
			                  (int)(eq - assignment), assignment);
			goto done;
		}
		if (!dot)
			break;
		p = dot;
	}

	cur = conf->root;
	for (c = 0; c < ncomp; c++) {
		int last = c + 1 == ncomp;
		cf_node *kid = NULL;

		/* find the slot: i is the index in cur->kids of the value */
		if (cur->type == CF_NODE_MAP) {
			for (i = 0; i + 1 < cur->nkids; i += 2)
				if (strcmp(cur->kids[i]->str, comp[c]) == 0)
					break;
			if (i + 1 < cur->nkids) {
				i++;
				kid = cur->kids[i];
			}
		} else {
			if (parse_index(comp[c], &idx)) {
				rc = cf_error_set(err, CF_EUSAGE,
				                  "--set %.*s: '%s' is not an index into a sequence",
				                  (int)(eq - assignment), assignment, comp[c]);
				goto done;
			}
			if (idx >= cur->nkids) {
				rc = cf_error_set(err, CF_EUSAGE,
				                  "--set %.*s: index %zu out of range (%zu item%s)",
				                  (int)(eq - assignment), assignment, idx,
				                  cur->nkids, cur->nkids == 1 ? "" : "s");
				goto done;
			}
			i = idx;
			kid = cur->kids[i];
		}

		if (!last && kid && kid->type != CF_NODE_SCALAR) {
			cur = kid;
			continue;
		}
		if (!last && kid && !cf_node_is_null(kid)) {
			/* the path so far is the text of comp[0..c], dots restored */
			nprefix = (size_t)(comp[c] - key) + strlen(comp[c]);
			rc = cf_error_set(err, CF_EUSAGE, "--set %.*s: '%.*s' is a scalar",
			                  (int)(eq - assignment), assignment,
			                  (int)nprefix, assignment);
			goto done;
		}

		/* make the node for this step: a mapping on the way, the value last */
		if (last) {
			if ((rc = set_value(assignment, eq + 1, &n, err)) < 0)
				goto done;
		} else if (!(n = node_new(CF_NODE_MAP, 0, 0))) {
			rc = nomem(err);
			goto done;
		}
		if (kid) {
			replace(cur, i, n);
		} else {
			cf_node *k = node_new(CF_NODE_SCALAR, 0, 0);
			if (!k || !(k->str = strdup(comp[c]))) {
				node_free(k);
				rc = nomem(err);
				goto done;
			}
			k->len = strlen(k->str);
			if ((r = node_add(cur, k)) == 0 && (r = node_add(cur, n)) != 0) {
				/* keep the map in pairs */
				cur->nkids--;
				node_free(k);
			} else if (r) {
				node_free(k);
			}
			if (r) {
				rc = r == -1 ? nomem(err) :
				     cf_error_set(err, CF_EUSAGE, "--set %.*s: mapping is full",
				                  (int)(eq - assignment), assignment);
				goto done;
			}
		}
		cur = n;
		n = NULL;
	}
done:
	node_free(n);
	free(key);
	return rc;
}
