/*
 * zfilter.c - drops generated candidates until no token is a label shortcut
 * (z-statistic filtering, as in "Generating Data to Mitigate Spurious
 * Correlations in NLI Datasets", with Gardner et al.'s z of
 * pipeline/stats/eval_metrics.h).
 *
 * Consumes originals and candidates.  Originals are counted and emitted at
 * once (never dropped).  Candidates are held until flush(): the decision
 * needs the whole dataset.  At flush() the statistics cover the originals
 * (with their label) and every held candidate (with its target label); a
 * token's z is that of the label it leans to most, exactly as `cfaug eval
 * --spurious` ranks it (lower-cased words, once per document, label shares
 * p0 over all documents).  Then, greedily: take the token with the largest
 * z among those in at least min_count documents; drop the held candidate
 * that contains it, has the label it leans to and comes first in a seeded
 * order (cf_record_rand of the record id and the candidate's number); update
 * the counts of that candidate's tokens only (a max-heap keyed on z); repeat
 * until the largest z is <= tau.  A token whose label has no such candidate
 * left is set aside and the next one is tried.  The label shares p0 are
 * fixed during a pass and recomputed between passes, until a pass drops
 * nothing -- so the final figures are exact for what is emitted.  Dropped
 * candidates are rejected as "spurious_token" with {token, label, z_before};
 * the others are emitted (the runner restores input order).
 *
 * Limits: at most max_held candidates are held (past it the run stops with
 * CF_ELIMIT naming the option), and the runner's `window` must cover the
 * input, since every record after the first held candidate stays unfinished
 * (the runner says so when it fills: CF_STAGE_HOLDS).  Memory is the counts
 * per distinct token plus the token ids of the held candidates.  Unlabelled
 * items are not counted; an unlabelled candidate is emitted at once.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"
#include "eval_metrics.h"

#define TOP_N 10
#define NO_POS UINT32_MAX

typedef struct ztok {
	char *tok;
	uint64_t h;
	uint64_t n;           /* documents with the token */
	uint64_t *k;          /* per label, nk long */
	size_t nk;
} ztok;

typedef struct held {
	cf_item *it;          /* NULL once given away */
	uint64_t prio;        /* seeded order among candidates of one token */
	size_t off, n;        /* its distinct token ids: pool[off .. off+n) */
	uint32_t label;
} held;

typedef struct seg {      /* held candidates with one token and one label */
	uint32_t label;
	size_t cur, end;      /* into post[]; cur only moves past given-away ones */
} seg;

typedef struct zf_state {
	/* options */
	double tau;
	long min_count, max_held;
	cf_strlist fields_opt;
	const cf_strlist *fields;

	/* labels and counts */
	char *labels[CF_Z_MAX_LABELS];
	uint64_t label_docs[CF_Z_MAX_LABELS];
	size_t nlabels;
	uint64_t docs;
	ztok *v;
	size_t nv, capv;
	uint32_t *slots;      /* open addressing into v, NO_POS = empty */
	size_t nslots;

	/* held candidates */
	held *h;
	size_t nh, caph;
	uint32_t *pool;
	size_t npool, cappool;

	/* scratch for one document */
	char *buf;
	size_t capbuf;
	uint32_t *ids;
	size_t capids;

	/* flush: postings and heap */
	double p0[CF_Z_MAX_LABELS];
	double *key;
	uint32_t *lean, *pos, *heap;
	size_t nheap;

	/* figures */
	uint64_t dropped, passes;
	json_t *before, *after;
} zf_state;

static const cf_option zf_options[] = {
	{ "tau", CF_OPT_DOUBLE, offsetof(zf_state, tau), "3.0", 0, NULL, 0, 1e9,
	  NULL, "largest z a token may keep (Gardner et al.'s z for its label)" },
	{ "min_count", CF_OPT_INT, offsetof(zf_state, min_count), "5", 0, NULL, 1, 1e12,
	  NULL, "tokens in fewer documents are not judged" },
	{ "max_held", CF_OPT_INT, offsetof(zf_state, max_held), "100000", 0, NULL, 1, 1e9,
	  NULL, "most candidates held until end of input (more: the run stops)" },
	{ "fields", CF_OPT_STRLIST, offsetof(zf_state, fields_opt), NULL, 0, NULL, 0, 0,
	  NULL, "text fields whose tokens count (default: all)" },
	{ NULL }
};

