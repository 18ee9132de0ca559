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
 * p0 over all documents, tokens in at least min_count documents judged).
 *
 * The objective, compared in this order: the number of tokens with z above
 * tau, then the sum of their excess z - tau.  Greedy with a check: take the
 * token with the largest z above tau; among the held candidates that carry
 * it with the label it leans to, compute the exact objective after dropping
 * each of the first SCAN in a seeded order (cf_record_rand of the record id
 * and candidate number) and drop the best one only if it makes the
 * objective strictly better; if none does, the token rests for REST steps
 * and the next one is tried.  When no token offers such a drop, a deep round
 * tries every token and every candidate (the first that helps is taken);
 * the filter stops when that finds none.  So the objective never gets
 * worse, the last state is the best seen, and no single drop of a candidate
 * carrying a token above tau (with its label) would improve it.
 * A drop moves the label shares p0 and with them every token's z: the
 * result of a drop is the objective with the shares after removing one
 * document of its label and no count changed, corrected on the candidate's
 * own tokens.  That needs only the tokens that can be above tau: those
 * above at the last rebase, those whose counts changed, and those whose
 * slack the shares' drift has used up (see drift()); the others provably
 * count for nothing.  Dropped candidates are rejected as "spurious_token"
 * with {token, label, z_before}; the others are emitted (the runner
 * restores input order).  The report gives the objective
 * (tokens_above_tau, excess), the largest z and the top ten before and
 * after; when tokens stay above tau a warning on stderr says so (the
 * originals carry them, or dropping would only trade them for others).
 *
 * Limits: every record after the first held candidate stays unfinished in
 * the runner until flush (CF_STAGE_HOLDS: the runner reads on past its
 * window), so this stage bounds it: at most max_held candidates, and at most
 * max_held_mb of memory estimated as HELD_FIXED + HELD_PER_BYTE x text
 * bytes per record and candidate from the first held candidate on; past
 * either the run stops with CF_ELIMIT naming the option.  Its own memory is
 * the counts per distinct token plus the held candidates' token ids (varint
 * deltas), and during flush postings and a decoded copy, 4 bytes an id
 * each, plus a per-step memo of 24 bytes per token and label and 24 per
 * candidate.  Unlabelled items are not counted; an unlabelled candidate is
 * emitted at once.  A held candidate's JSON trees are packed into one
 * compact string while held (pack_item); at the end of flush the working
 * memory is freed first, then the candidates are unpacked and given away
 * record by record in input order, and the runner writes the finished
 * groups every DRAIN_EVERY candidates (cf_stage_drain), so the whole input
 * is never unpacked at once (bench/zfilter_mem.sh: peak RSS about 7x the
 * input, was 14x; the output is byte-identical).
 *
 * Speed: within a step counts and shares are fixed, so each token's two z
 * for a drop of a label are computed once a step (drop_result's memo), a
 * token whose z count for nothing is skipped, and a deep scan fills in every
 * candidate's result at once by walking only the tokens that count through
 * their postings.  Every result is the same sum of the same terms in the
 * same order (ascending token id) as the plain evaluation: the output is
 * byte-identical to it (bench/zfilter_scale.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/sys/stage.h"
#include "eval_metrics.h"

#define TOP_N 10
/* What a record or candidate costs the run while this stage holds (the
 * runner keeps every record after the first held candidate: its parsed
 * fields, raw line and group; a candidate its texts and provenance; this
 * stage its token ids).  Measured on CAD reviews (docs/RELIABILITY.md):
 * peak RSS within this estimate. */
#define HELD_FIXED 1024
#define HELD_PER_BYTE 6
#define SCAN 32       /* candidates of a token compared before taking one */
#define REST 64       /* steps a token with no helpful drop is passed over */
#define NO_POS UINT32_MAX

typedef struct ztok {
	char *tok;
	uint64_t h;
	uint64_t n;           /* documents with the token */
	uint64_t *k;          /* per label, nk long */
	size_t nk;
} ztok;

typedef struct held {
	cf_item *it;          /* NULL once given away or dropped */
	cf_item *dropped;     /* dropped by greedy, rejected at the end of
	                         flush (after the working memory is freed) */
	json_t *why;          /* the drop's detail */
	char *packed;         /* its candidate fields, generator and notes as
	                         compact JSON while held (pack_item); NULL:
	                         not packed */
	uint64_t prio;        /* seeded order among candidates of one token */
	size_t off;           /* its token ids start at pool + off */
	uint32_t n, label;    /* how many ids; its target label */
} held;

/* What the filter minimises, compared in this order: the number of judged
 * tokens whose z is above tau, then the sum of their excess (z - tau). */
typedef struct zobj {
	uint64_t above;
	double excess;
} zobj;

typedef struct zf_state {
	/* options */
	double tau;
	long min_count, max_held, max_held_mb;
	const cf_strlist *text_fields;
	uint64_t held_bytes;  /* estimate: what the run holds because of us */
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

	/* held candidates; their distinct token ids, ascending, as varint
	 * deltas in pool (about 1.3 bytes an id instead of 4) */
	held *h;
	size_t nh, caph, maxn;
	unsigned char *pool;
	size_t npool, cappool, nids;
	uint64_t held_label[CF_Z_MAX_LABELS];

	/* scratch for one document */
	json_t *placeholder;  /* the cf of packed candidates (pack_item) */
	size_t *drop_order;   /* held indices in the order greedy dropped them */
	char *buf;
	size_t capbuf;
	uint32_t *ids;
	size_t capids;

	/* flush: judged tokens, those above tau, shares after one drop */
	double p0[CF_Z_MAX_LABELS];
	double isd0[CF_Z_MAX_LABELS];
	double *p0x, *isdx;   /* [L][L]: shares once a document of label L goes */
	double *inv, *sq;     /* 1/n and sqrt(n) for n <= ntab */
	uint64_t ntab;
	uint32_t *judged, *above, *lean;
	double *zabove;
	size_t njudged, nabove;
	double pref[CF_Z_MAX_LABELS];   /* shares at the last rebase */
	double isdref[CF_Z_MAX_LABELS];
	struct cold { double slack; uint32_t t; } *cold;   /* min-heap by slack */
	size_t ncold, capcold;
	double *slk;          /* per token: its slack now (heap entries may be stale) */
	uint32_t *w;          /* watched tokens */
	char *inw;
	size_t nw, nw_base;
	uint64_t rebases;

	/* figures */
	uint64_t dropped, steps, deep_rounds;
	uint64_t *rest;       /* per token: step before which a shallow scan skips it */
	/* drop_result's memo, valid for one step: [l*nv+t] step << 1 | token t
	 * counts in a drop of label l; then its two z in dz */
	uint64_t *hs;
	struct dz { double z1, z2; } *dz;
	uint64_t allstep[CF_Z_MAX_LABELS];   /* step every drop_result of label L
	                      * was filled in by drop_results_all() */
	uint32_t *flat;       /* held candidates' judged token ids, ascending */
	size_t *foff;         /* candidate i's are flat[foff[i] .. foff[i+1]) */
	struct dres { uint64_t step; zobj o; } *dres;   /* per held candidate: its
	                      * drop_result this step */
	json_t *before, *after;
} zf_state;

static const cf_option zf_options[] = {
	{ .key = "tau", .type = CF_OPT_DOUBLE,
	  .offset = offsetof(zf_state, tau), .def = "3.0", .max = 1e9,
	  .help = "largest z a token may keep (Gardner et al.'s z for its "
	  "label)" },
	{ .key = "min_count", .type = CF_OPT_INT,
	  .offset = offsetof(zf_state, min_count), .def = "5", .min = 1,
	  .max = 1e12, .help = "tokens in fewer documents are not judged" },
	{ .key = "max_held", .type = CF_OPT_INT,
	  .offset = offsetof(zf_state, max_held), .def = "100000", .min = 1,
	  .max = 1e9,
	  .help = "most candidates held until end of input (more: the run "
	  "stops)" },
	{ .key = "max_held_mb", .type = CF_OPT_INT,
	  .offset = offsetof(zf_state, max_held_mb), .def = "2048", .min = 1,
	  .max = 1e7,
	  .help = "most memory the run may hold for this stage, estimated as 1 "
	  "KB + 6 x text bytes per record and candidate from the first held "
	  "candidate on (more: the run stops)" },
	{ .key = "fields", .type = CF_OPT_STRLIST,
	  .offset = offsetof(zf_state, fields_opt),
	  .help = "text fields whose tokens count (default: all)" },
	{ .key = NULL }
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

/* Write ids[0..n) (ascending) as varint deltas at p; returns bytes. */
static size_t put_ids(unsigned char *p, const uint32_t *ids, size_t n)
{
	unsigned char *q = p;
	uint32_t prev = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		for (d = ids[i] - prev; d >= 0x80; d >>= 7)
			*q++ = (unsigned char)(d | 0x80);
		*q++ = (unsigned char)d;
		prev = ids[i];
	}
	return (size_t)(q - p);
}

/* Held candidate i's token ids into ids (room for s->maxn); their count. */
static size_t held_ids(const zf_state *s, size_t i, uint32_t *ids)
{
	const unsigned char *p = s->pool + s->h[i].off;
	uint32_t prev = 0, d;
	size_t j;
	int sh;

	for (j = 0; j < s->h[i].n; j++) {
		for (d = 0, sh = 0; *p & 0x80; sh += 7)
			d |= (uint32_t)(*p++ & 0x7f) << sh;
		d |= (uint32_t)*p++ << sh;
		ids[j] = prev += d;
	}
	return s->h[i].n;
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

/* The label shares with one document of label dl removed (dl >= nlabels:
 * none) into p, and 1 / sqrt(p (1 - p)) into isd (NAN where p is 0 or 1:
 * z is undefined for that label). */
static void shares(const zf_state *s, size_t dl, double *p, double *isd)
{
	uint64_t docs = s->docs - (dl < s->nlabels);
	size_t l;

	for (l = 0; l < s->nlabels; l++) {
		p[l] = docs ? (double)(s->label_docs[l] - (l == dl)) / (double)docs : NAN;
		isd[l] = p[l] > 0 && p[l] < 1 ? 1 / sqrt(p[l] * (1 - p[l])) : NAN;
	}
}

static void set_p0(zf_state *s)
{
	shares(s, s->nlabels, s->p0, s->isd0);
}

/* a ranks before b: larger |z|, then token bytes (cf_zstats_rank's order). */
static int before(const zf_state *s, uint32_t a, double za, uint32_t b, double zb)
{
	if (fabs(za) != fabs(zb))
		return fabs(za) > fabs(zb);
	return strcmp(s->v[a].tok, s->v[b].tok) < 0;
}

static double z_at(const zf_state *s, const ztok *e, uint64_t n, size_t dl,
                   const double *p, const double *isd, uint32_t *lean);

/* The figures of the current counts: tokens above tau, largest z, top 10. */
static json_t *snapshot(zf_state *s)
{
	uint32_t top[TOP_N], lean;
	double ztop[TOP_N], z, maxz = NAN;
	size_t ntop = 0, i, j;
	uint64_t above = 0;
	double excess = 0;
	json_t *arr = json_array(), *o;

	set_p0(s);
	for (i = 0; i < s->nv; i++) {
		if (s->v[i].n < (uint64_t)s->min_count)
			continue;
		z = z_at(s, &s->v[i], s->v[i].n, s->nlabels, s->p0, s->isd0, &lean);
		if (!isfinite(z))
			continue;
		if (fabs(z) > s->tau) {
			above++;
			excess += fabs(z) - s->tau;
		}
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

		(void)z_at(s, e, e->n, s->nlabels, s->p0, s->isd0, &lean);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:f}",
		        "token", e->tok, "label", s->labels[lean], "n", (json_int_t)e->n,
		        "k", (json_int_t)(lean < e->nk ? e->k[lean] : 0), "z", ztop[i]));
	}
	o = json_pack("{s:I, s:f, s:o, s:o}", "tokens_above_tau", (json_int_t)above,
	              "excess", excess, "max_z", isfinite(maxz) ? json_real(maxz) : json_null(), "top", arr);
	return o;
}

