/*
 * llm_wire.c - see llm_wire.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/conf.h"
#include "llm_wire.h"

/* json_dumps of v, as a new malloc'd string, or NULL. */
static char *dump(const json_t *v, size_t flags)
{
	return json_dumps(v, flags | JSON_COMPACT | JSON_ENCODE_ANY);
}

static char *join(const char *a, const char *b, const char *c, const char *d,
                  const char *e)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + strlen(e) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s%s%s", a, b, c, d, e);
	return p;
}

int cf_llm_wire_init(cf_llm_wire *w, const char *url, const char *model,
                     const json_t *params, long long stage_seed)
{
	json_t *js_url = json_string(url), *js_model = json_string(model);
	char *u = js_url ? dump(js_url, 0) : NULL, *m = js_model ? dump(js_model, 0) : NULL;
	char *p = dump(params, 0), *ps = dump(params, JSON_SORT_KEYS);
	int rc = -1;

	memset(w, 0, sizeof *w);
	w->key_seed = stage_seed;
	if (!u || !m || !p || !ps || p[0] != '{')
		goto done;
	/* the parameters without their braces, after a comma */
	p[strlen(p) - 1] = '\0';
	w->body_head = join("{\"model\":", m, ",\"messages\":", "", "");
	w->params = join(p[1] ? "," : "", p + 1, "", "", "");
	w->key_head = join("{\"base_url\":", u, ",\"messages\":", "", "");
	w->key_tail = join(",\"model\":", m, ",\"n\":", "", "");
	w->key_params = join(",\"params\":", ps, ",\"req_seed\":", "", "");
	if (w->body_head && w->params && w->key_head && w->key_tail && w->key_params)
		rc = 0;
done:
	if (rc < 0)
		cf_llm_wire_free(w);
	json_decref(js_url);
	json_decref(js_model);
	free(u);
	free(m);
	free(p);
	free(ps);
	return rc;
}

int cf_llm_wire_body(const cf_llm_wire *w, const char *messages, size_t len,
                     long long seed, int n, cf_jbuf *b)
{
	char num[64];
	int k = snprintf(num, sizeof num, ",\"seed\":%lld", seed);

	if (cf_jbuf_put(b, w->body_head, strlen(w->body_head)) < 0 ||
	    cf_jbuf_put(b, messages, len) < 0 || cf_jbuf_put(b, num, (size_t)k) < 0 ||
	    cf_jbuf_put(b, w->params, strlen(w->params)) < 0)
		return -1;
	if (n > 1) {
		k = snprintf(num, sizeof num, ",\"n\":%d", n);
		if (cf_jbuf_put(b, num, (size_t)k) < 0)
			return -1;
	}
	return cf_jbuf_put(b, "}", 1);
}

int cf_llm_wire_key(const cf_llm_wire *w, const char *sorted_messages, size_t len,
                    long long req_seed, int n, int choice, cf_jbuf *scratch,
                    char hex[65])
{
	char num[128], nb[32];
	unsigned char d[32];
	int kn = snprintf(nb, sizeof nb, "%d", n);
	int k = snprintf(num, sizeof num, "%lld,\"sample\":%d,\"seed\":%lld,\"v\":2}",
	                 req_seed, choice, w->key_seed);

	scratch->len = 0;
	if (cf_jbuf_put(scratch, w->key_head, strlen(w->key_head)) < 0 ||
	    cf_jbuf_put(scratch, sorted_messages, len) < 0 ||
	    cf_jbuf_put(scratch, w->key_tail, strlen(w->key_tail)) < 0 ||
	    cf_jbuf_put(scratch, nb, (size_t)kn) < 0 ||
	    cf_jbuf_put(scratch, w->key_params, strlen(w->key_params)) < 0 ||
	    cf_jbuf_put(scratch, num, (size_t)k) < 0)
		return -1;
	cf_sha256(scratch->p, scratch->len, d);
	cf_sha256_hex(d, hex);
	return 0;
}

void cf_llm_wire_free(cf_llm_wire *w)
{
	if (!w)
		return;
	free(w->body_head);
	free(w->params);
	free(w->key_head);
	free(w->key_tail);
	free(w->key_params);
	memset(w, 0, sizeof *w);
}
