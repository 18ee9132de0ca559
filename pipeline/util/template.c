/*
 * template.c - parse prompt templates into sections of literal text and
 * variable references, check every variable against the known names, and
 * render them into chat messages.  Format in template.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/conf.h"
#include "cfaug/util.h"
#include "json_write.h"
#include "template.h"

#define TPL_MAX_BYTES (1u << 20)
#define TPL_MAX_SECTIONS 64

typedef struct piece {
	const char *lit;     /* literal text (into t->text), or NULL for a var */
	size_t len;
	size_t var;          /* index into vars */
	char *esc;           /* literal: its JSON-escaped bytes, no quotes */
	size_t esc_len;
} piece;

typedef struct section {
	const char *role;
	piece *pieces;
	size_t n;
} section;

struct cf_template {
	char *name;
	char hex[65];
	char *text;          /* the file, literals point into it (unescaped) */
	section sec[TPL_MAX_SECTIONS];
	size_t nsec;
	char **vars;
	size_t nvars;
	int lit_bad;         /* a literal is not valid UTF-8: rendering fails */
};

static const char *base_name(const char *path, size_t *len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".txt") == 0)
		n -= 4;
	*len = n;
	return b;
}

static int add_piece(section *s, const char *lit, size_t len, size_t var)
{
	piece *p = realloc(s->pieces, (s->n + 1) * sizeof *p);

	if (!p)
		return CF_ENOMEM;
	s->pieces = p;
	p[s->n].lit = lit;
	p[s->n].len = len;
	p[s->n].var = var;
	p[s->n].esc = NULL;
	p[s->n].esc_len = 0;
	s->n++;
	return 0;
}

static int var_index(cf_template *t, const char *name, size_t len, size_t *out)
{
	size_t i;
	char **v;

	for (i = 0; i < t->nvars; i++)
		if (strlen(t->vars[i]) == len && memcmp(t->vars[i], name, len) == 0) {
			*out = i;
			return 0;
		}
	if (!(v = realloc(t->vars, (t->nvars + 1) * sizeof *v)))
		return CF_ENOMEM;
	t->vars = v;
	if (!(v[t->nvars] = strndup(name, len)))
		return CF_ENOMEM;
	*out = t->nvars++;
	return 0;
}

static int is_known(const char *const *known, const char *name, size_t len)
{
	size_t i;

	for (i = 0; known && known[i]; i++)
		if (strlen(known[i]) == len && memcmp(known[i], name, len) == 0)
			return 1;
	return 0;
}

static int unknown_var(cf_error *err, const char *file, long line, long col,
                       const char *name, size_t len, const char *const *known)
{
	char list[256] = "";
	size_t i;

	for (i = 0; known && known[i]; i++) {
		if (i)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, known[i], sizeof list - strlen(list) - 1);
	}
	return cf_error_set(err, CF_ECONFIG, "%s:%ld:%ld: unknown variable '%.*s' "
	                    "(known: %s)", file, line, col, (int)(len > 64 ? 64 : len),
	                    name, list);
}