/* ---- the objective ---------------------------------------------------- */


/* a is strictly better than b (the excess with a margin for rounding:
 * sums taken in different orders may differ in the last bits). */
static int obj_better(const zobj *a, const zobj *b)
{
	if (a->above != b->above)
		return a->above < b->above;
	return a->excess < b->excess - 1e-9 * (1.0 + b->excess);
}

/* z of a token with n documents, k per label (minus one document of label
 * dl, or dl >= nlabels for none) under shares p (isd from shares()), for
 * the label it leans to most; NAN when not judged.  cf_eval_z's formula,
 * (k/n - p) / sqrt(p (1 - p) / n), with 1/n and sqrt(n) from tables. */
static double z_at(const zf_state *s, const ztok *e, uint64_t n, size_t dl,
                   const double *p, const double *isd, uint32_t *lean)
{
	double best = NAN, inv, sq;
	size_t l;

	*lean = 0;
	if (n < (uint64_t)s->min_count || n > s->ntab)
		return NAN;
	inv = s->inv[n];
	sq = s->sq[n];
	for (l = 0; l < s->nlabels; l++) {
		uint64_t k = (l < e->nk ? e->k[l] : 0) - (l == dl);
		double z = ((double)k * inv - p[l]) * sq * isd[l];

		if (isfinite(z) && (!isfinite(best) || z > best)) {
			best = z;
			*lean = (uint32_t)l;
		}
	}
	return best;
}