/* ---- counting ------------------------------------------------------- */

static int is_word(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* Label id of name, registering it; -1 past CF_Z_MAX_LABELS or no memory. */
static int label_id(zf_state *s, const char *name, cf_error *err)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		if (!strcmp(s->labels[i], name))
			return (int)i;
	if (s->nlabels == CF_Z_MAX_LABELS)
		return cf_error_set(err, CF_ELIMIT, "more than %d labels", CF_Z_MAX_LABELS);
	if (!(s->labels[s->nlabels] = strdup(name)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	return (int)s->nlabels++;
}

static int grow_slots(zf_state *s)
{
	size_t ncap = s->nslots ? 2 * s->nslots : 1024, i, j;
	uint32_t *ns = malloc(ncap * sizeof *ns);

	if (!ns)
		return CF_ENOMEM;
	memset(ns, 0xff, ncap * sizeof *ns);
	for (i = 0; i < s->nv; i++) {
		for (j = s->v[i].h & (ncap - 1); ns[j] != NO_POS; j = (j + 1) & (ncap - 1))
			;
		ns[j] = (uint32_t)i;
	}
	free(s->slots);
	s->slots = ns;
	s->nslots = ncap;
	return 0;
}

/* Id of token tok[0..len), adding it; negative on error. */
static long token_id(zf_state *s, const char *tok, size_t len, cf_error *err)
{
	uint64_t h = cf_hash64(tok, len, 0x7a);
	size_t j;
	ztok *e;

	if (2 * (s->nv + 1) > s->nslots && grow_slots(s) < 0)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (j = h & (s->nslots - 1); s->slots[j] != NO_POS; j = (j + 1) & (s->nslots - 1)) {
		e = &s->v[s->slots[j]];
		if (e->h == h && !strncmp(e->tok, tok, len) && !e->tok[len])
			return (long)s->slots[j];
	}
	if (s->nv >= CF_Z_MAX_TOKENS)
		return cf_error_set(err, CF_ELIMIT, "more than %u distinct tokens",
		                    CF_Z_MAX_TOKENS);
	if (s->nv == s->capv) {
		size_t nc = s->capv ? 2 * s->capv : 1024;
		ztok *nv = realloc(s->v, nc * sizeof *nv);

		if (!nv)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		s->v = nv;
		s->capv = nc;
	}
	e = &s->v[s->nv];
	memset(e, 0, sizeof *e);
	if (!(e->tok = strndup(tok, len)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	e->h = h;
	s->slots[j] = (uint32_t)s->nv;
	return (long)s->nv++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The distinct token ids of item it into s->ids; *n gets their count. */
static int doc_tokens(zf_state *s, const cf_item *it, size_t *n, cf_error *err)
{
	size_t f, nd = 0, i, out;

	for (f = 0; f < s->fields->n; f++) {
		size_t len = 0, p = 0;
		const unsigned char *t =
			(const unsigned char *)cf_item_text(it, s->fields->v[f], &len);

		if (!t)
			continue;
		if (len > s->capbuf) {
			char *nb = realloc(s->buf, len);

			if (!nb)
				return cf_error_set(err, CF_ENOMEM, "out of memory");
			s->buf = nb;
			s->capbuf = len;
		}
		while (p < len) {
			size_t w = 0;
			long id;

			if (!is_word(t[p])) {
				p++;
				continue;
			}
			while (p < len && is_word(t[p])) {
				unsigned char c = t[p++];

				s->buf[w++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			if ((id = token_id(s, s->buf, w, err)) < 0)
				return (int)id;
			if (nd == s->capids) {
				size_t nc = s->capids ? 2 * s->capids : 256;
				uint32_t *ni = realloc(s->ids, nc * sizeof *ni);

				if (!ni)
					return cf_error_set(err, CF_ENOMEM, "out of memory");
				s->ids = ni;
				s->capids = nc;
			}
			s->ids[nd++] = (uint32_t)id;
		}
	}
	qsort(s->ids, nd, sizeof *s->ids, cmp_u32);
	for (i = 0, out = 0; i < nd; i++)
		if (!out || s->ids[out - 1] != s->ids[i])
			s->ids[out++] = s->ids[i];
	*n = out;
	return 0;
}

/* Count (sign +1) or uncount (-1) one document's tokens under label li. */
static int count_doc(zf_state *s, const uint32_t *ids, size_t n, size_t li,
                     int sign)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ztok *e = &s->v[ids[i]];

		if (e->nk <= li) {
			uint64_t *nk = realloc(e->k, s->nlabels * sizeof *nk);

			if (!nk)
				return CF_ENOMEM;
			memset(nk + e->nk, 0, (s->nlabels - e->nk) * sizeof *nk);
			e->k = nk;
			e->nk = s->nlabels;
		}
		e->n += (uint64_t)(int64_t)sign;
		e->k[li] += (uint64_t)(int64_t)sign;
	}
	s->docs += (uint64_t)(int64_t)sign;
	s->label_docs[li] += (uint64_t)(int64_t)sign;
	return 0;
}

/* ---- z and ranking -------------------------------------------------- */

static void set_p0(zf_state *s)
{
	size_t l;

	for (l = 0; l < s->nlabels; l++)
		s->p0[l] = s->docs ? (double)s->label_docs[l] / (double)s->docs : NAN;
}

/* The token's z for the label it leans to most (NAN when undefined). */
static double token_z(const zf_state *s, const ztok *e, uint32_t *lean)
{
	double best = NAN;
	size_t l;

	*lean = 0;
	for (l = 0; l < s->nlabels; l++) {
		double z = cf_eval_z(l < e->nk ? e->k[l] : 0, e->n, s->p0[l]);

		if (isfinite(z) && (!isfinite(best) || z > best)) {
			best = z;
			*lean = (uint32_t)l;
		}
	}
	return best;
}

/* a ranks before b: larger |z|, then token bytes (cf_zstats_rank's order). */
static int before(const zf_state *s, uint32_t a, double za, uint32_t b, double zb)
{
	if (fabs(za) != fabs(zb))
		return fabs(za) > fabs(zb);
	return strcmp(s->v[a].tok, s->v[b].tok) < 0;
}

/* The figures of the current counts: tokens above tau, largest z, top 10. */
static json_t *snapshot(zf_state *s)
{
	uint32_t top[TOP_N], lean;
	double ztop[TOP_N], z, maxz = NAN;
	size_t ntop = 0, i, j;
	uint64_t above = 0;
	json_t *arr = json_array(), *o;

	set_p0(s);
	for (i = 0; i < s->nv; i++) {
		if (s->v[i].n < (uint64_t)s->min_count)
			continue;
		z = token_z(s, &s->v[i], &lean);
		if (!isfinite(z))
			continue;
		if (fabs(z) > s->tau)
			above++;
		if (!isfinite(maxz) || fabs(z) > maxz)
			maxz = fabs(z);
		for (j = ntop; j > 0 && before(s, (uint32_t)i, z, top[j - 1], ztop[j - 1]); j--)
			if (j < TOP_N) {
				top[j] = top[j - 1];
				ztop[j] = ztop[j - 1];
			}
		if (j < TOP_N) {
			top[j] = (uint32_t)i;
			ztop[j] = z;
			if (ntop < TOP_N)
				ntop++;
		}
	}
	for (i = 0; i < ntop; i++) {
		const ztok *e = &s->v[top[i]];

		(void)token_z(s, e, &lean);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:f}",
		        "token", e->tok, "label", s->labels[lean], "n", (json_int_t)e->n,
		        "k", (json_int_t)(lean < e->nk ? e->k[lean] : 0), "z", ztop[i]));
	}
	o = json_pack("{s:I, s:o, s:o}", "tokens_above_tau", (json_int_t)above,
	              "max_z", isfinite(maxz) ? json_real(maxz) : json_null(), "top", arr);
	return o;
}

/* ---- the heap of tokens by z ------------------------------------------ */

static int heap_less(const zf_state *s, uint32_t a, uint32_t b)
{
	return before(s, a, s->key[a], b, s->key[b]);
}

static void heap_swap(zf_state *s, size_t i, size_t j)
{
	uint32_t t = s->heap[i];

	s->heap[i] = s->heap[j];
	s->heap[j] = t;
	s->pos[s->heap[i]] = (uint32_t)i;
	s->pos[s->heap[j]] = (uint32_t)j;
}

static void heap_fix(zf_state *s, size_t i)
{
	while (i > 0 && heap_less(s, s->heap[i], s->heap[(i - 1) / 2])) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nheap && heap_less(s, s->heap[l], s->heap[m]))
			m = l;
		if (r < s->nheap && heap_less(s, s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
}

static void heap_remove(zf_state *s, uint32_t t)
{
	size_t i = s->pos[t];

	if (i == NO_POS)
		return;
	s->pos[t] = NO_POS;
	if (i != --s->nheap) {
		s->heap[i] = s->heap[s->nheap];
		s->pos[s->heap[i]] = (uint32_t)i;
		heap_fix(s, i);
	}
}

/* Recompute token t's key and put it in the heap iff it is judged and
 * above tau. */
static void heap_update(zf_state *s, uint32_t t)
{
	double z = NAN;

	if (s->v[t].n >= (uint64_t)s->min_count)
		z = token_z(s, &s->v[t], &s->lean[t]);
	s->key[t] = z;
	if (!isfinite(z) || !(fabs(z) > s->tau)) {
		heap_remove(s, t);
	} else if (s->pos[t] == NO_POS) {
		s->heap[s->nheap] = t;
		s->pos[t] = (uint32_t)s->nheap++;
		heap_fix(s, s->nheap - 1);
	} else {
		heap_fix(s, s->pos[t]);
	}
}

/* ---- the greedy filter ------------------------------------------------ */

typedef struct postings {
	size_t *segoff;       /* per token: its segments segs[segoff[t] .. segoff[t+1]) */
	seg *segs;
	uint32_t *post;       /* held candidate indices, by (token, label, prio) */
} postings;

static const zf_state *sort_ctx;

static int cmp_post(const void *a, const void *b)
{
	const held *x = &sort_ctx->h[*(const uint32_t *)a];
	const held *y = &sort_ctx->h[*(const uint32_t *)b];

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Inverted index of held candidates by token, then label, then seeded
 * order: O(total tokens of held candidates) plus the sorts. */
static int build_postings(zf_state *s, postings *P)
{
	size_t *off = calloc(s->nv + 1, sizeof *off), *fill = NULL, i, j, t, nseg = 0;

	P->segoff = calloc(s->nv + 1, sizeof *P->segoff);
	P->post = malloc((s->npool ? s->npool : 1) * sizeof *P->post);
	P->segs = malloc((s->npool ? s->npool : 1) * sizeof *P->segs);
	fill = malloc((s->nv + 1) * sizeof *fill);
	if (!off || !P->segoff || !P->post || !P->segs || !fill) {
		free(off);
		free(fill);
		return CF_ENOMEM;
	}
	for (i = 0; i < s->nh; i++)
		for (j = 0; j < s->h[i].n; j++)
			off[s->pool[s->h[i].off + j] + 1]++;
	for (t = 0; t < s->nv; t++)
		off[t + 1] += off[t];
	memcpy(fill, off, (s->nv + 1) * sizeof *fill);
	for (i = 0; i < s->nh; i++)
		for (j = 0; j < s->h[i].n; j++)
			P->post[fill[s->pool[s->h[i].off + j]]++] = (uint32_t)i;
	sort_ctx = s;
	for (t = 0; t < s->nv; t++) {
		qsort(P->post + off[t], off[t + 1] - off[t], sizeof *P->post, cmp_post);
		P->segoff[t] = nseg;
		for (i = off[t]; i < off[t + 1]; i = j) {
			uint32_t l = s->h[P->post[i]].label;

			for (j = i; j < off[t + 1] && s->h[P->post[j]].label == l; j++)
				;
			P->segs[nseg].label = l;
			P->segs[nseg].cur = i;
			P->segs[nseg].end = j;
			nseg++;
		}
	}
	P->segoff[s->nv] = nseg;
	sort_ctx = NULL;
	free(off);
	free(fill);
	return 0;
}

/* The first held candidate still there with token t and label l, or -1. */
static long pick(zf_state *s, postings *P, uint32_t t, uint32_t l)
{
	size_t i;

	for (i = P->segoff[t]; i < P->segoff[t + 1]; i++) {
		seg *g = &P->segs[i];

		if (g->label != l)
			continue;
		while (g->cur < g->end && !s->h[P->post[g->cur]].it)
			g->cur++;
		return g->cur < g->end ? (long)P->post[g->cur] : -1;
	}
	return -1;
}

/* One pass with the label shares fixed; *dropped gets how many went. */
static int one_pass(cf_stage *st, zf_state *s, postings *P, uint64_t *dropped)
{
	size_t t, j;

	*dropped = 0;
	set_p0(s);
	s->nheap = 0;
	for (t = 0; t < s->nv; t++)
		s->pos[t] = NO_POS;
	for (t = 0; t < s->nv; t++)
		heap_update(s, (uint32_t)t);
	while (s->nheap) {
		uint32_t top = s->heap[0], l = s->lean[top];
		double z = s->key[top];
		long c = pick(s, P, top, l);
		held *h;
		json_t *detail;

		if (c < 0) {    /* nothing to drop for it: set it aside */
			heap_remove(s, top);
			continue;
		}
		h = &s->h[c];
		if (count_doc(s, s->pool + h->off, h->n, h->label, -1) < 0)
			return CF_ENOMEM;
		detail = json_pack("{s:s, s:s, s:f}", "token", s->v[top].tok,
		                   "label", s->labels[l], "z_before", z);
		cf_reject(st, h->it, "spurious_token", detail);
		h->it = NULL;
		(*dropped)++;
		for (j = 0; j < h->n; j++)
			heap_update(s, s->pool[h->off + j]);
	}
	return 0;
}

/* ---- the stage -------------------------------------------------------- */

static int zf_init(cf_stage *st, void *state, const cf_pipeline_info *info,
                   cf_error *err)
{
	zf_state *s = state;
	size_t i;
	int rc;

	if (!info->label_field)
		return cf_conf_error(err, info->conf_path, info->node,
		                     "stage '%s' needs labelled input (input.label_field)",
		                     cf_stage_name(st));
	if ((rc = cf_stage_fields(info, &s->fields_opt, &s->fields, err)) < 0)
		return rc;
	for (i = 0; i < info->labels->n; i++)
		if ((rc = label_id(s, info->labels->v[i], err)) < 0)
			goto fail;
	return 0;
fail:
	for (i = 0; i < s->nlabels; i++)
		free(s->labels[i]);
	s->nlabels = 0;
	return rc;
}

static int zf_process(cf_stage *st, void *state, cf_item *it, cf_error *err)
{
	zf_state *s = state;
	const char *label = cf_item_label(it);
	size_t n = 0;
	int li, rc;

	if (!label) {
		cf_emit(st, it);
		return 0;
	}
	if (cf_item_is_candidate(it) && s->nh == (size_t)s->max_held) {
		cf_reject(st, it, "max_held", NULL);
		return cf_error_set(err, CF_ELIMIT, "stage '%s' holds max_held (%ld) "
		        "candidates until end of input and record %llu (line %ld) brings "
		        "more: raise max_held (and the window)", cf_stage_name(st),
		        s->max_held, (unsigned long long)it->rec->recno, it->rec->line);
	}
	if ((rc = li = label_id(s, label, err)) < 0 ||
	    (rc = doc_tokens(s, it, &n, err)) < 0)
		goto fail;
	if ((rc = count_doc(s, s->ids, n, (size_t)li, +1)) < 0)
		goto oom;
	if (!cf_item_is_candidate(it)) {
		cf_emit(st, it);
		return 0;
	}
	if (s->nh == s->caph) {
		size_t nc = s->caph ? 2 * s->caph : 256;
		held *nh = realloc(s->h, nc * sizeof *nh);

		if (!nh)
			goto oom_uncount;
		s->h = nh;
		s->caph = nc;
	}
	if (s->npool + n > s->cappool) {
		size_t nc = 2 * (s->npool + n) + 1024;
		uint32_t *np = realloc(s->pool, nc * sizeof *np);

		if (!np)
			goto oom_uncount;
		s->pool = np;
		s->cappool = nc;
	}
	memcpy(s->pool + s->npool, s->ids, n * sizeof *s->ids);
	s->h[s->nh].it = it;
	s->h[s->nh].prio = cf_record_rand(st, it->rec,
	        0x7a66696c746572ULL ^ ((uint64_t)it->gen_stage << 32 | it->gen_index));
	s->h[s->nh].off = s->npool;
	s->h[s->nh].n = n;
	s->h[s->nh].label = (uint32_t)li;
	s->nh++;
	s->npool += n;
	return 0;
oom_uncount:
	(void)count_doc(s, s->ids, n, (size_t)li, -1);
oom:
	rc = cf_error_set(err, CF_ENOMEM, "out of memory");
fail:
	if (cf_item_is_candidate(it))
		cf_reject(st, it, "zfilter_failed", NULL);
	else
		cf_fail_record(st, it, "zfilter_failed");
	return rc;
}

static int zf_flush(cf_stage *st, void *state, cf_error *err)
{
	zf_state *s = state;
	postings P = { 0 };
	uint64_t dropped;
	size_t i;
	int rc = 0;

	json_decref(s->before);
	s->before = snapshot(s);
	s->key = malloc((s->nv ? s->nv : 1) * sizeof *s->key);
	s->lean = malloc((s->nv ? s->nv : 1) * sizeof *s->lean);
	s->pos = malloc((s->nv ? s->nv : 1) * sizeof *s->pos);
	s->heap = malloc((s->nv ? s->nv : 1) * sizeof *s->heap);
	if (!s->key || !s->lean || !s->pos || !s->heap || build_postings(s, &P) < 0) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	/* passes until one drops nothing: then the shares it used are exact */
	do {
		if ((rc = one_pass(st, s, &P, &dropped)) < 0) {
			rc = cf_error_set(err, rc, "out of memory");
			goto done;
		}
		s->passes++;
		s->dropped += dropped;
	} while (dropped);
	json_decref(s->after);
	s->after = snapshot(s);
done:
	for (i = 0; i < s->nh; i++)
		if (s->h[i].it) {
			cf_emit(st, s->h[i].it);
			s->h[i].it = NULL;
		}
	s->nh = 0;
	free(P.segoff);
	free(P.segs);
	free(P.post);
	free(s->key);
	free(s->lean);
	free(s->pos);
	free(s->heap);
	s->key = NULL;
	s->lean = s->pos = s->heap = NULL;
	return rc;
}

static int zf_report(cf_stage *st, void *state, json_t *out)
{
	zf_state *s = state;

	json_object_set_new(out, "candidates_dropped", json_integer((json_int_t)s->dropped));
	json_object_set_new(out, "passes", json_integer((json_int_t)s->passes));
	if (s->before)
		json_object_set(out, "before", s->before);
	if (s->after)
		json_object_set(out, "after", s->after);
	return 0;
}

static void zf_destroy(cf_stage *st, void *state)
{
	zf_state *s = state;
	size_t i;

	for (i = 0; i < s->nh; i++)
		cf_item_free(s->h[i].it);
	for (i = 0; i < s->nv; i++) {
		free(s->v[i].tok);
		free(s->v[i].k);
	}
	for (i = 0; i < s->nlabels; i++)
		free(s->labels[i]);
	free(s->v);
	free(s->slots);
	free(s->h);
	free(s->pool);
	free(s->buf);
	free(s->ids);
	json_decref(s->before);
	json_decref(s->after);
}

const cf_stage_kind cf_stage_zfilter = {
	.name = "zfilter",
	.summary = "hold candidates, then drop those carrying label-shortcut tokens (z > tau)",
	.state_size = sizeof(zf_state),
	.options = zf_options,
	.flags = CF_STAGE_ORIGINALS | CF_STAGE_CANDIDATES | CF_STAGE_HOLDS,
	.init = zf_init,
	.process = zf_process,
	.flush = zf_flush,
	.report = zf_report,
	.destroy = zf_destroy,
};