/* Split one section body [b, e) into pieces; line0 is its first line. */
static int parse_body(cf_template *t, section *s, char *b, char *e, long line0,
                      const char *file, const char *const *known, cf_error *err)
{
	char *p = b, *lit = b, *w = b, *name, *close;
	long line = line0;
	const char *line_start = b;
	size_t nlen, vi;
	int rc;

	/* literals are unescaped in place: w trails p */
	while (p < e) {
		if (*p == '\\' && p + 2 < e && p[1] == '{' && p[2] == '{') {
			*w++ = '{';
			*w++ = '{';
			p += 3;
			continue;
		}
		if (*p == '{' && p + 1 < e && p[1] == '{') {
			long col = (long)(p - line_start) + 1;
			if ((rc = add_piece(s, lit, (size_t)(w - lit), 0)) < 0)
				return cf_error_set(err, rc, "out of memory");
			name = p + 2;
			while (name < e && *name == ' ')
				name++;
			close = name;
			while (close < e && close[0] != '}' && close[0] != '\n' && close[0] != '{')
				close++;
			if (close + 1 >= e || close[0] != '}' || close[1] != '}')
				return cf_error_set(err, CF_ECONFIG, "%s:%ld:%ld: '{{' without "
				                    "'}}' on the same line (write \\{{ for a literal)",
				                    file, line, col);
			nlen = (size_t)(close - name);
			while (nlen && name[nlen - 1] == ' ')
				nlen--;
			for (vi = 0; vi < nlen; vi++) {
				char c = name[vi];
				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
					break;
			}
			if (nlen == 0 || vi < nlen)
				return cf_error_set(err, CF_ECONFIG, "%s:%ld:%ld: bad variable name "
				                    "'%.*s'", file, line, col, (int)(nlen > 64 ? 64 : nlen),
				                    name);
			if (!is_known(known, name, nlen))
				return unknown_var(err, file, line, col, name, nlen, known);
			if ((rc = var_index(t, name, nlen, &vi)) < 0 ||
			    (rc = add_piece(s, NULL, 0, vi)) < 0)
				return cf_error_set(err, rc, "out of memory");
			p = close + 2;
			lit = w = p;
			continue;
		}
		if (*p == '\n') {
			line++;
			line_start = p + 1;
		}
		*w++ = *p++;
	}
	if (w > lit && (rc = add_piece(s, lit, (size_t)(w - lit), 0)) < 0)
		return cf_error_set(err, rc, "out of memory");
	return 0;
}

static const char *header_role(const char *l, size_t n)
{
	static const char *const roles[] = { "about", "system", "user", "assistant" };
	size_t i, k;

	if (n < 4 || memcmp(l, "### ", 4) != 0)
		return NULL;
	l += 4;
	n -= 4;
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
		n--;
	for (i = 0; i < 4; i++) {
		k = strlen(roles[i]);
		if (n == k && memcmp(l, roles[i], k) == 0)
			return roles[i];
	}
	return NULL;
}

/* Escape every literal piece once, for cf_template_write_json.  JSON
 * escaping works byte by byte (only '"', '\\' and bytes < 0x20 change),
 * so escaped pieces concatenate to the escaped whole. */
static int prepare_json(cf_template *t)
{
	cf_jbuf b = { 0 };
	size_t i, k;
	int nul;

	for (i = 0; i < t->nsec; i++) {
		for (k = 0; k < t->sec[i].n; k++) {
			piece *pc = &t->sec[i].pieces[k];
			if (!pc->lit)
				continue;
			if (cf_utf8_check(pc->lit, pc->len, &nul) < pc->len)
				t->lit_bad = 1;
			b.len = 0;
			if (cf_json_write_string(&b, pc->lit, pc->len) < 0 ||
			    !(pc->esc = malloc(b.len - 2 + 1))) {
				cf_jbuf_free(&b);
				return CF_ENOMEM;
			}
			memcpy(pc->esc, b.p + 1, b.len - 2);
			pc->esc_len = b.len - 2;
		}
	}
	cf_jbuf_free(&b);
	return 0;
}

