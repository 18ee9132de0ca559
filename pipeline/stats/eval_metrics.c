/*
 * eval_metrics.c - see eval_metrics.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "eval_metrics.h"
#include "tokens.h"
#include "cfaug/util.h"

/* ---- proportions ------------------------------------------------------ */

void cf_eval_wilson(uint64_t k, uint64_t n, double z, cf_prop *out)
{
	double p, nn, den, mid, half;

	out->k = k;
	out->n = n;
	if (n == 0) {
		out->rate = out->lo = out->hi = NAN;
		return;
	}
	nn = (double)n;
	p = (double)k / nn;
	den = 1.0 + z * z / nn;
	mid = (p + z * z / (2 * nn)) / den;
	half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
	out->rate = p;
	out->lo = mid - half < 0 ? 0 : mid - half;
	out->hi = mid + half > 1 ? 1 : mid + half;
}

double cf_eval_norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

double cf_eval_norm_isf(double p)
{
	double lo = -40, hi = 40, mid;
	int i;

	if (!(p > 0 && p < 1))
		return NAN;
	/* sf is decreasing: bisection to double precision */
	for (i = 0; i < 200; i++) {
		mid = 0.5 * (lo + hi);
		if (cf_eval_norm_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

void cf_eval_two_prop(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                      double *diff, double *z, double *p)
{
	double p1, p2, pool, se;

	if (n1 == 0 || n2 == 0) {
		*diff = *z = *p = NAN;
		return;
	}
	p1 = (double)k1 / (double)n1;
	p2 = (double)k2 / (double)n2;
	*diff = p1 - p2;
	pool = (double)(k1 + k2) / (double)(n1 + n2);
	se = sqrt(pool * (1 - pool) * (1.0 / (double)n1 + 1.0 / (double)n2));
	if (!(se > 0)) {
		*z = 0;
		*p = 1;
		return;
	}
	*z = *diff / se;
	*p = 2 * cf_eval_norm_sf(fabs(*z));
	if (*p > 1)
		*p = 1;
}

/* ---- agreement -------------------------------------------------------- */

double cf_eval_kappa(const int *a, const int *b, size_t n, size_t K,
                     size_t *used)
{
	uint64_t *row = NULL, *col = NULL, agree = 0, N = 0;
	double po, pe = 0, kappa = NAN;
	size_t i;

	if (used)
		*used = 0;
	if (K == 0 || !(row = calloc(K, sizeof *row)) ||
	    !(col = calloc(K, sizeof *col)))
		goto done;
	for (i = 0; i < n; i++) {
		if (a[i] < 0 || b[i] < 0 || (size_t)a[i] >= K || (size_t)b[i] >= K)
			continue;
		row[a[i]]++;
		col[b[i]]++;
		agree += a[i] == b[i];
		N++;
	}
	if (used)
		*used = (size_t)N;
	if (N == 0)
		goto done;
	po = (double)agree / (double)N;
	for (i = 0; i < K; i++)
		pe += ((double)row[i] / (double)N) * ((double)col[i] / (double)N);
	if (1 - pe > 1e-12)
		kappa = (po - pe) / (1 - pe);
done:
	free(row);
	free(col);
	return kappa;
}

/* ---- texts as tokens -------------------------------------------------- */

int cf_evtext_set(cf_evtext *t, const char *const *texts, const size_t *lens,
                  size_t nf)
{
	size_t f;

	if (nf > CF_EVAL_MAX_FIELDS)
		return CF_EINTERNAL;
	t->nf = nf;
	for (f = 0; f < nf; f++) {
		const char *s = texts[f] ? texts[f] : "";
		size_t len = texts[f] ? (lens ? lens[f] : strlen(s)) : 0;
		size_t need = cf_tokens_hash(s, len, t->tok[f], t->cap[f]);

		if (need > t->cap[f]) {
			uint64_t *nv = realloc(t->tok[f], need * sizeof *nv);

			if (!nv)
				return CF_ENOMEM;
			t->tok[f] = nv;
			t->cap[f] = need;
			cf_tokens_hash(s, len, t->tok[f], t->cap[f]);
		}
		t->n[f] = need;
	}
	return 0;
}

size_t cf_evtext_len(const cf_evtext *t)
{
	size_t f, n = 0;

	for (f = 0; f < t->nf; f++)
		n += t->n[f];
	return n;
}

void cf_evtext_clear(cf_evtext *t)
{
	size_t f;

	for (f = 0; f < CF_EVAL_MAX_FIELDS; f++)
		free(t->tok[f]);
	memset(t, 0, sizeof *t);
}

int cf_evtext_distance(const cf_evtext *a, const cf_evtext *b, size_t *d)
{
	size_t f, sum = 0;

	for (f = 0; f < a->nf && f < b->nf; f++) {
		size_t x = cf_tokens_distance(a->tok[f], a->n[f], b->tok[f], b->n[f]);

		if (x == (size_t)-1)
			return CF_ENOMEM;
		sum += x;
	}
	*d = sum;
	return 0;
}

double cf_eval_norm_distance(size_t d, size_t orig_len)
{
	if (orig_len == 0)
		return d == 0 ? 0.0 : NAN;
	return (double)d / (double)orig_len;
}

double cf_eval_diversity(const cf_evtext *v, size_t m, int *rc)
{
	double sum = 0;
	size_t i, j, d, pairs = 0;

	if (m < 2)
		return NAN;
	for (i = 0; i < m; i++)
		for (j = i + 1; j < m; j++) {
			size_t li = cf_evtext_len(&v[i]), lj = cf_evtext_len(&v[j]);
			size_t mx = li > lj ? li : lj;

			if (cf_evtext_distance(&v[i], &v[j], &d) < 0) {
				if (rc)
					*rc = CF_ENOMEM;
				return NAN;
			}
			sum += mx ? (double)d / (double)mx : 0.0;
			pairs++;
		}
	return sum / (double)pairs;
}

/* A set of 64-bit keys (open addressing; key 0 is stored apart). */
typedef struct keyset {
	uint64_t *v;
	size_t cap, n;
	int has_zero;
} keyset;

static int keyset_add(keyset *s, uint64_t k)
{
	size_t i;

	if (k == 0) {
		s->n += !s->has_zero;
		s->has_zero = 1;
		return 0;
	}
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 64, j;
		uint64_t *nv = calloc(ncap, sizeof *nv);

		if (!nv)
			return CF_ENOMEM;
		for (j = 0; j < s->cap; j++) {
			if (!s->v[j])
				continue;
			for (i = s->v[j] & (ncap - 1); nv[i]; i = (i + 1) & (ncap - 1))
				;
			nv[i] = s->v[j];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	for (i = k & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == k)
			return 0;
	s->v[i] = k;
	s->n++;
	return 0;
}

int cf_eval_distinct_n(const cf_evtext *v, size_t m, int n,
                       uint64_t *distinct, uint64_t *total)
{
	keyset s = { 0 };
	size_t i, f, j;
	int rc = 0;

	*distinct = *total = 0;
	if (n < 1)
		return CF_EINTERNAL;
	for (i = 0; i < m; i++)
		for (f = 0; f < v[i].nf; f++)
			for (j = 0; j + (size_t)n <= v[i].n[f]; j++) {
				uint64_t h = cf_hash64(v[i].tok[f] + j,
				                       (size_t)n * sizeof(uint64_t), 0x6e67);

				if ((rc = keyset_add(&s, h)) < 0)
					goto done;
				(*total)++;
			}
	*distinct = s.n;
done:
	free(s.v);
	return rc;
}

/* ---- spurious tokens -------------------------------------------------- */

typedef struct zentry {
	uint64_t h;
	char *tok;            /* NULL: empty slot */
	uint64_t n;
	uint64_t *k;          /* per label, nk long */
	size_t nk;
} zentry;

struct cf_zstats {
	zentry *t;
	size_t cap, n;
	char *labels[CF_Z_MAX_LABELS];
	uint64_t label_docs[CF_Z_MAX_LABELS];
	size_t nlabels;
	uint64_t docs;
	/* scratch for one document */
	struct dtok { uint64_t h; size_t off, len; } *dt;
	size_t dtcap;
	char *buf;
	size_t bufcap;
};

int cf_zstats_new(cf_zstats **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : CF_ENOMEM;
}

static int is_word(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static zentry *zfind(const cf_zstats *z, uint64_t h, const char *tok, size_t len)
{
	size_t i;

	if (!z->cap)
		return NULL;
	for (i = h & (z->cap - 1); z->t[i].tok; i = (i + 1) & (z->cap - 1))
		if (z->t[i].h == h && !strncmp(z->t[i].tok, tok, len) &&
		    !z->t[i].tok[len])
			return &z->t[i];
	return NULL;
}

static int zgrow(cf_zstats *z)
{
	size_t ncap = z->cap ? 2 * z->cap : 1024, j, i;
	zentry *nt = calloc(ncap, sizeof *nt);

	if (!nt)
		return CF_ENOMEM;
	for (j = 0; j < z->cap; j++) {
		if (!z->t[j].tok)
			continue;
		for (i = z->t[j].h & (ncap - 1); nt[i].tok; i = (i + 1) & (ncap - 1))
			;
		nt[i] = z->t[j];
	}
	free(z->t);
	z->t = nt;
	z->cap = ncap;
	return 0;
}

static int cmp_dtok(const void *a, const void *b)
{
	const struct dtok *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

int cf_zstats_add(cf_zstats *z, const char *const *texts, const size_t *lens,
                  size_t nf, const char *label, cf_error *err)
{
	size_t f, li, nd = 0, used = 0, i;

	for (li = 0; li < z->nlabels; li++)
		if (!strcmp(z->labels[li], label))
			break;
	if (li == z->nlabels) {
		if (li == CF_Z_MAX_LABELS)
			return cf_error_set(err, CF_ELIMIT, "more than %d labels",
			                    CF_Z_MAX_LABELS);
		if (!(z->labels[li] = strdup(label)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		z->nlabels++;
	}
	/* the document's lower-cased word tokens, into buf */
	for (f = 0; f < nf; f++) {
		const unsigned char *s = (const unsigned char *)(texts[f] ? texts[f] : "");
		size_t len = texts[f] ? (lens ? lens[f] : strlen(texts[f])) : 0, p = 0;

		if (used + len > z->bufcap) {
			size_t nc = 2 * (used + len) + 64;
			char *nb = realloc(z->buf, nc);

			if (!nb)
				return cf_error_set(err, CF_ENOMEM, "out of memory");
			z->buf = nb;
			z->bufcap = nc;
		}
		while (p < len) {
			size_t start;

			if (!is_word(s[p])) {
				p++;
				continue;
			}
			start = used;
			while (p < len && is_word(s[p])) {
				unsigned char c = s[p++];

				z->buf[used++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			if (nd == z->dtcap) {
				size_t nc = z->dtcap ? 2 * z->dtcap : 256;
				struct dtok *ndt = realloc(z->dt, nc * sizeof *ndt);

				if (!ndt)
					return cf_error_set(err, CF_ENOMEM, "out of memory");
				z->dt = ndt;
				z->dtcap = nc;
			}
			z->dt[nd].off = start;
			z->dt[nd].len = used - start;
			z->dt[nd].h = cf_hash64(z->buf + start, used - start, 0x7a);
			nd++;
		}
	}
	qsort(z->dt, nd, sizeof *z->dt, cmp_dtok);
	for (i = 0; i < nd; i++) {
		const char *tok = z->buf + z->dt[i].off;
		size_t len = z->dt[i].len, j;
		zentry *e;

		/* once per document: skip repeats (same hash and same bytes) */
		for (j = i; j > 0 && z->dt[j - 1].h == z->dt[i].h; j--)
			if (z->dt[j - 1].len == len &&
			    !memcmp(z->buf + z->dt[j - 1].off, tok, len))
				break;
		if (j > 0 && z->dt[j - 1].h == z->dt[i].h)
			continue;
		if (!(e = zfind(z, z->dt[i].h, tok, len))) {
			size_t k;

			if (z->n >= CF_Z_MAX_TOKENS)
				return cf_error_set(err, CF_ELIMIT, "more than %u distinct "
				                    "tokens", CF_Z_MAX_TOKENS);
			if (2 * (z->n + 1) > z->cap && zgrow(z) < 0)
				return cf_error_set(err, CF_ENOMEM, "out of memory");
			for (k = z->dt[i].h & (z->cap - 1); z->t[k].tok;
			     k = (k + 1) & (z->cap - 1))
				;
			e = &z->t[k];
			if (!(e->tok = strndup(tok, len)))
				return cf_error_set(err, CF_ENOMEM, "out of memory");
			e->h = z->dt[i].h;
			z->n++;
		}
		if (e->nk <= li) {
			uint64_t *nk = realloc(e->k, z->nlabels * sizeof *nk);

			if (!nk)
				return cf_error_set(err, CF_ENOMEM, "out of memory");
			memset(nk + e->nk, 0, (z->nlabels - e->nk) * sizeof *nk);
			e->k = nk;
			e->nk = z->nlabels;
		}
		e->n++;
		e->k[li]++;
	}
	z->docs++;
	z->label_docs[li]++;
	return 0;
}

uint64_t cf_zstats_docs(const cf_zstats *z) { return z->docs; }
size_t cf_zstats_vocab(const cf_zstats *z) { return z->n; }

double cf_eval_z(uint64_t k, uint64_t n, double p0)
{
	if (n == 0 || !(p0 > 0 && p0 < 1))
		return NAN;
	return ((double)k / (double)n - p0) / sqrt(p0 * (1 - p0) / (double)n);
}

static double entry_z(const cf_zstats *z, const zentry *e, size_t li)
{
	uint64_t k = li < e->nk ? e->k[li] : 0;

	return cf_eval_z(k, e->n, (double)z->label_docs[li] / (double)z->docs);
}

static int cmp_ztok(const void *a, const void *b)
{
	const cf_ztoken *x = a, *y = b;
	double ax = fabs(x->z), ay = fabs(y->z);

	if (ax != ay)
		return ax > ay ? -1 : 1;
	return strcmp(x->token, y->token);
}

int cf_zstats_rank(const cf_zstats *z, uint64_t min_count, cf_ztoken **out,
                   size_t *nout)
{
	cf_ztoken *v;
	size_t i, l, n = 0;

	*out = NULL;
	*nout = 0;
	if (!(v = malloc((z->n ? z->n : 1) * sizeof *v)))
		return CF_ENOMEM;
	for (i = 0; i < z->cap; i++) {
		const zentry *e = &z->t[i];
		size_t best = 0;
		double bz = NAN;

		if (!e->tok || e->n < min_count)
			continue;
		for (l = 0; l < z->nlabels; l++) {
			double zz = entry_z(z, e, l);

			if (isfinite(zz) && (!isfinite(bz) || zz > bz)) {
				bz = zz;
				best = l;
			}
		}
		if (!isfinite(bz))
			continue;
		v[n].token = e->tok;
		v[n].label = z->labels[best];
		v[n].n = e->n;
		v[n].k = best < e->nk ? e->k[best] : 0;
		v[n].z = bz;
		n++;
	}
	qsort(v, n, sizeof *v, cmp_ztok);
	*out = v;
	*nout = n;
	return 0;
}

double cf_zstats_lookup(const cf_zstats *z, const char *token,
                        const char *label, uint64_t *n)
{
	size_t len = strlen(token), li;
	const zentry *e = zfind(z, cf_hash64(token, len, 0x7a), token, len);

	*n = e ? e->n : 0;
	if (!e)
		return NAN;
	for (li = 0; li < z->nlabels; li++)
		if (!strcmp(z->labels[li], label))
			return entry_z(z, e, li);
	return NAN;
}

void cf_zstats_free(cf_zstats **zp)
{
	cf_zstats *z;
	size_t i;

	if (!zp || !(z = *zp))
		return;
	for (i = 0; i < z->cap; i++) {
		free(z->t[i].tok);
		free(z->t[i].k);
	}
	for (i = 0; i < z->nlabels; i++)
		free(z->labels[i]);
	free(z->t);
	free(z->dt);
	free(z->buf);
	free(z);
	*zp = NULL;
}

/* ---- summaries -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int cf_eval_summary(const double *v, size_t n, cf_summary *s)
{
	double *c, sum = 0, ss = 0;
	size_t i, m = 0;

	s->n = 0;
	s->mean = s->sd = s->median = s->min = s->max = NAN;
	if (!(c = malloc((n ? n : 1) * sizeof *c)))
		return CF_ENOMEM;
	for (i = 0; i < n; i++)
		if (isfinite(v[i])) {
			c[m++] = v[i];
			sum += v[i];
		}
	if (m) {
		qsort(c, m, sizeof *c, cmp_double);
		s->n = m;
		s->mean = sum / (double)m;
		for (i = 0; i < m; i++)
			ss += (c[i] - s->mean) * (c[i] - s->mean);
		s->sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0.0;
		s->median = m % 2 ? c[m / 2] : 0.5 * (c[m / 2 - 1] + c[m / 2]);
		s->min = c[0];
		s->max = c[m - 1];
	}
	free(c);
	return 0;
}

void cf_eval_histogram(const double *v, size_t n, double lo, double hi,
                       size_t nbins, uint64_t *counts)
{
	size_t i;

	memset(counts, 0, nbins * sizeof *counts);
	if (!nbins || !(hi > lo))
		return;
	for (i = 0; i < n; i++) {
		double b;
		size_t k;

		if (!isfinite(v[i]))
			continue;
		b = (v[i] - lo) / (hi - lo) * (double)nbins;
		k = b < 0 ? 0 : b >= (double)nbins ? nbins - 1 : (size_t)b;
		counts[k]++;
	}
}
