/*
 * llm_parse.c - the llm stage's answer parsing (see llm_parse.h): picking
 * a sample's choice out of a completion, and reading its content as text
 * (trimmed, optionally between two markers) or as a JSON object (from the
 * first '{' to the last '}', so code fences and chatter around it do not
 * matter).  No state; allocation only through jansson.
 */
#include <string.h>
#include "json_parse.h"
#include "llm_parse.h"

json_t *cf_llm_choice(const json_t *choices, int k)
{
	json_t *entry;
	size_t ci;

	json_array_foreach(choices, ci, entry) {
		json_t *ix = json_object_get(entry, "index");
		if ((ix && json_integer_value(ix) == k) || (!ix && (int)ci == k))
			return entry;
	}
	return NULL;
}

json_t *cf_llm_cut_string(const char *str, size_t len, size_t max)
{
	if (len > max) {
		len = max;
		while (len && ((unsigned char)str[len] & 0xC0) == 0x80)
			len--;
	}
	return json_stringn(str, len);
}

static void trim(const char **b, size_t *n)
{
	while (*n && strchr(" \t\r\n", (*b)[0])) {
		(*b)++;
		(*n)--;
	}
	while (*n && strchr(" \t\r\n", (*b)[*n - 1]))
		(*n)--;
}

const char *cf_llm_parse_answer(const cf_llm_parse *p, const cf_item *it,
                                const char *content, json_t **edits)
{
	const char *b = content, *e, *a;
	size_t n, i, ol;
	int changed = 0;
	json_t *obj = NULL, *v;
	const char *reason = NULL;

	*edits = NULL;
	if (!content)
		return "no_content";
	n = strlen(content);
	if (p->between[0]) {
		if (!(a = strstr(content, p->between[0])))
			return "no_marker";
		b = a + strlen(p->between[0]);
		if (!(e = strstr(b, p->between[1])))
			return "no_marker";
		n = (size_t)(e - b);
	}
	if (!(*edits = json_object()))
		return "out_of_memory";
	if (!p->json_mode) {
		trim(&b, &n);
		if (!n) {
			reason = "empty";
			goto done;
		}
		if (!(v = json_stringn(b, n))) {
			reason = "invalid_utf8";
			goto done;
		}
		json_object_set_new(*edits, p->edit->v[0], v);
	} else {
		const char *o = memchr(b, '{', n), *c = NULL;
		for (i = n; i > 0; i--)
			if (b[i - 1] == '}') {
				c = b + i - 1;
				break;
			}
		if (!o || !c || c < o || !(obj = cf_json_parse(o, (size_t)(c - o) + 1, NULL)) ||
		    !json_is_object(obj)) {
			reason = "bad_json";
			goto done;
		}
		for (i = 0; i < p->edit->n; i++) {
			const char *t;
			v = json_object_get(obj, p->jfield ? p->jfield : p->edit->v[i]);
			if (!json_is_string(v)) {
				reason = "missing_field";
				goto done;
			}
			t = json_string_value(v);
			n = json_string_length(v);
			trim(&t, &n);
			if (!n) {
				reason = "empty";
				goto done;
			}
			json_object_set_new(*edits, p->edit->v[i], json_stringn(t, n));
		}
	}
	/* unchanged: every edited field equals the original (both trimmed) */
	for (i = 0; i < p->edit->n; i++) {
		const char *o = cf_item_text(it, p->edit->v[i], &ol);
		json_t *ed = json_object_get(*edits, p->edit->v[i]);
		if (!o) {
			changed = 1;
			continue;
		}
		trim(&o, &ol);
		if (ol != json_string_length(ed) || memcmp(o, json_string_value(ed), ol))
			changed = 1;
	}
	if (!changed)
		reason = "unchanged";
done:
	json_decref(obj);
	if (reason) {
		json_decref(*edits);
		*edits = NULL;
	}
	return reason;
}