int cf_template_parse(cf_template **out, const char *name, const char *text,
                      size_t len, const char *const *known, cf_error *err)
{
	cf_template *t = calloc(1, sizeof *t);
	unsigned char d[32];
	char *p, *e, *l, *nl, *body = NULL;
	const char *role = NULL, *r, *prev = NULL;
	long line = 1, body_line = 0, hdr_line = 0;
	size_t blen, at;
	int nul = 0;
	const char *b = base_name(name, &blen);
	int rc = 0, sectioned = -1;

	*out = NULL;
	if (!t || !(t->text = malloc(len + 1)) || !(t->name = strndup(b, blen))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	cf_sha256(text, len, d);
	cf_sha256_hex(d, t->hex);
	if (memchr(text, '\0', len)) {
		rc = cf_error_set(err, CF_ECONFIG, "%s: a NUL byte in a template", name);
		goto done;
	}
	/* refused here, or every record would fail at render time */
	if ((at = cf_utf8_check(text, len, &nul)) < len) {
		const char *ls = text;
		for (p = t->text; p < t->text + at; p++)
			if (*p == '\n') {
				line++;
				ls = text + (p - t->text) + 1;
			}
		rc = cf_error_set(err, CF_ECONFIG, "%s:%ld:%ld: invalid UTF-8 in a "
		                  "template", name, line, (long)(text + at - ls) + 1);
		goto done;
	}
	p = t->text;
	e = p + len;
	/* walk the lines; a section's body runs from after its header to the
	 * next header */
	for (l = p; l <= e; l = nl + 1, line++) {
		nl = memchr(l, '\n', (size_t)(e - l));
		if (!nl)
			nl = e;
		if (sectioned < 0) {
			char *q = l;
			while (q < nl && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q == nl && nl < e)
				continue;      /* leading blank line */
			sectioned = header_role(l, (size_t)(nl - l)) != NULL;
			if (!sectioned) {
				role = "user";
				body = l;
				body_line = line;
				break;
			}
		}
		r = header_role(l, (size_t)(nl - l));
		if (r || nl == e) {
			if (role && strcmp(role, "about") != 0) {
				section *s;
				char *be = r ? l : e, *q;
				if (t->nsec == TPL_MAX_SECTIONS) {
					rc = cf_error_set(err, CF_ECONFIG, "%s:%ld:1: more than %d sections",
					                  name, hdr_line, TPL_MAX_SECTIONS);
					goto done;
				}
				s = &t->sec[t->nsec++];
				s->role = role;
				/* trim blank lines at both ends (whole lines only at the
				 * start, so columns stay right) */
				for (q = body; q < be && (*q == '\n' || *q == '\r' || *q == ' ' || *q == '\t'); q++)
					if (*q == '\n') {
						body = q + 1;
						body_line++;
					}
				while (be > body && (be[-1] == '\n' || be[-1] == '\r' || be[-1] == ' ' || be[-1] == '\t'))
					be--;
				if ((rc = parse_body(t, s, body, be, body_line, name, known, err)) < 0)
					goto done;
			}
			if (!r)
				break;
			/* order: [about] [system] (user assistant)* user */
			if (strcmp(r, "about") != 0) {
				const char *want = !prev ? NULL : strcmp(prev, "user") == 0 ? "assistant" : "user";
				if ((strcmp(r, "system") == 0 && prev) ||
				    (strcmp(r, "system") != 0 && want && strcmp(r, want) != 0) ||
				    (!prev && strcmp(r, "assistant") == 0)) {
					rc = cf_error_set(err, CF_ECONFIG, "%s:%ld:1: section '%s' out of "
					        "order: [system], then user and assistant alternate, "
					        "starting and ending with user", name, line, r);
					goto done;
				}
				prev = r;
			}
			role = r;
			body = nl < e ? nl + 1 : e;
			body_line = line + 1;
			hdr_line = line;
		}
		if (nl == e)
			break;
	}
	if (sectioned == 0) {
		section *s = &t->sec[t->nsec++];
		char *be = e;
		s->role = "user";
		while (be > body && (be[-1] == '\n' || be[-1] == '\r' || be[-1] == ' ' || be[-1] == '\t'))
			be--;
		if ((rc = parse_body(t, s, body, be, body_line, name, known, err)) < 0)
			goto done;
	}
	if (t->nsec == 0 || strcmp(t->sec[t->nsec - 1].role, "user") != 0) {
		rc = cf_error_set(err, CF_ECONFIG, "%s:%ld:1: a template must end with a "
		                  "'### user' section (the query)", name, line);
		goto done;
	}
	if ((rc = prepare_json(t)) < 0)
		rc = cf_error_set(err, rc, "out of memory");
done:
	if (rc < 0)
		cf_template_free(&t);
	*out = t;
	return rc;
}

int cf_template_load(cf_template **out, const char *path,
                     const char *const *known, cf_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if (!f)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	if (!(buf = malloc(TPL_MAX_BYTES + 1))) {
		fclose(f);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	n = fread(buf, 1, TPL_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	else if (n > TPL_MAX_BYTES)
		rc = cf_error_set(err, CF_ECONFIG, "%s: larger than %u bytes", path,
		                  TPL_MAX_BYTES);
	else
		rc = cf_template_parse(out, path, buf, n, known, err);
	fclose(f);
	free(buf);
	return rc;
}

size_t cf_template_nvars(const cf_template *t) { return t->nvars; }
const char *cf_template_var(const cf_template *t, size_t i) { return t->vars[i]; }
const char *cf_template_name(const cf_template *t) { return t->name; }
const char *cf_template_sha256(const cf_template *t) { return t->hex; }

json_t *cf_template_render(const cf_template *t, const char *const *vals)
{
	json_t *msgs = json_array(), *m, *c;
	cf_buf buf = { 0 };
	size_t i, k;

	if (!msgs || cf_buf_reserve(&buf, 0) < 0)
		goto fail;
	for (i = 0; i < t->nsec; i++) {
		const section *s = &t->sec[i];
		buf.len = 0;
		for (k = 0; k < s->n; k++) {
			const char *src = s->pieces[k].lit;
			size_t n = s->pieces[k].len;
			if (!src) {
				src = vals[s->pieces[k].var] ? vals[s->pieces[k].var] : "";
				n = strlen(src);
			}
			if (cf_buf_put(&buf, src, n) < 0)
				goto fail;
		}
		if (!(c = json_stringn(buf.p, buf.len)))
			goto fail;
		m = json_object();
		if (!m || json_object_set_new(m, "role", json_string(s->role)) < 0 ||
		    json_object_set_new(m, "content", c) < 0 ||
		    json_array_append_new(msgs, m) < 0) {
			json_decref(m);
			goto fail;
		}
	}
	cf_buf_free(&buf);
	return msgs;
fail:
	cf_buf_free(&buf);
	json_decref(msgs);
	return NULL;
}

int cf_template_write_json(const cf_template *t, const char *const *vals,
                           int sorted, cf_jbuf *b)
{
	size_t i, k, n, at;
	const char *v;
	int nul;

	if (t->lit_bad)
		return 1;
	if (cf_jbuf_put(b, "[", 1) < 0)
		return -1;
	for (i = 0; i < t->nsec; i++) {
		const section *s = &t->sec[i];
		/* roles are "system", "user" and "assistant": nothing to escape */
		if ((i && cf_jbuf_put(b, ",", 1) < 0) ||
		    (!sorted && (cf_jbuf_put(b, "{\"role\":\"", 9) < 0 ||
		                 cf_jbuf_put(b, s->role, strlen(s->role)) < 0 ||
		                 cf_jbuf_put(b, "\",\"content\":\"", 13) < 0)) ||
		    (sorted && cf_jbuf_put(b, "{\"content\":\"", 12) < 0))
			return -1;
		for (k = 0; k < s->n; k++) {
			const piece *pc = &s->pieces[k];
			if (pc->lit) {
				if (cf_jbuf_put(b, pc->esc, pc->esc_len) < 0)
					return -1;
				continue;
			}
			v = vals[pc->var] ? vals[pc->var] : "";
			n = strlen(v);
			if (cf_utf8_check(v, n, &nul) < n)
				return 1;
			/* the writer adds quotes: write them over */
			at = b->len;
			if (cf_json_write_string(b, v, n) < 0)
				return -1;
			memmove(b->p + at, b->p + at + 1, b->len - at - 2);
			b->len -= 2;
		}
		if ((!sorted && cf_jbuf_put(b, "\"}", 2) < 0) ||
		    (sorted && (cf_jbuf_put(b, "\",\"role\":\"", 10) < 0 ||
		                cf_jbuf_put(b, s->role, strlen(s->role)) < 0 ||
		                cf_jbuf_put(b, "\"}", 2) < 0)))
			return -1;
	}
	return cf_jbuf_put(b, "]", 1);
}

void cf_template_free(cf_template **tp)
{
	cf_template *t = tp ? *tp : NULL;
	size_t i, k;

	if (!t)
		return;
	for (i = 0; i < t->nsec; i++) {
		for (k = 0; k < t->sec[i].n; k++)
			free(t->sec[i].pieces[k].esc);
		free(t->sec[i].pieces);
	}
	for (i = 0; i < t->nvars; i++)
		free(t->vars[i]);
	free(t->vars);
	free(t->text);
	free(t->name);
	free(t);
	*tp = NULL;
}