static void obj_add(zobj *o, double z, double tau, int sign)
{
	if (isfinite(z) && fabs(z) > tau) {
		o->above += (uint64_t)(int64_t)sign;
		o->excess += sign * (fabs(z) - tau);
	}
}

/* ---- the greedy filter ------------------------------------------------ */

/* Inverted index of held candidates by token, then label, then seeded
 * order: segment (t, l) is post[cur[t*L+l] .. end[t*L+l]); cur only moves
 * past candidates already dropped. */
typedef struct postings {
	uint32_t *cur, *end;
	uint32_t *post;
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

static void postings_free(postings *P)
{
	free(P->cur);
	free(P->end);
	free(P->post);
	memset(P, 0, sizeof *P);
}

/* Put the held candidates in (label, prio, arrival) order, the order of
 * every posting list: a walk down a list then reads per-candidate arrays
 * forwards.  Arrival order is not needed after this (the runner restores
 * input order on output). */
static int order_held(zf_state *s)
{
	uint32_t *ord = malloc((s->nh ? s->nh : 1) * sizeof *ord);
	held *nh = malloc((s->nh ? s->nh : 1) * sizeof *nh);
	size_t i;

	if (!ord || !nh) {
		free(ord);
		free(nh);
		return CF_ENOMEM;
	}
	for (i = 0; i < s->nh; i++)
		ord[i] = (uint32_t)i;
	sort_ctx = s;
	qsort(ord, s->nh, sizeof *ord, cmp_post);
	sort_ctx = NULL;
	for (i = 0; i < s->nh; i++)
		nh[i] = s->h[ord[i]];
	free(ord);
	free(s->h);
	s->h = nh;
	s->caph = s->nh ? s->nh : 1;
	return 0;
}

/* O(total tokens of held candidates) plus the sorts. */
static int build_postings(zf_state *s, postings *P)
{
	size_t L = s->nlabels, nseg = s->nv * L, i, j, t, nt;
	uint32_t *ids = NULL, *ord = NULL;
	int rc = CF_ENOMEM;

	P->cur = calloc(nseg + 1, sizeof *P->cur);
	P->end = calloc(nseg + 1, sizeof *P->end);
	P->post = malloc((s->npool ? s->npool : 1) * sizeof *P->post);
	ids = malloc((s->maxn ? s->maxn : 1) * sizeof *ids);
	ord = malloc((s->nh ? s->nh : 1) * sizeof *ord);
	if (!P->cur || !P->end || !P->post || !ids || !ord)
		goto done;
	/* count per token (end[] as counters), prefix sums, fill */
	for (i = 0; i < s->nh; i++) {
		nt = held_ids(s, i, ids);
		for (j = 0; j < nt; j++)
			P->end[ids[j] * L]++;
	}
	for (t = 0, j = 0; t < s->nv; t++) {
		size_t c = P->end[t * L];

		P->cur[t * L] = (uint32_t)j;
		P->end[t * L] = (uint32_t)j;
		j += c;
	}
	/* filled in (label, prio) order, so each token's list comes sorted */
	for (i = 0; i < s->nh; i++)
		ord[i] = (uint32_t)i;
	sort_ctx = s;
	qsort(ord, s->nh, sizeof *ord, cmp_post);
	sort_ctx = NULL;
	for (i = 0; i < s->nh; i++) {
		nt = held_ids(s, ord[i], ids);
		for (j = 0; j < nt; j++)
			P->post[P->end[ids[j] * L]++] = ord[i];
	}
	/* cut each token's list into labels */
	for (t = 0; t < s->nv; t++) {
		uint32_t a = P->cur[t * L], b = P->end[t * L], k;

		for (k = 0; k < L; k++) {
			uint32_t e = a;

			while (e < b && s->h[P->post[e]].label == k)
				e++;
			P->cur[t * L + k] = a;
			P->end[t * L + k] = e;
			a = e;
		}
	}
	rc = 0;
done:
	free(ids);
	free(ord);
	return rc;
}

/* ---- which tokens can count ------------------------------------------ *
 * A token's z moves with the label shares even when its own counts do not,
 * but slowly: |dz_l/dp_l| <= sqrt(n) / (2 (p_l (1 - p_l))^1.5).  So after a
 * rebase at shares pref, a token whose counts have not changed and whose z
 * was z_ref <= tau cannot pass tau while the shares have moved by less
 * than its slack (tau - z_ref) / sqrt(n) in that unit (drift()).  Only the
 * watched tokens -- above tau at the rebase, counts changed since, or slack
 * used up -- are swept per step; the others provably count for nothing. */

static void watch(zf_state *s, uint32_t t)
{
	if (!s->inw[t]) {
		s->inw[t] = 1;
		s->w[s->nw++] = t;
	}
}

/* The unwatched tokens wait in a min-heap by slack; an entry whose slack
 * is no longer the token's (it was re-slacked, or is watched) is stale. */
static void cold_sift(zf_state *s, size_t i)
{
	struct cold *h = s->cold, x = h[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		double ms = x.slack;

		if (l < s->ncold && h[l].slack < ms)
			m = l, ms = h[l].slack;
		if (l + 1 < s->ncold && h[l + 1].slack < ms)
			m = l + 1;
		if (m == i)
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = x;
}

static void cold_pop(zf_state *s)
{
	s->cold[0] = s->cold[--s->ncold];
	if (s->ncold)
		cold_sift(s, 0);
}

/* Token t's counts changed: its z at the rebase shares with the new counts
 * gives its new slack (watched if that fails to fit). */
static void reslack(zf_state *s, uint32_t t)
{
	const ztok *e = &s->v[t];
	uint32_t lean;
	size_t i;
	double z;

	if (s->inw[t] || e->n < (uint64_t)s->min_count)
		return;
	z = z_at(s, e, e->n, s->nlabels, s->pref, s->isdref, &lean);
	if (!isfinite(z) || z > s->tau || s->ncold == s->capcold) {
		watch(s, t);
		return;
	}
	s->slk[t] = (s->tau - z) / s->sq[e->n];
	for (i = s->ncold++; i > 0 && s->cold[(i - 1) / 2].slack > s->slk[t]; i = (i - 1) / 2)
		s->cold[i] = s->cold[(i - 1) / 2];
	s->cold[i].slack = s->slk[t];
	s->cold[i].t = t;
}

/* Start watching afresh at the current shares. */
static int rebase(zf_state *s)
{
	size_t i, out = 0, nc = 0;
	uint32_t lean;

	memcpy(s->pref, s->p0, s->nlabels * sizeof *s->pref);
	memcpy(s->isdref, s->isd0, s->nlabels * sizeof *s->isdref);
	for (i = 0; i < s->nw; i++)
		s->inw[s->w[i]] = 0;
	s->nw = 0;
	for (i = 0; i < s->njudged; i++) {
		uint32_t t = s->judged[i];
		const ztok *e = &s->v[t];
		double z;

		if (e->n < (uint64_t)s->min_count)
			continue;       /* counts only fall: gone for good */
		s->judged[out++] = t;
		z = z_at(s, e, e->n, s->nlabels, s->p0, s->isd0, &lean);
		if (!isfinite(z) || z > s->tau) {
			watch(s, t);
		} else {
			s->slk[t] = s->cold[nc].slack = (s->tau - z) / s->sq[e->n];
			s->cold[nc++].t = t;
		}
	}
	s->njudged = out;
	s->ncold = nc;
	for (i = nc / 2; i-- > 0;)
		cold_sift(s, i);
	s->nw_base = s->nw;
	s->rebases++;
	return 0;
}

/* How far shares v are from pref, in the unit of the slack. */
static double drift(const zf_state *s, const double *v)
{
	double d = 0;
	size_t l;

	for (l = 0; l < s->nlabels; l++) {
		double a = s->pref[l] * (1 - s->pref[l]), b = v[l] * (1 - v[l]);
		double m = a < b ? a : b, x;

		if (!(m > 0))
			return INFINITY;
		x = fabs(v[l] - s->pref[l]) / (2 * m * sqrt(m));
		if (x > d)
			d = x;
	}
	return d * (1 + 1e-9) + 1e-15;   /* rounding: err on watching more */
}

/* The objective now (p0 the current shares), the tokens above tau with
 * their z into s->above / s->zabove, and for every label L of a held
 * candidate the objective after one document of L is removed with no
 * token count changed (sh[L]): a drop's exact result is then sh[L]
 * corrected on the candidate's own tokens only. */
static void survey(zf_state *s, zobj *now, zobj *sh)
{
	size_t i, l, L = s->nlabels, out = 0;
	uint32_t lean;
	double d;

	memset(now, 0, sizeof *now);
	memset(sh, 0, L * sizeof *sh);
	set_p0(s);
	for (l = 0; l < L; l++)
		shares(s, l, s->p0x + l * L, s->isdx + l * L);
	if (!s->rebases || s->nw > 2 * s->nw_base + 1024)
		rebase(s);
	d = drift(s, s->p0);
	for (l = 0; l < L; l++)
		if (s->held_label[l] && drift(s, s->p0x + l * L) > d)
			d = drift(s, s->p0x + l * L);
	while (s->ncold && s->cold[0].slack <= d) {
		uint32_t t = s->cold[0].t;

		if (!s->inw[t] && s->slk[t] == s->cold[0].slack)
			watch(s, t);
		cold_pop(s);
	}
	s->nabove = 0;
	for (i = 0; i < s->nw; i++) {
		uint32_t t = s->w[i];
		const ztok *e = &s->v[t];
		double z;

		if (e->n < (uint64_t)s->min_count) {
			s->inw[t] = 0;
			continue;
		}
		s->w[out++] = t;
		z = z_at(s, e, e->n, L, s->p0, s->isd0, &lean);
		obj_add(now, z, s->tau, +1);
		if (isfinite(z) && fabs(z) > s->tau) {
			s->above[s->nabove] = t;
			s->zabove[s->nabove] = z;
			s->lean[s->nabove++] = lean;
		}
		for (l = 0; l < L; l++)
			if (s->held_label[l])
				obj_add(&sh[l], z_at(s, e, e->n, L, s->p0x + l * L, s->isdx + l * L, &lean),
				        s->tau, +1);
	}
	s->nw = out;
}

/* Token t's two z in a drop of a candidate of label l into the step's memo:
 * z1 to take out (NAN when t is unwatched: it counts 0 under these
 * shares), z2 (one document of l fewer) to put in; whether either counts. */
static void token_dz(zf_state *s, uint32_t t, uint32_t l)
{
	const double *p0 = s->p0x + l * s->nlabels, *isd = s->isdx + l * s->nlabels;
	const ztok *e = &s->v[t];
	struct dz *m = &s->dz[(size_t)l * s->nv + t];
	uint32_t lean;

	m->z1 = s->inw[t] ? z_at(s, e, e->n, s->nlabels, p0, isd, &lean) : NAN;
	m->z2 = z_at(s, e, e->n - 1, l, p0, isd, &lean);
	s->hs[(size_t)l * s->nv + t] = s->steps << 1 |
		((isfinite(m->z1) && fabs(m->z1) > s->tau) ||
		 (isfinite(m->z2) && fabs(m->z2) > s->tau));
}

/* The objective if held candidate c (label l) were dropped. */
static zobj drop_result(zf_state *s, size_t c, const zobj *shl)
{
	const held *h = &s->h[c];
	const uint64_t *hs = s->hs + (size_t)h->label * s->nv, now = s->steps << 1;
	const struct dz *dz = s->dz + (size_t)h->label * s->nv;
	zobj o = *shl;
	size_t j;

	if (s->dres[c].step == s->steps)   /* tried for another token this step */
		return s->dres[c].o;
	/* Counts and shares stay put within a step, so each token's two z for
	 * a drop of this label are computed once a step and then reused; a
	 * token neither of whose z is above tau adds nothing and is skipped
	 * (the same values added in the same order: the same result). */
	for (j = s->foff[c]; j < s->foff[c + 1]; j++) {
		uint32_t t = s->flat[j];

		if ((hs[t] | 1) != (now | 1))
			token_dz(s, t, h->label);
		if (hs[t] & 1) {
			obj_add(&o, dz[t].z1, s->tau, -1);
			obj_add(&o, dz[t].z2, s->tau, +1);
		}
	}
	s->dres[c].step = s->steps;
	s->dres[c].o = o;
	return o;
}

/* drop_result() of every live held candidate of label l at once, for a deep
 * scan: only the tokens that count add anything, so walk those (ascending,
 * as drop_result() does per candidate: the same sums) through their
 * postings instead of every candidate through all its tokens. */
static void drop_results_all(zf_state *s, postings *P, const zobj *shl, uint32_t l)
{
	const uint64_t *hs = s->hs + (size_t)l * s->nv, now = s->steps << 1;
	const struct dz *dz = s->dz + (size_t)l * s->nv;
	size_t i, j, seg;

	if (s->allstep[l] == s->steps)
		return;
	s->allstep[l] = s->steps;
	for (i = 0; i < s->nh; i++)
		if (s->h[i].label == l) {   /* dropped ones are never asked again */
			s->dres[i].o = *shl;
			s->dres[i].step = s->steps;
		}
	for (i = 0; i < s->njudged; i++) {
		uint32_t t = s->judged[i];

		seg = (size_t)t * s->nlabels + l;
		if (P->cur[seg] == P->end[seg])
			continue;   /* no candidate of l carries it */
		if ((hs[t] | 1) != (now | 1))
			token_dz(s, t, l);
		if (!(hs[t] & 1))
			continue;
		{   /* obj_add(z1, -1) then obj_add(z2, +1), terms computed once */
			double z1 = dz[t].z1, z2 = dz[t].z2;
			int h1 = isfinite(z1) && fabs(z1) > s->tau;
			int h2 = isfinite(z2) && fabs(z2) > s->tau;
			double x1 = -1 * (fabs(z1) - s->tau), x2 = +1 * (fabs(z2) - s->tau);
			uint64_t da = (uint64_t)((int64_t)h2 - h1);

			for (j = P->cur[seg]; j < P->end[seg]; j++) {
				zobj *o = &s->dres[P->post[j]].o;

				o->above += da;
				if (h1)
					o->excess += x1;
				if (h2)
					o->excess += x2;
			}
		}
	}
}

/* Among the held candidates with token t and label l: the first of the
 * first SCAN (seeded order) with the best result, or (deep) past them the
 * first that improves on now at all; -1 if none does. */
static long best_drop(zf_state *s, postings *P, uint32_t t, uint32_t l,
                      const zobj *now, const zobj *sh, int deep)
{
	size_t seg = (size_t)t * s->nlabels + l, i, seen = 0;
	long best = -1;
	zobj bo = *now;

	while (P->cur[seg] < P->end[seg] && !s->h[P->post[P->cur[seg]]].it)
		P->cur[seg]++;
	for (i = P->cur[seg]; i < P->end[seg]; i++) {
		uint32_t c = P->post[i];
		zobj o;

		if (!s->h[c].it)
			continue;
		if (seen++ >= SCAN && (best >= 0 || !deep))
			break;
		if (seen > SCAN)
			drop_results_all(s, P, &sh[l], l);
		o = drop_result(s, c, &sh[l]);
		if (obj_better(&o, &bo)) {
			bo = o;
			best = (long)c;
		}
	}
	return best;
}

/* ---- held candidates, packed ----------------------------------------- */

/* A held candidate's JSON trees (its text, the generator's provenance with
 * its edit spans, notes) cost several times their text in jansson nodes,
 * and zfilter holds every candidate of the input.  So, once its tokens are
 * counted, a candidate keeps them as one compact JSON string, and its cf
 * points at the stage's shared empty placeholder (still a candidate); its
 * trees are parsed back just before it is emitted or rejected.  jansson
 * keeps key order and prints reals round-trip exact (17 digits): the
 * trees come back equal, and the output byte-identical. */
static void pack_item(zf_state *s, held *h)
{
	cf_item *it = h->it;
	json_t *a = json_array();

	if (!a || !s->placeholder ||
	    json_array_append(a, it->cf) < 0 ||
	    json_array_append(a, it->generator ? it->generator : json_null()) < 0 ||
	    json_array_append(a, it->notes ? it->notes : json_null()) < 0 ||
	    !(h->packed = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY))) {
		json_decref(a);
		return;                /* out of memory: it stays unpacked */
	}
	json_decref(a);
	json_decref(it->cf);
	json_decref(it->generator);
	json_decref(it->notes);
	it->cf = json_incref(s->placeholder);
	it->generator = it->notes = NULL;
}

/* Restore the trees of h's item it (before it leaves the stage).
 * CF_ENOMEM. */
static int unpack_item(held *h, cf_item *it)
{
	json_t *a, *cf, *gen, *notes;

	if (!h->packed)
		return 0;
	a = json_loads(h->packed, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	cf = json_array_get(a, 0);
	if (!json_is_object(cf)) {
		json_decref(a);
		return CF_ENOMEM;      /* it parsed once: only memory can fail */
	}
	gen = json_array_get(a, 1);
	notes = json_array_get(a, 2);
	json_decref(it->cf);
	it->cf = json_incref(cf);
	it->generator = json_is_null(gen) ? NULL : json_incref(gen);
	it->notes = json_is_null(notes) ? NULL : json_incref(notes);
	json_decref(a);
	free(h->packed);
	h->packed = NULL;
	return 0;
}

/* Drop held candidates one at a time, each the best of those carrying the
 * token with the largest z that has one, and only if the objective gets
 * strictly better; stop when no such drop does. */
static int greedy(cf_stage *st, zf_state *s, postings *P, cf_error *err)
{
	zobj now, *sh = NULL;
	uint32_t *ids = malloc((s->maxn ? s->maxn : 1) * sizeof *ids);
	char *tried = calloc(s->nv ? s->nv : 1, 1);

	s->rest = calloc(s->nv ? s->nv : 1, sizeof *s->rest);
	s->dz = calloc(s->nv * s->nlabels + 1, sizeof *s->dz);
	s->hs = calloc(s->nv * s->nlabels + 1, sizeof *s->hs);
	memset(s->allstep, 0, sizeof s->allstep);
	s->foff = malloc((s->nh + 1) * sizeof *s->foff);
	s->flat = malloc((s->nids ? s->nids : 1) * sizeof *s->flat);
	s->dres = calloc(s->nh + 1, sizeof *s->dres);
	int rc = 0;

	sh = malloc(s->nlabels * sizeof *sh);
	if (!ids || !tried || !sh || !s->rest || !s->dz || !s->dres ||
	    !s->hs || !s->foff || !s->flat) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	/* decoded once; a token in fewer than min_count documents never counts
	 * again (counts only fall) */
	s->foff[0] = 0;
	for (size_t c = 0; c < s->nh; c++) {
		size_t j, n = held_ids(s, c, ids), f = s->foff[c];

		for (j = 0; j < n; j++)
			if (s->v[ids[j]].n >= (uint64_t)s->min_count)
				s->flat[f++] = ids[j];
		s->foff[c + 1] = f;
	}
	for (;;) {
		long c = -1;
		size_t i, ntried, a = 0;
		int deep;
		uint32_t t = 0, l = 0;
		double z = 0;
		held *h;

		survey(s, &now, sh);
		s->steps++;
		/* tokens above tau by |z| (ties: bytes), until one has a drop:
		 * first among the first SCAN candidates of each, then among all */
		for (deep = 0; c < 0 && deep < 2; deep++) {
			for (ntried = 0; c < 0 && ntried < s->nabove; ntried++) {
				for (i = 0, a = s->nabove; i < s->nabove; i++)
					if (!tried[s->above[i]] &&
					    (deep || s->rest[s->above[i]] <= s->steps) &&
					    (a == s->nabove ||
					    before(s, s->above[i], s->zabove[i], s->above[a],
					           s->zabove[a])))
						a = i;
				if (a == s->nabove)
					break;
				t = s->above[a];
				l = s->lean[a];
				z = s->zabove[a];
				tried[t] = 1;
				c = best_drop(s, P, t, l, &now, sh, deep);
				if (c < 0 && !deep)   /* rests a while; the deep round still tries it */
					s->rest[t] = s->steps + REST;
			}
			for (i = 0; i < s->nabove; i++)
				tried[s->above[i]] = 0;
			s->deep_rounds += deep;
		}
		if (c < 0)
			break;
		h = &s->h[c];
		(void)held_ids(s, (size_t)c, ids);
		count_doc(s, ids, h->n, h->label, -1);
		for (i = 0; i < h->n; i++)
			reslack(s, ids[i]);   /* counts changed: the old slack no longer holds */
		s->held_label[h->label]--;
		/* rejected by give_away, once the working memory is freed */
		h->why = json_pack("{s:s, s:s, s:f}", "token", s->v[t].tok,
		                   "label", s->labels[l], "z_before", z);
		h->dropped = h->it;
		h->it = NULL;
		s->drop_order[s->dropped++] = (size_t)c;
	}
done:
	free(ids);
	free(tried);
	free(s->rest);
	s->rest = NULL;
	free(s->dz);
	free(s->hs);
	free(s->foff);
	free(s->flat);
	s->hs = NULL;
	s->foff = NULL;
	s->flat = NULL;
	free(s->dres);
	s->dz = NULL;
	s->dres = NULL;
	free(sh);
	return rc;
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
	s->text_fields = info->text_fields;
	s->placeholder = json_object();      /* NULL: candidates stay unpacked */
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

	if (s->nh || cf_item_is_candidate(it)) {
		size_t f, len, bytes = HELD_FIXED;

		for (f = 0; f < s->text_fields->n; f++)
			if (cf_item_text(it, s->text_fields->v[f], &len))
				bytes += HELD_PER_BYTE * len;
		s->held_bytes += bytes;
		if (s->held_bytes > (uint64_t)s->max_held_mb << 20) {
			if (cf_item_is_candidate(it))
				cf_reject(st, it, "max_held", NULL);
			else
				cf_fail_record(st, it, "zfilter_max_held_mb");
			return cf_error_set(err, CF_ELIMIT, "stage '%s' holds records "
			        "until end of input and at record %llu (line %ld) they "
			        "would take more than max_held_mb (%ld MB, estimated): "
			        "raise max_held_mb, or run on a part of the input",
			        cf_stage_name(st), (unsigned long long)it->rec->recno,
			        it->rec->line, s->max_held_mb);
		}
	}
	if (!label) {
		cf_emit(st, it);
		return 0;
	}
	if (cf_item_is_candidate(it) && s->nh == (size_t)s->max_held) {
		cf_reject(st, it, "max_held", NULL);
		return cf_error_set(err, CF_ELIMIT, "stage '%s' holds max_held (%ld) "
		        "candidates until end of input and record %llu (line %ld) brings "
		        "more: raise max_held", cf_stage_name(st),
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
	if (s->npool + 5 * n > s->cappool) {
		size_t nc = 2 * (s->npool + 5 * n) + 4096;
		unsigned char *np = realloc(s->pool, nc);

		if (!np)
			goto oom_uncount;
		s->pool = np;
		s->cappool = nc;
	}
	s->h[s->nh].it = it;
	s->h[s->nh].prio = cf_record_rand(st, it->rec,
	        0x7a66696c746572ULL ^ ((uint64_t)it->gen_stage << 32 | it->gen_index));
	s->h[s->nh].off = s->npool;
	s->h[s->nh].n = (uint32_t)n;
	s->h[s->nh].label = (uint32_t)li;
	s->h[s->nh].packed = NULL;
	s->h[s->nh].dropped = NULL;
	s->h[s->nh].why = NULL;
	pack_item(s, &s->h[s->nh]);
	s->nh++;
	s->npool += put_ids(s->pool + s->npool, s->ids, n);
	s->nids += n;
	if (n > s->maxn)
		s->maxn = n;
	s->held_label[li]++;
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

/* Say on stderr when tau was not reached: the output still has tokens
 * above it that no allowed drop could lower. */
static void warn_unreached(const cf_stage *st, const zf_state *s)
{
	json_t *top = json_array_get(json_object_get(s->after, "top"), 0);
	json_int_t above = json_integer_value(json_object_get(s->after,
	                                                      "tokens_above_tau"));

	if (above <= 0)
		return;
	fprintf(stderr, "cfaug: warning: stage '%s' cannot reach tau %g: %lld tokens "
	        "stay above it (was %lld; largest z %.2f, '%s' for %s) and no drop "
	        "of a candidate lowers that further\n", cf_stage_name(st), s->tau,
	        (long long)above, (long long)json_integer_value(json_object_get(
	        s->before, "tokens_above_tau")), json_real_value(json_object_get(top, "z")),
	        json_string_value(json_object_get(top, "token")),
	        json_string_value(json_object_get(top, "label")));
}

/* ---- giving the held candidates away ----------------------------------- */

#define DRAIN_EVERY 256   /* candidates given away between two drains */

typedef struct rec_key { uint64_t recno; size_t i; } rec_key;

static int cmp_rec_key(const void *a, const void *b)
{
	const rec_key *x = a, *y = b;

	if (x->recno != y->recno)
		return x->recno < y->recno ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Reject held candidate h (dropped by greedy) or emit it, unpacked.
 * CF_ENOMEM when it cannot be unpacked (then rejected as zfilter_failed). */
static int give_one(cf_stage *st, held *h)
{
	cf_item *it = h->dropped ? h->dropped : h->it;

	h->it = h->dropped = NULL;
	if (unpack_item(h, it) < 0) {
		json_decref(h->why);
		h->why = NULL;
		cf_reject(st, it, "zfilter_failed", NULL);
		return CF_ENOMEM;
	}
	if (h->why) {
		cf_reject(st, it, "spurious_token", h->why);
		h->why = NULL;
	} else {
		cf_emit(st, it);
	}
	return 0;
}

/* Give every held candidate away, after the working memory is freed,
 * record by record in input order, so that finished groups are written on
 * the way (cf_stage_drain every DRAIN_EVERY) and the unpacked candidates
 * do not pile up.  Within a record the order is the one the output shows
 * (rejected.jsonl and augmented.jsonl list a record's candidates in the
 * order they were given away): its dropped ones in the order greedy
 * dropped them, then its kept ones in held order, as when the drops were
 * rejected during greedy and the rest emitted after.  Without memory for
 * that order: the same, all records at once, no drains.  Returns 0 or
 * CF_ENOMEM. */
static int give_away(cf_stage *st, zf_state *s)
{
	size_t i, j, k, nd = s->dropped, *seq = NULL, given = 0;
	rec_key *rk = NULL;
	int rc = 0;

	if (!s->nh)
		return 0;
	if (!(seq = malloc(s->nh * sizeof *seq)) ||
	    !(rk = malloc(s->nh * sizeof *rk)) || !s->drop_order) {
		for (i = 0; i < nd && s->drop_order; i++)
			if (give_one(st, &s->h[s->drop_order[i]]) < 0)
				rc = CF_ENOMEM;
		for (i = 0; i < s->nh; i++)
			if ((s->h[i].it || s->h[i].dropped) && give_one(st, &s->h[i]) < 0)
				rc = CF_ENOMEM;
		goto done;
	}
	for (i = 0; i < nd; i++)
		seq[s->drop_order[i]] = i;
	for (i = 0; i < s->nh; i++) {
		const held *h = &s->h[i];

		rk[i].recno = (h->it ? h->it : h->dropped)->rec->recno;
		rk[i].i = i;
	}
	qsort(rk, s->nh, sizeof *rk, cmp_rec_key);
	for (i = 0; i < s->nh; i = j) {
		for (j = i; j < s->nh && rk[j].recno == rk[i].recno; j++)
			;
		/* the record's dropped ones, by drop sequence (few: a scan) */
		for (;;) {
			size_t best = SIZE_MAX;

			for (k = i; k < j; k++)
				if (s->h[rk[k].i].dropped &&
				    (best == SIZE_MAX || seq[rk[k].i] < seq[rk[best].i]))
					best = k;
			if (best == SIZE_MAX)
				break;
			if (give_one(st, &s->h[rk[best].i]) < 0)
				rc = CF_ENOMEM;
		}
		for (k = i; k < j; k++)
			if (s->h[rk[k].i].it && give_one(st, &s->h[rk[k].i]) < 0)
				rc = CF_ENOMEM;
		given += j - i;
		if (given >= DRAIN_EVERY) {
			cf_stage_drain(st);
			given = 0;
		}
	}
done:
	free(seq);
	free(rk);
	return rc;
}

static int zf_flush(cf_stage *st, void *state, cf_error *err)
{
	zf_state *s = state;
	postings P = { 0 };
	size_t i, L = s->nlabels;
	int rc = 0;

	s->ntab = s->docs;
	s->inv = malloc((s->ntab + 1) * sizeof *s->inv);
	s->sq = malloc((s->ntab + 1) * sizeof *s->sq);
	if (!s->inv || !s->sq) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i <= s->ntab; i++) {
		s->inv[i] = i ? 1 / (double)i : NAN;
		s->sq[i] = sqrt((double)i);
	}
	json_decref(s->before);
	s->before = snapshot(s);
	s->p0x = malloc((L ? L * L : 1) * sizeof *s->p0x);
	s->isdx = malloc((L ? L * L : 1) * sizeof *s->isdx);
	s->judged = malloc((s->nv ? s->nv : 1) * sizeof *s->judged);
	s->above = malloc((s->nv ? s->nv : 1) * sizeof *s->above);
	s->lean = malloc((s->nv ? s->nv : 1) * sizeof *s->lean);
	s->zabove = malloc((s->nv ? s->nv : 1) * sizeof *s->zabove);
	s->capcold = 4 * (s->nv ? s->nv : 1);   /* room for re-slacked tokens; full: watched */
	s->cold = malloc(s->capcold * sizeof *s->cold);
	s->slk = malloc((s->nv ? s->nv : 1) * sizeof *s->slk);
	s->w = malloc((s->nv ? s->nv : 1) * sizeof *s->w);
	s->inw = calloc(s->nv ? s->nv : 1, 1);
	s->drop_order = malloc((s->nh ? s->nh : 1) * sizeof *s->drop_order);
	if (!s->drop_order || !s->p0x || !s->isdx || !s->judged || !s->above || !s->lean || !s->zabove ||
	    !s->cold || !s->slk || !s->w || !s->inw ||
	    order_held(s) < 0 || build_postings(s, &P) < 0) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0, s->njudged = 0; i < s->nv; i++)
		if (s->v[i].n >= (uint64_t)s->min_count)
			s->judged[s->njudged++] = (uint32_t)i;
	if ((rc = greedy(st, s, &P, err)) < 0)
		goto done;
	json_decref(s->after);
	s->after = snapshot(s);
	warn_unreached(st, s);
done:
	/* the working memory goes first: the candidates are unpacked below
	 * and the run holds them all until the end of flush */
	postings_free(&P);
	free(s->p0x);
	free(s->isdx);
	free(s->inv);
	free(s->sq);
	s->isdx = s->inv = s->sq = NULL;
	free(s->judged);
	free(s->above);
	free(s->lean);
	free(s->zabove);
	free(s->cold);
	free(s->slk);
	s->slk = NULL;
	free(s->w);
	free(s->inw);
	s->cold = NULL;
	s->w = NULL;
	s->inw = NULL;
	s->p0x = s->zabove = NULL;
	s->judged = s->above = s->lean = NULL;
	free(s->pool);             /* the held token ids: not read again */
	s->pool = NULL;
	s->npool = s->cappool = 0;
	if (give_away(st, s) < 0 && !rc)
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
	s->nh = 0;
	free(s->drop_order);
	s->drop_order = NULL;
	return rc;
}

static int zf_report(cf_stage *st, void *state, json_t *out)
{
	zf_state *s = state;

	json_object_set_new(out, "candidates_dropped", json_integer((json_int_t)s->dropped));
	json_object_set_new(out, "tau", json_real(s->tau));
	json_object_set_new(out, "held_mb_estimate",
	                    json_real((double)s->held_bytes / (1 << 20)));
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

	for (i = 0; i < s->nh; i++) {
		cf_item_free(s->h[i].it);
		cf_item_free(s->h[i].dropped);
		json_decref(s->h[i].why);
		free(s->h[i].packed);
	}
	free(s->drop_order);
	json_decref(s->placeholder);
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
