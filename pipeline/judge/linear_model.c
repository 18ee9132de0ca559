/*
 * linear_model.c - hashed n-gram features + multinomial logistic regression
 * (the built-in teacher; contract in linear_model.h).
 *
 * Training keeps every example's features in two flat arrays (bucket, value)
 * with per-field offsets, capped at CF_LM_MAX_NNZ entries.  After idf is
 * known the buckets seen in training are renumbered densely, so L-BFGS
 * works on nused x nlabels weights instead of 2^bits x nlabels.  Gradients
 * are summed over fixed ranges in a fixed order: the same data and seed give the
 * same bits.
 *
 * The model keeps one row of floats per bucket, [idf, w_0 .. w_K-1], so
 * scoring one feature touches one cache line.  The file stores only the
 * rows with idf > 0, little-endian, with its own length near the front (a
 * truncated file says so) and a CRC-32 at the end (a damaged one says so).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linear_model.h"
#include "shell_word.h"

/* Per-thread buffers of cf_lm_data_add_batch, kept between batches. */
typedef struct tok_buf {
	uint32_t *idx;              /* folded features, example after example */
	float *val;
	size_t cap, vcap;
	size_t *cnt;                /* per (example, field) */
	size_t cntcap;
	uint32_t *tmp;
	size_t tmpcap;
} tok_buf;

struct cf_lm_data {
	tok_buf tb[2];
	size_t nfields;
	size_t nblk;            /* feature blocks per example (nblocks) */
	char **fields;
	char *label_field;      /* NULL: not recorded */
	int bits, chars, pair;
	size_t n, cap;          /* examples */
	size_t *off;            /* n * nblk + 1 offsets into idx/val */
	uint32_t *lab;          /* label per example, index into labels */
	uint64_t *grp;          /* group key per example, 0: its own group;
	                           NULL: no groups given */
	size_t grp_cap;
	uint32_t *idx;          /* bucket, later dense column */
	float *val;             /* sublinear tf, later normalised tf-idf */
	size_t nnz, cap_nnz;
	char **labels;          /* in order of first appearance */
	size_t nlabels;
	uint32_t *scratch;
	size_t scratch_cap;
};

struct cf_lm {
	cf_lm_opts opts;
	size_t nlabels, nfields;
	char **labels, **fields;
	char *label_field;      /* NULL: not recorded */
	uint32_t nbuckets;
	size_t stride;          /* 1 + nlabels */
	float *tab;             /* nbuckets rows of [idf, w_0 .. w_K-1] */
	float *bias;
};

/* ---- hashing and features ------------------------------------------- */

#define FNV_OFF   0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define WORD_MAX  64            /* bytes of a word kept for char n-grams */

enum { KIND_UNI = 1, KIND_BI = 2, KIND_CHAR = 3, KIND_NEW = 4, KIND_OVL = 5 };

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27; x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint32_t to_bucket(uint64_t h, unsigned kind, unsigned field, int bits)
{
	h = mix64(h + 0x9e3779b97f4a7c15ull * (kind + 1) +
	          0xd6e8feb86659fd93ull * (field + 1));
	return (uint32_t)(h >> (64 - bits));
}

/* Byte classes: 0 for a separator, else the byte lower-cased (ASCII
 * letters and digits, and every byte >= 0x80, are word bytes). */
static const unsigned char word_byte[256] = {
#define R16(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, \
	x + 9, x + 10, x + 11, x + 12, x + 13, x + 14, x + 15
	/* 0x00-0x2f */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0-9 */ '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	0, 0, 0, 0, 0, 0,
	/* @ A-O */ 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
	'l', 'm', 'n', 'o',
	/* P-Z */ 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
	0, 0, 0, 0, 0,
	/* ` a-o */ 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
	'l', 'm', 'n', 'o',
	/* p-z */ 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
	0, 0, 0, 0, 0,
	R16(0x80), R16(0x90), R16(0xa0), R16(0xb0),
	R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0)
#undef R16
};

/* Length of an HTML line break "<br>", "<br/>", "<br />" at s, or 0. */
static size_t br_len(const char *s, size_t len)
{
	size_t i = 3;

	if (len < 4 || s[0] != '<' || (s[1] | 0x20) != 'b' || (s[2] | 0x20) != 'r')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == '/')
		i++;
	return i < len && s[i] == '>' ? i + 1 : 0;
}

size_t cf_lm_features(const char *text, size_t len, unsigned field,
                      int bucket_bits, int char_ngrams, uint32_t *out,
                      size_t cap)
{
	const unsigned char *t = (const unsigned char *)text;
	unsigned char w[WORD_MAX + 2];
	size_t n = 0, wl, i = 0;
	uint64_t h, prev = 0;
	int haveprev = 0;
	unsigned c;

#define EMIT(b) do { if (n < cap) out[n] = (b); n++; } while (0)
	for (;;) {
		/* separators; "<br />" is one, so its letters make no word */
		while (i < len && !word_byte[t[i]]) {
			size_t k = t[i] == '<' ? br_len(text + i, len - i) : 0;

			i += k ? k : 1;
		}
		if (i >= len)
			break;
		/* a word: hash while scanning */
		h = FNV_OFF;
		wl = 0;
		while (i < len && (c = word_byte[t[i]]) != 0) {
			h = (h ^ c) * FNV_PRIME;
			if (wl < WORD_MAX)
				w[1 + wl++] = (unsigned char)c;
			i++;
		}
		EMIT(to_bucket(h, KIND_UNI, field, bucket_bits));
		if (haveprev)
			EMIT(to_bucket(prev * 0x9e3779b97f4a7c15ull + h,
			               KIND_BI, field, bucket_bits));
		if (char_ngrams) {
			size_t pl = wl + 2, g, s, k;

			w[0] = ' ';
			w[pl - 1] = ' ';
			for (g = 3; g <= 5; g++)
				for (s = 0; s + g <= pl; s++) {
					uint64_t ch = FNV_OFF;

					for (k = 0; k < g; k++)
						ch = (ch ^ w[s + k]) * FNV_PRIME;
					EMIT(to_bucket(ch, KIND_CHAR, field, bucket_bits));
				}
		}
		prev = h;
		haveprev = 1;
	}
#undef EMIT
	return n;
}

/* Hashes of the words of text into h (sorted; duplicates kept); returns
 * how many, or SIZE_MAX when more than cap (the caller retries bigger). */
static size_t word_hashes(const char *text, size_t len, uint64_t *h,
                          size_t cap)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t n = 0, i = 0, a;
	unsigned c;

	for (;;) {
		uint64_t x = FNV_OFF;

		while (i < len && !word_byte[t[i]]) {
			size_t k = t[i] == '<' ? br_len(text + i, len - i) : 0;

			i += k ? k : 1;
		}
		if (i >= len)
			break;
		while (i < len && (c = word_byte[t[i]]) != 0) {
			x = (x ^ c) * FNV_PRIME;
			i++;
		}
		if (n == cap)
			return SIZE_MAX;
		/* insertion keeps h sorted: premises are sentences */
		for (a = n++; a > 0 && h[a - 1] > x; a--)
			h[a] = h[a - 1];
		h[a] = x;
	}
	return n;
}

static int has_hash(const uint64_t *h, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && h[lo] == x;
}

#define PAIR_STACK 256

size_t cf_lm_pair_features(const char *prem, size_t plen, const char *hyp,
                           size_t hlen, int bucket_bits, uint32_t *out,
                           size_t cap)
{
	const unsigned char *t = (const unsigned char *)hyp;
	uint64_t stack[PAIR_STACK], *ph = stack;
	size_t np, n = 0, i = 0, words = 0, fresh = 0, cap_h = PAIR_STACK;
	unsigned c;

	while ((np = word_hashes(prem, plen, ph, cap_h)) == SIZE_MAX) {
		if (ph != stack)
			free(ph);
		cap_h = plen / 2 + 1;      /* a word and a separator each */
		if (!(ph = malloc(cap_h * sizeof *ph)))
			return 0;          /* no pair features rather than a crash */
	}
#define EMIT(b) do { if (n < cap) out[n] = (b); n++; } while (0)
	for (;;) {
		uint64_t x = FNV_OFF;

		while (i < hlen && !word_byte[t[i]]) {
			size_t k = t[i] == '<' ? br_len(hyp + i, hlen - i) : 0;

			i += k ? k : 1;
		}
		if (i >= hlen)
			break;
		while (i < hlen && (c = word_byte[t[i]]) != 0) {
			x = (x ^ c) * FNV_PRIME;
			i++;
		}
		words++;
		if (!has_hash(ph, np, x)) {
			fresh++;
			EMIT(to_bucket(x, KIND_NEW, 1, bucket_bits));
		}
	}
	if (words) {
		/* share of the hypothesis found in the premise, in quarters, and
		 * the count of new words (0-4+) */
		EMIT(to_bucket(4 * (words - fresh) / words, KIND_OVL, 1, bucket_bits));
		EMIT(to_bucket(16 + (fresh < 4 ? fresh : 4), KIND_OVL, 1, bucket_bits));
	}
#undef EMIT
	if (ph != stack)
		free(ph);
	return n;
}

/* Upper bound of cf_lm_features' count for a text of len bytes: a word of
 * L bytes gives 2 word features and fewer than 3 (L + 2) char n-grams. */
static size_t feature_bound(size_t len, int char_ngrams)
{
	return char_ngrams ? 9 * len + 16 : 2 * len + 4;
}

/* Feature blocks of an example: one per text field, and with pair
 * features and two or more fields one more (block nf), field 1 against
 * field 0.  Each block is tf-idf normalised on its own, as scikit-learn's
 * one vectoriser per block. */
static size_t nblocks(size_t nf, int pair)
{
	return nf + (pair && nf >= 2);
}

/* Length of field f of an example (texts[0..nf), lens). */
static size_t text_len(const char *const *texts, const size_t *lens,
                       size_t f)
{
	return !texts[f] ? 0 : lens ? lens[f] : strlen(texts[f]);
}

/* The features of block b of an example (texts[0..nf), lens). */
static size_t block_features(const char *const *texts, const size_t *lens,
                             size_t nf, size_t b, int bits, int chars,
                             uint32_t *out, size_t cap)
{
	if (b < nf)
		return cf_lm_features(texts[b] ? texts[b] : "",
		                      text_len(texts, lens, b), (unsigned)b, bits,
		                      chars, out, cap);
	return cf_lm_pair_features(texts[0] ? texts[0] : "",
	                           text_len(texts, lens, 0),
	                           texts[1] ? texts[1] : "",
	                           text_len(texts, lens, 1), bits, out, cap);
}

/* Upper bound of block_features' count. */
static size_t block_bound(const char *const *texts, const size_t *lens,
                          size_t nf, size_t b, int chars)
{
	return b < nf ? feature_bound(text_len(texts, lens, b), chars) :
	       text_len(texts, lens, 1) + 4;   /* a word per 2 bytes, + 2 */
}

static void sort_u32(uint32_t *a, size_t n, uint32_t *tmp);

/* Sort a field's buckets and fold repeats: a[i] unique buckets, tf[i] their
 * sublinear tf.  Returns the number of distinct buckets. */
static size_t fold_counts(uint32_t *a, size_t n, float *tf, uint32_t *tmp)
{
	size_t i = 0, u = 0;

	sort_u32(a, n, tmp);
	while (i < n) {
		size_t j = i + 1;

		while (j < n && a[j] == a[i])
			j++;
		a[u] = a[i];
		tf[u] = j - i == 1 ? 1.0f : (float)(1.0 + log((double)(j - i)));
		u++;
		i = j;
	}
	return u;
}

/* Sort buckets (< 2^24): insertion sort when short, else an LSD radix
 * sort in three 8-bit passes through tmp (n entries) -- qsort was a third
 * of the scoring time. */
static void sort_u32(uint32_t *a, size_t n, uint32_t *tmp)
{
	size_t i, j, cnt[256];
	uint32_t *src = a, *dst = tmp, *t;
	int pass;

	if (n <= 48) {
		for (i = 1; i < n; i++) {
			uint32_t v = a[i];

			for (j = i; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	for (pass = 0; pass < 3; pass++) {
		int sh = 8 * pass;
		size_t sum = 0;

		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[(src[i] >> sh) & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i] >> sh) & 0xff]++] = src[i];
		t = src; src = dst; dst = t;
	}
	memcpy(a, src, n * sizeof *a);   /* three passes: the result is in tmp */
}

/* ---- options -------------------------------------------------------- */

void cf_lm_opts_default(cf_lm_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	/* chosen by cross-validation inside TRAIN (bench/teacher_cv.py): no
	 * dev split, 20 iterations had the best mean accuracy over four tasks;
	 * 15-100 iterations and early stopping on a 10% dev split were within
	 * 0.1 point or below */
	o->epochs = 20;
	o->dev_split = 0.0;
	o->char_ngrams = 0;
	/* pair features (two or more fields only): +8 to +12 points of CV
	 * accuracy inside CAD NLI TRAIN, sentiment (one field) unchanged */
	o->pair_features = 1;
	o->bucket_bits = 20;
	o->C = 10.0;
	o->patience = 10;
	o->refit = 1;
	o->threads = 2;
}

static int check_opts(const cf_lm_opts *o, cf_error *err)
{
	if (o->bucket_bits < CF_LM_MIN_BITS || o->bucket_bits > CF_LM_MAX_BITS)
		return cf_error_set(err, CF_EUSAGE,
		                    "bucket bits %d out of range [%d, %d]",
		                    o->bucket_bits, CF_LM_MIN_BITS, CF_LM_MAX_BITS);
	if (o->epochs < 1 || o->epochs > 100000)
		return cf_error_set(err, CF_EUSAGE, "epochs %d out of range [1, 100000]",
		                    o->epochs);
	if (!(o->dev_split >= 0.0 && o->dev_split <= 0.5))
		return cf_error_set(err, CF_EUSAGE, "dev split %g out of range [0, 0.5]",
		                    o->dev_split);
	if (!(o->C > 0.0) || !isfinite(o->C))
		return cf_error_set(err, CF_EUSAGE, "C must be a positive number");
	if (o->patience < 1)
		return cf_error_set(err, CF_EUSAGE, "patience must be >= 1");
	if (o->threads < 1 || o->threads > CF_LM_MAX_THREADS)
		return cf_error_set(err, CF_EUSAGE, "threads %d out of range [1, %d]",
		                    o->threads, CF_LM_MAX_THREADS);
	return 0;
}

/* ---- small helpers -------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Grow *p (elements of size sz) to hold at least need; cap in elements. */
static int grow(void **p, size_t *cap, size_t need, size_t sz, size_t max)
{
	size_t nc;
	void *q;

	if (need <= *cap)
		return 0;
	if (need > max)
		return CF_ELIMIT;
	nc = *cap ? *cap : 64;
	while (nc < need)
		nc = nc > max / 2 ? max : nc * 2;
	q = realloc(*p, nc * sz);
	if (!q)
		return CF_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* ---- the training set ----------------------------------------------- */

int cf_lm_data_new(cf_lm_data **out, const char *const *field_names,
                   size_t nfields, const cf_lm_opts *opts, cf_error *err)
{
	cf_lm_data *d = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = check_opts(opts, err)) < 0)
		return rc;
	if (nfields < 1 || nfields > CF_LM_MAX_FIELDS)
		return cf_error_set(err, CF_EUSAGE, "%zu text fields: need 1 to %d",
		                    nfields, CF_LM_MAX_FIELDS);
	rc = CF_ENOMEM;
	if (!(d = calloc(1, sizeof *d)) ||
	    !(d->fields = calloc(nfields, sizeof *d->fields)))
		goto done;
	d->nfields = nfields;
	for (i = 0; i < nfields; i++)
		if (!(d->fields[i] = strdup(field_names[i])))
			goto done;
	d->bits = opts->bucket_bits;
	d->chars = opts->char_ngrams;
	d->pair = opts->pair_features;
	d->nblk = nblocks(nfields, d->pair);
	rc = 0;
done:
	if (rc < 0) {
		cf_lm_data_free(&d);
		return cf_error_set(err, rc, "out of memory");
	}
	*out = d;
	return 0;
}

static int data_label(cf_lm_data *d, const char *label, uint32_t *out,
                      cf_error *err)
{
	size_t i;
	char **nl, *s;

	for (i = 0; i < d->nlabels; i++)
		if (!strcmp(d->labels[i], label)) {
			*out = (uint32_t)i;
			return 0;
		}
	if (d->nlabels >= CF_LM_MAX_LABELS)
		return cf_error_set(err, CF_ELIMIT, "more than %d distinct labels",
		                    CF_LM_MAX_LABELS);
	if (strlen(label) > CF_LM_MAX_NAME)
		return cf_error_set(err, CF_ELIMIT, "label longer than %d bytes",
		                    CF_LM_MAX_NAME);
	if (!(s = strdup(label)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (!(nl = realloc(d->labels, (d->nlabels + 1) * sizeof *nl))) {
		free(s);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	d->labels = nl;
	d->labels[d->nlabels] = s;
	*out = (uint32_t)d->nlabels++;
	return 0;
}

/* Room for one more example and n more features. */
static int data_reserve(cf_lm_data *d, size_t n, cf_error *err)
{
	size_t nf = d->nblk;

	if (d->nnz + n > CF_LM_MAX_NNZ)
		return cf_error_set(err, CF_ELIMIT,
		                    "training set too large: more than %llu features",
		                    (unsigned long long)CF_LM_MAX_NNZ);
	if (d->n + 1 > d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 256;
		uint32_t *nl = realloc(d->lab, nc * sizeof *nl);
		size_t *no;

		if (!nl)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		d->lab = nl;
		if (!(no = realloc(d->off, (nc * nf + 1) * sizeof *no)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		d->off = no;
		d->cap = nc;
	}
	if (d->nnz + n > d->cap_nnz) {
		size_t nc = d->cap_nnz ? d->cap_nnz : 65536;
		uint32_t *ni;
		float *nv;

		while (nc < d->nnz + n)
			nc *= 2;
		if (nc > CF_LM_MAX_NNZ)
			nc = CF_LM_MAX_NNZ;
		if (!(ni = realloc(d->idx, nc * sizeof *ni)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		d->idx = ni;
		if (!(nv = realloc(d->val, nc * sizeof *nv)))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		d->val = nv;
		d->cap_nnz = nc;
	}
	return 0;
}

int cf_lm_data_add(cf_lm_data *d, const char *const *texts,
                   const size_t *lens, const char *label, cf_error *err)
{
	size_t f, nf = d->nblk, base = d->n * nf, bound = 0, total = 0,
	       cnt[CF_LM_MAX_FIELDS + 1], src = 0, nnz;
	uint32_t li = 0;
	int rc;

	for (f = 0; f < nf; f++)
		bound += block_bound(texts, lens, d->nfields, f, d->chars);
	if ((rc = grow((void **)&d->scratch, &d->scratch_cap, 2 * bound,
	               sizeof *d->scratch, SIZE_MAX / 8)) < 0)
		return cf_error_set(err, rc, "out of memory");
	/* extract all fields first, so a failure leaves the set as it was */
	for (f = 0; f < nf; f++) {
		cnt[f] = block_features(texts, lens, d->nfields, f, d->bits,
		                        d->chars, d->scratch + total, bound - total);
		total += cnt[f];
	}
	if ((rc = data_reserve(d, total, err)) < 0 ||
	    (rc = data_label(d, label, &li, err)) < 0)
		return rc;
	nnz = d->nnz;
	for (f = 0; f < nf; f++) {
		memcpy(d->idx + nnz, d->scratch + src, cnt[f] * sizeof *d->idx);
		src += cnt[f];
		d->off[base + f] = nnz;
		nnz += fold_counts(d->idx + nnz, cnt[f], d->val + nnz,
		                   d->scratch + bound);
	}
	d->off[base + nf] = nnz;
	d->nnz = nnz;
	d->lab[d->n++] = li;
	return 0;
}

int cf_lm_data_set_groups(cf_lm_data *d, size_t first, size_t n,
                          const char *const *keys, const size_t *lens,
                          cf_error *err)
{
	size_t i, k;

	if (first > d->n || n > d->n - first)
		return cf_error_set(err, CF_EUSAGE, "groups for examples %zu..%zu "
		                    "of %zu", first, first + n, d->n);
	if (d->grp_cap < d->n) {
		size_t nc = d->cap > d->n ? d->cap : d->n;
		uint64_t *g = realloc(d->grp, nc * sizeof *g);

		if (!g)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		memset(g + d->grp_cap, 0, (nc - d->grp_cap) * sizeof *g);
		d->grp = g;
		d->grp_cap = nc;
	}
	for (i = 0; i < n; i++) {
		const char *key = keys[i];
		size_t len = !key ? 0 : lens ? lens[i] : strlen(key);
		uint64_t h = FNV_OFF;

		if (!key) {
			d->grp[first + i] = 0;
			continue;
		}
		for (k = 0; k < len; k++)
			h = (h ^ (unsigned char)key[k]) * FNV_PRIME;
		h = mix64(h ^ len);
		d->grp[first + i] = h ? h : 1;
	}
	return 0;
}

int cf_lm_data_set_label_field(cf_lm_data *d, const char *name,
                               cf_error *err)
{
	char *c = strdup(name);

	if (!c)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	free(d->label_field);
	d->label_field = c;
	return 0;
}

/* ---- adding a batch on two threads ------------------------------------ */

typedef struct tok_job {
	const cf_lm_data *d;
	const char *const *texts;   /* n * nfields */
	const size_t *lens;
	size_t lo, hi;              /* examples of this job */
	tok_buf *b;
	size_t nnz;
	int rc;
} tok_job;

static void *tok_run(void *arg)
{
	tok_job *j = arg;
	tok_buf *b = j->b;
	const cf_lm_data *d = j->d;
	size_t i, f, nf = d->nfields, nb = d->nblk;

	for (i = j->lo; i < j->hi; i++)
		for (f = 0; f < nb; f++) {
			const char *const *t = j->texts + i * nf;
			const size_t *l = j->lens ? j->lens + i * nf : NULL;
			size_t bound = block_bound(t, l, nf, f, d->chars), n;

			if ((j->rc = grow((void **)&b->idx, &b->cap, j->nnz + bound,
			                  sizeof *b->idx, CF_LM_MAX_NNZ + bound)) < 0 ||
			    (j->rc = grow((void **)&b->tmp, &b->tmpcap, bound,
			                  sizeof *b->tmp, SIZE_MAX / 8)) < 0)
				return NULL;
			if (b->vcap != b->cap) {
				float *v = realloc(b->val, b->cap * sizeof *b->val);

				if (!v) {
					j->rc = CF_ENOMEM;
					return NULL;
				}
				b->val = v;
				b->vcap = b->cap;
			}
			n = block_features(t, l, nf, f, d->bits, d->chars,
			                   b->idx + j->nnz, bound);
			n = fold_counts(b->idx + j->nnz, n, b->val + j->nnz, b->tmp);
			b->cnt[(i - j->lo) * nb + f] = n;
			j->nnz += n;
		}
	return NULL;
}

int cf_lm_data_add_batch(cf_lm_data *d, size_t n, const char *const *texts,
                         const size_t *lens, const char *const *labels,
                         int threads, cf_error *err)
{
	tok_job j[2];
	pthread_t th;
	size_t c, i, f, nf = d->nblk;
	int started = 0, rc = 0;

	memset(j, 0, sizeof j);
	for (c = 0; c < 2; c++) {
		j[c].d = d;
		j[c].texts = texts;
		j[c].lens = lens;
		j[c].lo = c ? n / 2 : 0;
		j[c].hi = c ? n : n / 2;
		j[c].b = &d->tb[c];
		if (grow((void **)&d->tb[c].cnt, &d->tb[c].cntcap,
		         (j[c].hi - j[c].lo) * nf + 1, sizeof *d->tb[c].cnt,
		         SIZE_MAX / 16) < 0) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (threads > 1 && n >= 16)
		started = pthread_create(&th, NULL, tok_run, &j[1]) == 0;
	tok_run(&j[0]);
	if (started)
		pthread_join(th, NULL);
	else
		tok_run(&j[1]);
	for (c = 0; c < 2; c++)
		if (j[c].rc < 0) {
			rc = cf_error_set(err, j[c].rc, j[c].rc == CF_ELIMIT ?
			                  "training set too large" : "out of memory");
			goto done;
		}
	/* append in input order */
	for (c = 0; c < 2; c++) {
		size_t src = 0;

		for (i = j[c].lo; i < j[c].hi; i++) {
			const size_t *cnt = d->tb[c].cnt + (i - j[c].lo) * nf;
			size_t total = 0, nnz;
			uint32_t li;

			for (f = 0; f < nf; f++)
				total += cnt[f];
			if ((rc = data_reserve(d, total, err)) < 0 ||
			    (rc = data_label(d, labels[i], &li, err)) < 0)
				goto done;
			nnz = d->nnz;
			memcpy(d->idx + nnz, d->tb[c].idx + src, total * sizeof *d->idx);
			memcpy(d->val + nnz, d->tb[c].val + src, total * sizeof *d->val);
			src += total;
			for (f = 0; f < nf; f++) {
				d->off[d->n * nf + f] = nnz;
				nnz += cnt[f];
			}
			d->off[d->n * nf + nf] = nnz;
			d->nnz = nnz;
			d->lab[d->n++] = li;
		}
	}
done:
	return rc;
}

size_t cf_lm_data_count(const cf_lm_data *d)
{
	return d ? d->n : 0;
}

void cf_lm_data_free(cf_lm_data **dp)
{
	cf_lm_data *d;
	size_t i;

	if (!dp || !(d = *dp))
		return;
	free_strv(d->fields, d->nfields);
	free_strv(d->labels, d->nlabels);
	free(d->label_field);
	for (i = 0; i < 2; i++) {
		free(d->tb[i].idx);
		free(d->tb[i].val);
		free(d->tb[i].cnt);
		free(d->tb[i].tmp);
	}
	free(d->off);
	free(d->lab);
	free(d->grp);
	free(d->idx);
	free(d->val);
	free(d->scratch);
	free(d);
	*dp = NULL;
}

/* ---- training ------------------------------------------------------- */

/* The training examples are cut into NCHUNK fixed ranges (about equal
 * feature counts).  Each range sums its loss and gradient into its own
 * buffer; the buffers are then added in chunk order.  The ranges depend
 * only on the data, so any number of threads (1 to CF_LM_MAX_THREADS)
 * gives the same bits.  The threads live as long as the training (a
 * pool): each pass hands them the chunks, which they take in turn. */
#define NCHUNK CF_LM_MAX_THREADS

typedef struct pool pool;

typedef struct problem {
	const cf_lm_data *d;
	const uint32_t *lab;    /* sorted label index per example */
	const char *isdev;      /* NULL: every example trains */
	size_t K, nused, dim;
	double invC;
	size_t lo[NCHUNK + 1];  /* example ranges of the chunks */
	pool *pool;             /* NULL: one thread */
	double *gpart[NCHUNK];  /* per-chunk gradient sums (K > 2: dim; K ==
	                           2: the nused sums h of pass_two) */
	double *s[NCHUNK];      /* K scores per chunk */
	float *xf;              /* K == 2: v = w_1 - w_0 per column (the
	                           variables, see cf_lm_train), as float: a
	                           quarter of the cache footprint of the
	                           gathers */
	double bd;              /* K == 2: bias_1 - bias_0 */
	double dev_loss;        /* K == 2: dev log-loss sum and right count at */
	size_t dev_right;       /* the point of the last objective() */
	size_t ndev;
	long evals;             /* objective evaluations */
} problem;

/* Scores of example i into s[K] (bias included), then softmax in place;
 * returns -log p[y]. */
static double example_probs(const problem *p, const double *x, size_t i,
                            double *s)
{
	const cf_lm_data *d = p->d;
	size_t K = p->K, k, e, a = d->off[i * d->nblk],
	       b = d->off[(i + 1) * d->nblk];
	const double *bias = x + p->nused * K;
	double mx, z = 0;

	for (k = 0; k < K; k++)
		s[k] = bias[k];
	for (e = a; e < b; e++) {
		const double *w = x + (size_t)d->idx[e] * K;
		double v = d->val[e];

		for (k = 0; k < K; k++)
			s[k] += v * w[k];
	}
	mx = s[0];
	for (k = 1; k < K; k++)
		if (s[k] > mx)
			mx = s[k];
	for (k = 0; k < K; k++)
		z += (s[k] = exp(s[k] - mx));
	for (k = 0; k < K; k++)
		s[k] /= z;
	return -log(s[p->lab[i]] > 1e-300 ? s[p->lab[i]] : 1e-300);
}

/* Loss of the training examples in [a, b), gradient added to g; any K. */
static double pass_any(const problem *p, const double *x, double *g,
                       size_t a, size_t b, double *s)
{
	const cf_lm_data *d = p->d;
	size_t K = p->K, i, k, e, nf = d->nblk;
	double f = 0, *gb = g + p->nused * K;

	for (i = a; i < b; i++) {
		if (p->isdev && p->isdev[i])
			continue;
		f += example_probs(p, x, i, s);
		s[p->lab[i]] -= 1.0;
		for (e = d->off[i * nf]; e < d->off[(i + 1) * nf]; e++) {
			double *gw = g + (size_t)d->idx[e] * K, v = d->val[e];

			for (k = 0; k < K; k++)
				gw[k] += v * s[k];
		}
		for (k = 0; k < K; k++)
			gb[k] += s[k];
	}
	return f;
}

/* pass_any for two labels.  With q0 + q1 = 1 the data gradient of w_0 is
 * minus that of w_1, and the scores only matter through s1 - s0, so the
 * pass gathers one float per feature (p->xf: w_1 - w_0) and scatters one
 * double (h: the gradient of w_1); objective() spreads h over both
 * columns.  One exp and one log1p per example. */
static double pass_two(const problem *p, double *h, size_t a, size_t b,
                       double *gb, double *dev_loss, size_t *dev_right)
{
	const cf_lm_data *d = p->d;
	const uint32_t *idx = d->idx;
	const float *val = d->val, *xd = p->xf;
	const size_t *off = d->off, nf = d->nblk;
	size_t i, e;
	double f = 0, gb1 = 0, bd = p->bd, dl = 0;
	size_t dr = 0;

	for (i = a; i < b; i++) {
		size_t e0 = off[i * nf], e1 = off[(i + 1) * nf];
		double m = bd, t, q1, r1;

		for (e = e0; e < e1; e++)
			m += (double)val[e] * xd[idx[e]];
		t = exp(-fabs(m));
		if (p->isdev && p->isdev[i]) {   /* scored, not learnt from */
			dl += log1p(t) + ((p->lab[i] == 0) == (m > 0) ? fabs(m) : 0.0);
			dr += (m > 0) == (p->lab[i] == 1);
			continue;
		}
		/* q1 = sigmoid(m), with t = exp(-|m|) */
		q1 = m > 0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
		/* -log q_y = log1p(t) (+ |m| for the smaller score) */
		f += log1p(t) + ((p->lab[i] == 0) == (m > 0) ? fabs(m) : 0.0);
		r1 = q1 - (p->lab[i] == 1);
		for (e = e0; e < e1; e++)
			h[idx[e]] += val[e] * r1;
		gb1 += r1;
	}
	*gb = gb1;
	*dev_loss = dl;
	*dev_right = dr;
	return f;
}

typedef struct chunk_job {
	const problem *p;
	const double *x;
	double *g, *s;
	size_t a, b;
	double f, gb;
	double dl;              /* two labels: dev log-loss sum, right count */
	size_t dr;
	size_t glen;            /* doubles of g to clear first */
} chunk_job;

static void *chunk_run(void *arg)
{
	chunk_job *j = arg;

	memset(j->g, 0, j->glen * sizeof *j->g);

	j->f = j->p->K == 2 ? pass_two(j->p, j->g, j->a, j->b, &j->gb, &j->dl, &j->dr) :
	       pass_any(j->p, j->x, j->g, j->a, j->b, j->s);
	return NULL;
}

/* Cut the training examples into NCHUNK ranges of about equal nnz. */
static void split_chunks(problem *p)
{
	const cf_lm_data *d = p->d;
	size_t i, c = 1, tot = 0, acc = 0, nf = d->nblk;

	for (i = 0; i < d->n; i++)
		if (!p->isdev || !p->isdev[i])
			tot += d->off[(i + 1) * nf] - d->off[i * nf];
	p->lo[0] = 0;
	for (i = 0; i < d->n && c < NCHUNK; i++) {
		if (acc * NCHUNK >= tot * c)
			p->lo[c++] = i;
		if (!p->isdev || !p->isdev[i])
			acc += d->off[(i + 1) * nf] - d->off[i * nf];
	}
	while (c <= NCHUNK)
		p->lo[c++] = d->n;
}

/* ---- the worker pool ---------------------------------------------------- */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t go, idle;
	pthread_t th[NCHUNK];
	int nth;                /* worker threads started */
	unsigned long round;    /* bumped for each pass */
	chunk_job *jobs;        /* the pass's NCHUNK jobs */
	int next;               /* next chunk to take */
	int busy;               /* workers inside the current pass */
	int quit;
};

/* Take chunks of the current pass until none is left.  Called with mu
 * held; returns with it held. */
static void pool_drain(pool *pl)
{
	while (pl->next < NCHUNK) {
		chunk_job *j = &pl->jobs[pl->next++];

		pthread_mutex_unlock(&pl->mu);
		chunk_run(j);
		pthread_mutex_lock(&pl->mu);
	}
}

static void *pool_worker(void *arg)
{
	pool *pl = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->quit && pl->round == seen)
			pthread_cond_wait(&pl->go, &pl->mu);
		if (pl->quit)
			break;
		seen = pl->round;
		pl->busy++;
		pool_drain(pl);
		if (--pl->busy == 0)
			pthread_cond_signal(&pl->idle);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* A pool of threads - 1 workers (the caller is the last); NULL when
 * threads <= 1 or no worker could start (then passes run inline). */
static pool *pool_start(int threads)
{
	pool *pl;
	int i;

	if (threads <= 1 || !(pl = calloc(1, sizeof *pl)))
		return NULL;
	if (pthread_mutex_init(&pl->mu, NULL)) {
		free(pl);
		return NULL;
	}
	pthread_cond_init(&pl->go, NULL);
	pthread_cond_init(&pl->idle, NULL);
	pl->next = NCHUNK;
	for (i = 0; i < threads - 1 && i < NCHUNK - 1; i++)
		if (pthread_create(&pl->th[pl->nth], NULL, pool_worker, pl) == 0)
			pl->nth++;
	return pl;
}

static void pool_stop(pool *pl)
{
	int i;

	if (!pl)
		return;
	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->go);
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < pl->nth; i++)
		pthread_join(pl->th[i], NULL);
	pthread_cond_destroy(&pl->go);
	pthread_cond_destroy(&pl->idle);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
}

/* Run the NCHUNK jobs: on the pool's workers and the caller, or inline. */
static void run_chunks(pool *pl, chunk_job *j)
{
	int c;

	if (!pl || !pl->nth) {
		for (c = 0; c < NCHUNK; c++)
			chunk_run(&j[c]);
		return;
	}
	pthread_mutex_lock(&pl->mu);
	pl->jobs = j;
	pl->next = 0;
	pl->round++;
	pthread_cond_broadcast(&pl->go);
	pool_drain(pl);
	while (pl->busy)
		pthread_cond_wait(&pl->idle, &pl->mu);
	pl->jobs = NULL;
	pthread_mutex_unlock(&pl->mu);
}

/* Objective and gradient on the training examples: the chunks run on the
 * pool; their sums are added in chunk order whatever thread ran them. */
static double objective(problem *p, const double *x, double *g)
{
	chunk_job j[NCHUNK];
	size_t c, k, nw = p->nused * p->K, nu = p->nused;
	int two = p->K == 2;
	double f = 0, reg = 0;

	if (two) {
		for (k = 0; k < nu; k++)
			p->xf[k] = (float)x[k];
		p->bd = x[nu];
	}
	for (c = 0; c < NCHUNK; c++) {
		memset(&j[c], 0, sizeof j[c]);
		j[c].p = p;
		j[c].x = x;
		j[c].g = p->gpart[c];
		j[c].s = p->s[c];
		j[c].a = p->lo[c];
		j[c].b = p->lo[c + 1];
		/* each job clears its own buffer: the clearing runs in parallel */
		j[c].glen = two ? nu : p->dim;
	}
	run_chunks(p->pool, j);
	for (c = 0; c < NCHUNK; c++)
		f += j[c].f;
	if (two) {
		double hb = 0;

		p->dev_loss = 0;
		p->dev_right = 0;
		for (c = 0; c < NCHUNK; c++) {
			p->dev_loss += j[c].dl;
			p->dev_right += j[c].dr;
		}

		/* x is v = w_1 - w_0 (w_0 = -v/2, w_1 = v/2 at the optimum of
		 * the L2 term): |W|^2 = |v|^2 / 2 */
		for (k = 0; k < nu; k++) {
			double h = 0;

			for (c = 0; c < NCHUNK; c++)
				h += j[c].g[k];
			g[k] = h + 0.5 * p->invC * x[k];
			reg += x[k] * x[k];
		}
		for (c = 0; c < NCHUNK; c++)
			hb += j[c].gb;
		g[nu] = hb;
		p->evals++;
		return f + 0.25 * p->invC * reg;
	} else {
		memcpy(g, j[0].g, p->dim * sizeof *g);
		for (c = 1; c < NCHUNK; c++)
			for (k = 0; k < p->dim; k++)
				g[k] += j[c].g[k];
	}
	for (k = 0; k < nw; k++) {
		reg += x[k] * x[k];
		g[k] += p->invC * x[k];
	}
	p->evals++;
	return f + 0.5 * p->invC * reg;
}

/* Mean log-loss and accuracy on the dev examples. */
static void dev_eval(const problem *p, const double *x, double *s,
                     double *loss, double *acc)
{
	size_t i, k, n = 0, right = 0;
	double l = 0;

	if (p->K == 2) {    /* as pass_two: one float gathered per feature */
		const cf_lm_data *d = p->d;
		size_t nu = p->nused, nf = d->nblk, e;
		double bd = x[nu];

		for (k = 0; k < nu; k++)
			p->xf[k] = (float)x[k];
		for (i = 0; i < d->n; i++) {
			double m = bd, t;

			if (!p->isdev[i])
				continue;
			for (e = d->off[i * nf]; e < d->off[(i + 1) * nf]; e++)
				m += (double)d->val[e] * p->xf[d->idx[e]];
			t = exp(-fabs(m));
			l += log1p(t) + ((p->lab[i] == 0) == (m > 0) ? fabs(m) : 0.0);
			right += (m > 0) == (p->lab[i] == 1);
			n++;
		}
		goto out;
	}
	for (i = 0; i < p->d->n; i++) {
		size_t best = 0;

		if (!p->isdev[i])
			continue;
		l += example_probs(p, x, i, s);
		for (k = 1; k < p->K; k++)
			if (s[k] > s[best])
				best = k;
		right += best == p->lab[i];
		n++;
	}
out:
	*loss = n ? l / (double)n : NAN;
	*acc = n ? (double)right / (double)n : NAN;
}

static double dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

#define LBFGS_M 8
#define REFIT_ITERS 2   /* warm-started iterations of the refit */

typedef struct lbfgs_out {
	int iterations;       /* run */
	int best_iteration;   /* of least dev loss; == iterations without dev */
	double f_best;        /* objective at best */
} lbfgs_out;

/* Minimise the objective from x0 (NULL: 0) with L-BFGS (at most maxit iterations)
 * and an Armijo line search backtracking by quadratic interpolation; with dev examples (p->isdev),
 * best gets the iterate of least dev loss and the run stops after
 * `patience` iterations without improvement. */
static int lbfgs(problem *p, int maxit, int patience, const double *x0,
                 double *best, lbfgs_out *out, cf_error *err)
{
	size_t D = p->dim, i, hist = 0, head = 0;
	double *x = NULL, *g = NULL, *xn = NULL, *gn = NULL, *dir = NULL,
	       *S = NULL, *Y = NULL, rho[LBFGS_M], alpha[LBFGS_M];
	double f, best_dev = INFINITY, dl, da;
	int it, since = 0, rc = CF_ENOMEM, ndev = p->isdev != NULL;

	if (!(x = calloc(D, sizeof *x)) || !(g = malloc(D * sizeof *g)) ||
	    !(xn = malloc(D * sizeof *xn)) || !(gn = malloc(D * sizeof *gn)) ||
	    !(dir = malloc(D * sizeof *dir)) ||
	    !(S = malloc(LBFGS_M * D * sizeof *S)) ||
	    !(Y = malloc(LBFGS_M * D * sizeof *Y))) {
		cf_error_set(err, rc, "out of memory (training %zu weights)", D);
		goto done;
	}
	split_chunks(p);
	if (x0)
		memcpy(x, x0, D * sizeof *x);
	f = objective(p, x, g);
	memcpy(best, x, D * sizeof *x);
	out->iterations = out->best_iteration = 0;
	out->f_best = f;
	for (it = 1; it <= maxit; it++) {
		double gd, step, fn = 0, gnorm = sqrt(dot(g, g, D)), ys;
		size_t j, ls;

		if (gnorm < 1e-8)
			break;
		/* two-loop recursion: dir = -H g */
		for (j = 0; j < D; j++)
			dir[j] = -g[j];
		for (i = 0; i < hist; i++) {
			size_t h = (head + LBFGS_M - 1 - i) % LBFGS_M;

			alpha[h] = rho[h] * dot(S + h * D, dir, D);
			for (j = 0; j < D; j++)
				dir[j] -= alpha[h] * Y[h * D + j];
		}
		if (hist) {
			size_t h = (head + LBFGS_M - 1) % LBFGS_M;
			double gamma = 1.0 / (rho[h] * dot(Y + h * D, Y + h * D, D));

			for (j = 0; j < D; j++)
				dir[j] *= gamma;
		}
		for (i = hist; i-- > 0;) {
			size_t h = (head + LBFGS_M - 1 - i) % LBFGS_M;
			double beta = rho[h] * dot(Y + h * D, dir, D);

			for (j = 0; j < D; j++)
				dir[j] += (alpha[h] - beta) * S[h * D + j];
		}
		gd = dot(g, dir, D);
		if (!(gd < 0)) {    /* not a descent direction: restart */
			for (j = 0; j < D; j++)
				dir[j] = -g[j];
			gd = -gnorm * gnorm;
			hist = 0;
		}
		step = hist ? 1.0 : 1.0 / gnorm;
		for (ls = 0; ls < 40; ls++) {
			for (j = 0; j < D; j++)
				xn[j] = x[j] + step * dir[j];
			fn = objective(p, xn, gn);
			if (fn <= f + 1e-4 * step * gd)
				break;
			/* the minimum of the quadratic through f, gd and fn, kept in
			 * [0.1, 0.5] of the step: one or two tries where halving took
			 * up to six */
			{
				double den = 2.0 * (fn - f - gd * step), t = 0.5 * step;

				if (den > 0 && isfinite(fn))
					t = -gd * step * step / den;
				step = t < 0.1 * step ? 0.1 * step :
				       t > 0.5 * step ? 0.5 * step : t;
			}
		}
		if (ls == 40)
			break;          /* no progress possible: at the optimum */
		for (j = 0; j < D; j++) {
			S[head * D + j] = xn[j] - x[j];
			Y[head * D + j] = gn[j] - g[j];
		}
		ys = dot(S + head * D, Y + head * D, D);
		if (ys > 1e-12) {
			rho[head] = 1.0 / ys;
			head = (head + 1) % LBFGS_M;
			if (hist < LBFGS_M)
				hist++;
		}
		memcpy(x, xn, D * sizeof *x);
		memcpy(g, gn, D * sizeof *g);
		out->iterations = it;
		if (ndev) {
			/* two labels: the pass scored the dev examples at xn, now x */
			if (p->K == 2)
				dl = p->dev_loss / (double)p->ndev;
			else
				dev_eval(p, x, p->s[0], &dl, &da);
			if (dl < best_dev) {
				best_dev = dl;
				memcpy(best, x, D * sizeof *x);
				out->best_iteration = it;
				out->f_best = fn;
				since = 0;
			} else if (++since >= patience) {
				break;
			}
		}
		if (f - fn <= 1e-9 * (fabs(f) > 1 ? fabs(f) : 1)) {
			f = fn;
			break;
		}
		f = fn;
	}
	if (!ndev) {
		memcpy(best, x, D * sizeof *x);
		out->best_iteration = out->iterations;
		out->f_best = f;
	}
	rc = 0;
done:
	free(x); free(g); free(xn); free(gn); free(dir); free(S); free(Y);
	return rc;
}

/* Order of used buckets: most documents first (ties by bucket), so the
 * weights the passes touch most share cache lines. */
typedef struct colkey { uint32_t df, bucket; } colkey;

static int cmp_colkey(const void *a, const void *b)
{
	const colkey *x = a, *y = b;

	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Distinct groups: examples without a group count one each. */
static size_t count_groups(const cf_lm_data *d)
{
	size_t i, n = 0, solo = 0, u = 0;
	uint64_t *v;

	if (!d->grp)
		return d->n;
	if (!(v = malloc((d->n ? d->n : 1) * sizeof *v)))
		return d->n;
	for (i = 0; i < d->n; i++) {
		uint64_t g = i < d->grp_cap ? d->grp[i] : 0;

		if (g)
			v[n++] = g;
		else
			solo++;
	}
	qsort(v, n, sizeof *v, cmp_u64);
	for (i = 0; i < n; i++)
		u += !i || v[i] != v[i - 1];
	free(v);
	return u + solo;
}

/* The model at weights x on the dev examples (every example without a
 * dev split): accuracy, share of the commonest label, how many labels the
 * examples hold and how many the model predicts. */
static int dev_shape(const problem *p, const double *x, cf_lm_report *rep,
                     cf_error *err)
{
	const cf_lm_data *d = p->d;
	size_t K = p->K, i, k, nf = d->nblk, n = 0, top = 0, e, right = 0;
	size_t *gold = calloc(2 * K, sizeof *gold), *pred = gold + K;
	double *s = malloc(K * sizeof *s);

	if (!gold || !s) {
		free(gold);
		free(s);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	for (i = 0; i < d->n; i++) {
		size_t best = 0;

		if (p->isdev && !p->isdev[i])
			continue;
		if (K == 2) {   /* x is v = w_1 - w_0, then the bias difference */
			double m = x[p->nused];

			for (e = d->off[i * nf]; e < d->off[(i + 1) * nf]; e++)
				m += (double)d->val[e] * x[d->idx[e]];
			best = m > 0;
		} else {
			for (k = 0; k < K; k++)
				s[k] = x[p->nused * K + k];
			for (e = d->off[i * nf]; e < d->off[(i + 1) * nf]; e++)
				for (k = 0; k < K; k++)
					s[k] += (double)d->val[e] * x[(size_t)d->idx[e] * K + k];
			for (k = 1; k < K; k++)
				if (s[k] > s[best])
					best = k;
		}
		gold[p->lab[i]]++;
		pred[best]++;
		right += best == p->lab[i];
		n++;
	}
	rep->check_on_dev = p->isdev != NULL;
	rep->check_labels = rep->check_classes = 0;
	for (k = 0; k < K; k++) {
		rep->check_labels += gold[k] > 0;
		rep->check_classes += pred[k] > 0;
		if (gold[k] > top)
			top = gold[k];
	}
	rep->check_majority = n ? (double)top / (double)n : NAN;
	rep->check_accuracy = n ? (double)right / (double)n : NAN;
	free(gold);
	free(s);
	return 0;
}

const char *cf_lm_report_degenerate(const cf_lm_report *rep,
                                    const cf_lm_opts *o)
{
	if (rep->check_labels > 1 && rep->check_classes < 2)
		return "it predicts one label for every example checked";
	if (rep->check_accuracy <= rep->check_majority + 1e-9)
		return "its accuracy is no better than always answering the "
		       "commonest label";
	if (rep->ndev && rep->best_iteration <= 2 && o->epochs > 2 &&
	    rep->iterations > 2)
		return "early stopping kept an (almost) untrained model: the dev "
		       "loss was least at iteration 2 or before";
	return NULL;
}

int cf_lm_train(cf_lm **out, cf_lm_data *d, const cf_lm_opts *o,
                cf_lm_report *rep_out, cf_error *err)
{
	cf_lm *m = NULL;
	cf_lm_report rep;
	problem p;
	lbfgs_out lo;
	uint32_t *order = NULL, *rank = NULL, *lab = NULL, *df = NULL,
	         *col = NULL;
	char *isdev = NULL;
	float *idf = NULL;
	colkey *keys = NULL;
	double *best = NULL;
	size_t i, f, k, c, K, nb, nused = 0, nf = d->nfields, w = 0, rs = 0;
	int rc;

	*out = NULL;
	memset(&rep, 0, sizeof rep);
	memset(&p, 0, sizeof p);
	rep.dev_loss = rep.dev_accuracy = NAN;
	rep.check_accuracy = rep.check_majority = NAN;
	if ((rc = check_opts(o, err)) < 0)
		goto done;
	if (o->bucket_bits != d->bits || o->char_ngrams != d->chars ||
	    o->pair_features != d->pair) {
		rc = cf_error_set(err, CF_EINTERNAL,
		                  "training options differ from the data's");
		goto done;
	}
	K = d->nlabels;
	if (K < 2) {
		rc = cf_error_set(err, CF_EDATA,
		                  "need at least two labels to train, found %zu", K);
		goto done;
	}
	nb = (size_t)1 << d->bits;
	rc = CF_ENOMEM;
	if (!(order = malloc(K * sizeof *order)) ||
	    !(rank = malloc(K * sizeof *rank)) ||
	    !(lab = malloc((d->n ? d->n : 1) * sizeof *lab)) ||
	    !(isdev = calloc(d->n ? d->n : 1, 1)) ||
	    !(df = calloc(nb, sizeof *df)) || !(col = malloc(nb * sizeof *col)) ||
	    !(idf = calloc(nb, sizeof *idf)))
		goto nomem;

	/* labels in byte order, so the model does not depend on input order */
	for (k = 0; k < K; k++) {
		size_t j = k;

		while (j > 0 && strcmp(d->labels[order[j - 1]], d->labels[k]) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint32_t)k;
	}
	for (k = 0; k < K; k++)
		rank[order[k]] = (uint32_t)k;
	for (i = 0; i < d->n; i++)
		lab[i] = rank[d->lab[i]];

	/* the seeded dev split: a hash of (seed, example), not a shuffle; an
	 * example with a group hashes its group instead, so a review and its
	 * counterfactuals land on one side (split apart, the dev loss rises
	 * from the first iteration and early stopping keeps an untrained
	 * model) */
	for (i = 0; i < d->n; i++) {
		uint64_t gk = d->grp && i < d->grp_cap ? d->grp[i] : 0;
		uint64_t h = gk ? mix64(o->seed ^ mix64(gk)) :
		             mix64(o->seed ^ mix64(i + 0x51ed27ull));

		isdev[i] = o->dev_split > 0 &&
		           (double)(h >> 11) * (1.0 / 9007199254740992.0) < o->dev_split;
		if (isdev[i])
			rep.ndev++;
		else
			rep.ntrain++;
	}
	rep.ngroups = count_groups(d);
	if (!rep.ntrain) {
		rc = cf_error_set(err, CF_EDATA, "no training examples%s",
		                  d->n ? " left after the dev split" : "");
		goto done;
	}

	/* idf on every example (it uses no labels; the dev split holds out
	 * labels only, and the refit needs the same features) */
	for (i = 0; i < d->nnz; i++)
		df[d->idx[i]]++;
	for (i = 0; i < nb; i++)
		if (df[i])
			nused++;
	if (!(keys = malloc((nused ? nused : 1) * sizeof *keys)))
		goto nomem;
	for (i = 0, k = 0; i < nb; i++) {
		col[i] = UINT32_MAX;
		if (!df[i])
			continue;
		keys[k].df = df[i];
		keys[k++].bucket = (uint32_t)i;
		idf[i] = (float)(log((1.0 + (double)d->n) / (1.0 + df[i])) + 1.0);
	}
	qsort(keys, nused, sizeof *keys, cmp_colkey);
	for (k = 0; k < nused; k++)
		col[keys[k].bucket] = (uint32_t)k;
	rep.nfeatures = nused;

	/* rewrite features in place: dense column, tf-idf normalised per field */
	for (k = 0; k < d->n * d->nblk; k++) {
		size_t re = d->off[k + 1], e, start = w;
		double norm = 0;

		for (e = rs; e < re; e++) {
			double v;

			if (col[d->idx[e]] == UINT32_MAX)
				continue;
			v = (double)d->val[e] * idf[d->idx[e]];
			norm += v * v;
			d->idx[w] = col[d->idx[e]];
			d->val[w++] = (float)v;
		}
		norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
		for (e = start; e < w; e++)
			d->val[e] = (float)(d->val[e] * norm);
		d->off[k] = start;
		rs = re;
	}
	d->off[d->n * d->nblk] = w;
	d->nnz = w;

	p.d = d;
	p.lab = lab;
	p.K = K;
	p.nused = nused;
	/* two labels: L-BFGS works on v = w_1 - w_0 and the bias difference
	 * (half the length of its vectors; the same optimum) */
	p.dim = K == 2 ? nused + 1 : nused * K + K;
	p.invC = 1.0 / o->C;
	if (!(best = malloc(p.dim * sizeof *best)) ||
	    (K == 2 && !(p.xf = malloc((nused ? nused : 1) * sizeof *p.xf))))
		goto nomem;
	for (c = 0; c < NCHUNK; c++)
		if (!(p.s[c] = malloc(K * sizeof *p.s[c])) ||
		    !(p.gpart[c] = malloc(p.dim * sizeof *p.gpart[c])))
			goto nomem;
	p.pool = pool_start(o->threads);

	/* with a dev split: stop at the iteration of least dev loss; then,
	 * with refit, take in the dev examples: a few iterations on every
	 * example from the early-stopped weights (a refit from zero for as
	 * many iterations as the first run doubled the passes and scored the
	 * same on cad-sentiment) */
	p.isdev = rep.ndev ? isdev : NULL;
	p.ndev = rep.ndev;
	if ((rc = lbfgs(&p, o->epochs, o->patience, NULL, best, &lo, err)) < 0)
		goto done;
	rep.iterations = lo.iterations;
	rep.best_iteration = lo.best_iteration;
	rep.train_loss = lo.f_best / (double)rep.ntrain;
	if ((rc = dev_shape(&p, best, &rep, err)) < 0)
		goto done;
	if (rep.ndev) {
		dev_eval(&p, best, p.s[0], &rep.dev_loss, &rep.dev_accuracy);
		if (o->refit) {
			p.isdev = NULL;
			int rit = lo.best_iteration < REFIT_ITERS ? lo.best_iteration :
			          REFIT_ITERS;

			if ((rc = lbfgs(&p, rit, 1, best, best, &lo, err)) < 0)
				goto done;
			rep.refit_iterations = lo.iterations;
			rep.train_loss = lo.f_best / (double)d->n;
		}
	}
	rep.evaluations = p.evals;

	/* the model */
	rc = CF_ENOMEM;
	if (!(m = calloc(1, sizeof *m)))
		goto nomem;
	m->opts = *o;
	m->nlabels = K;
	m->nfields = nf;
	m->nbuckets = (uint32_t)nb;
	m->stride = 1 + K;
	if (!(m->labels = calloc(K, sizeof *m->labels)) ||
	    !(m->fields = calloc(nf, sizeof *m->fields)) ||
	    !(m->bias = malloc(K * sizeof *m->bias)) ||
	    !(m->tab = calloc(nb * m->stride, sizeof *m->tab)))
		goto nomem;
	for (k = 0; k < K; k++)
		if (!(m->labels[k] = strdup(d->labels[order[k]])))
			goto nomem;
	for (f = 0; f < nf; f++)
		if (!(m->fields[f] = strdup(d->fields[f])))
			goto nomem;
	if (d->label_field && !(m->label_field = strdup(d->label_field)))
		goto nomem;
	for (i = 0; i < nb; i++) {
		float *row = m->tab + i * m->stride;

		if (col[i] == UINT32_MAX)
			continue;
		row[0] = idf[i];
		if (K == 2) {
			row[1] = (float)(-0.5 * best[col[i]]);
			row[2] = (float)(0.5 * best[col[i]]);
		} else {
			for (k = 0; k < K; k++)
				row[1 + k] = (float)best[(size_t)col[i] * K + k];
		}
	}
	if (K == 2) {
		m->bias[0] = (float)(-0.5 * best[nused]);
		m->bias[1] = (float)(0.5 * best[nused]);
	} else {
		for (k = 0; k < K; k++)
			m->bias[k] = (float)best[nused * K + k];
	}
	rc = 0;
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "out of memory while training");
done:
	free(order); free(rank); free(lab); free(isdev); free(df); free(col);
	free(idf); free(best); free(keys); free(p.xf);
	pool_stop(p.pool);
	for (c = 0; c < NCHUNK; c++) {
		free(p.s[c]);
		free(p.gpart[c]);
	}
	if (rc < 0)
		cf_lm_free(&m);
	else
		*out = m;
	if (rep_out)
		*rep_out = rep;
	return rc;
}

/* ---- prediction ----------------------------------------------------- */

#define STACK_FEATS 4096
#define PREFETCH    16

int cf_lm_predict_len(const cf_lm *m, const char *const *fields,
                      const size_t *lens, size_t nfields, double *probs)
{
	uint32_t stackbuf[STACK_FEATS], *buf = stackbuf;
	double fs_stack[16], *fs = fs_stack;
	size_t K = m->nlabels, f, k, bound = 0,
	       nb = nblocks(nfields, m->opts.pair_features);
	double mx, z = 0;
	int rc = 0;

	if (nfields != m->nfields)
		return CF_EINTERNAL;
	for (f = 0; f < nb; f++) {
		size_t fb = block_bound(fields, lens, nfields, f, m->opts.char_ngrams);

		if (fb > bound)
			bound = fb;
	}
	if (2 * bound > STACK_FEATS && !(buf = malloc(2 * bound * sizeof *buf)))
		return CF_ENOMEM;
	if (K > 16 && !(fs = malloc(K * sizeof *fs))) {
		rc = CF_ENOMEM;
		goto done;
	}
	for (k = 0; k < K; k++)
		probs[k] = m->bias[k];
	for (f = 0; f < nb; f++) {
		size_t n = block_features(fields, lens, nfields, f,
		                          m->opts.bucket_bits, m->opts.char_ngrams,
		                          buf, bound);
		size_t i = 0;
		double norm = 0;

		sort_u32(buf, n, buf + bound);
		for (k = 0; k < K; k++)
			fs[k] = 0;
		/* the rows are scattered over a table larger than the caches:
		 * ask for them PREFETCH features ahead */
		for (i = 0; i < n && i < PREFETCH; i++)
			__builtin_prefetch(m->tab + (size_t)buf[i] * m->stride);
		i = 0;
		while (i < n) {
			size_t j = i + 1;
			const float *row = m->tab + (size_t)buf[i] * m->stride;
			double v;

			if (i + PREFETCH < n)
				__builtin_prefetch(m->tab + (size_t)buf[i + PREFETCH] *
				                   m->stride);

			while (j < n && buf[j] == buf[i])
				j++;
			if (row[0] != 0) {
				v = (j - i == 1 ? 1.0 : 1.0 + log((double)(j - i))) * row[0];
				norm += v * v;
				for (k = 0; k < K; k++)
					fs[k] += v * row[1 + k];
			}
			i = j;
		}
		if (norm > 0) {
			norm = 1.0 / sqrt(norm);
			for (k = 0; k < K; k++)
				probs[k] += fs[k] * norm;
		}
	}
	mx = probs[0];
	for (k = 1; k < K; k++)
		if (probs[k] > mx)
			mx = probs[k];
	for (k = 0; k < K; k++)
		z += (probs[k] = exp(probs[k] - mx));
	for (k = 0; k < K; k++)
		probs[k] /= z;
done:
	if (buf != stackbuf)
		free(buf);
	if (fs != fs_stack)
		free(fs);
	return rc;
}

int cf_lm_predict(const cf_lm *m, const char *const *fields, size_t nfields,
                  double *probs)
{
	return cf_lm_predict_len(m, fields, NULL, nfields, probs);
}

size_t cf_lm_nlabels(const cf_lm *m) { return m->nlabels; }
const char *cf_lm_label(const cf_lm *m, size_t i) { return i < m->nlabels ? m->labels[i] : NULL; }
size_t cf_lm_nfields(const cf_lm *m) { return m->nfields; }
const char *cf_lm_field(const cf_lm *m, size_t i) { return i < m->nfields ? m->fields[i] : NULL; }
const cf_lm_opts *cf_lm_options(const cf_lm *m) { return &m->opts; }
const char *cf_lm_label_field(const cf_lm *m) { return m->label_field; }

int cf_lm_label_index(const cf_lm *m, const char *label)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		if (!strcmp(m->labels[i], label))
			return (int)i;
	return -1;
}

void cf_lm_free(cf_lm **mp)
{
	cf_lm *m;

	if (!mp || !(m = *mp))
		return;
	free_strv(m->labels, m->nlabels);
	free_strv(m->fields, m->nfields);
	free(m->label_field);
	free(m->tab);
	free(m->bias);
	free(m);
	*mp = NULL;
}

/* ---- the model file ------------------------------------------------- */

uint32_t cf_lm_crc32(const void *data, size_t len)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *p = data;
	uint32_t c = 0xffffffffu;
	size_t i;

	if (!ready) {      /* idempotent: a race writes the same values */
		for (i = 0; i < 256; i++) {
			uint32_t v = (uint32_t)i;
			int b;

			for (b = 0; b < 8; b++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			table[i] = v;
		}
		ready = 1;
	}
	for (i = 0; i < len; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

typedef struct wbuf { unsigned char *p; size_t n, cap; int oom; } wbuf;

static void put(wbuf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (grow((void **)&b->p, &b->cap, b->n + n, 1, CF_LM_MAX_FILE) < 0) {
		b->oom = 1;
		return;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

static void put_u32(wbuf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	                       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	put(b, c, 4);
}

static void put_u64(wbuf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_f32(wbuf *b, float v)
{
	uint32_t u;

	memcpy(&u, &v, 4);
	put_u32(b, u);
}

static void put_f64(wbuf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	put_u64(b, u);
}

static void put_str(wbuf *b, const char *s)
{
	size_t n = strlen(s);

	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

/* Layout (little-endian): "CFTM" u32 version, u64 file size, u32 flags
 * (bit 0 char n-grams, bit 1 refit),
 * u32 bucket_bits, u32 nlabels, u32 nfields, u64 seed, u32 epochs,
 * u32 patience, f64 dev_split, f64 C, labels and fields as (u32 len,
 * bytes), the label field's name (u32 len, bytes; empty: not recorded;
 * absent in version 2), f32 bias[K], u32 nrows, rows (u32 bucket, f32 idf, f32 w[K]) in
 * increasing bucket order, u32 CRC-32 of everything before it. */
int cf_lm_save(const cf_lm *m, const char *path, cf_error *err)
{
	wbuf b = { 0 };
	char *tmp = NULL;
	FILE *fp = NULL;
	size_t i, k, nrows = 0, rowpos;
	uint32_t crc;
	int rc = 0;

	put(&b, CF_LM_MAGIC, 4);
	put_u32(&b, CF_LM_VERSION);
	put_u64(&b, 0);                      /* size, patched below */
	put_u32(&b, (m->opts.char_ngrams ? 1u : 0u) | (m->opts.refit ? 2u : 0u) |
	            (m->opts.pair_features ? 4u : 0u));
	put_u32(&b, (uint32_t)m->opts.bucket_bits);
	put_u32(&b, (uint32_t)m->nlabels);
	put_u32(&b, (uint32_t)m->nfields);
	put_u64(&b, m->opts.seed);
	put_u32(&b, (uint32_t)m->opts.epochs);
	put_u32(&b, (uint32_t)m->opts.patience);
	put_f64(&b, m->opts.dev_split);
	put_f64(&b, m->opts.C);
	for (k = 0; k < m->nlabels; k++)
		put_str(&b, m->labels[k]);
	for (k = 0; k < m->nfields; k++)
		put_str(&b, m->fields[k]);
	put_str(&b, m->label_field ? m->label_field : "");
	for (k = 0; k < m->nlabels; k++)
		put_f32(&b, m->bias[k]);
	rowpos = b.n;
	put_u32(&b, 0);                      /* nrows, patched below */
	for (i = 0; i < m->nbuckets; i++) {
		const float *row = m->tab + i * m->stride;

		if (row[0] == 0)
			continue;
		put_u32(&b, (uint32_t)i);
		for (k = 0; k < m->stride; k++)
			put_f32(&b, row[k]);
		nrows++;
	}
	if (b.oom || b.n + 4 > CF_LM_MAX_FILE) {
		rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory writing the model",
		                  path);
		goto done;
	}
	{
		size_t total = b.n + 4, j;

		for (j = 0; j < 8; j++)
			b.p[8 + j] = (unsigned char)((uint64_t)total >> (8 * j));
		for (j = 0; j < 4; j++)
			b.p[rowpos + j] = (unsigned char)(nrows >> (8 * j));
	}
	crc = cf_lm_crc32(b.p, b.n);
	put_u32(&b, crc);
	if (b.oom) {
		rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory writing the model",
		                  path);
		goto done;
	}
	if (!(tmp = malloc(strlen(path) + 5))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	sprintf(tmp, "%s.tmp", path);
	if (!(fp = fopen(tmp, "wb"))) {
		/* the name the user gave, not our temporary one */
		rc = cf_error_set(err, CF_EIO, "%s: cannot write the model file: %s%s",
		                  path, strerror(errno), errno == ENOENT ?
		                  " (its folder does not exist)" : "");
		goto done;
	}
	if (fwrite(b.p, 1, b.n, fp) != b.n || fflush(fp) != 0) {
		rc = cf_error_set(err, CF_EIO, "%s: write failed: %s", tmp,
		                  strerror(errno));
		goto done;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		rc = cf_error_set(err, CF_EIO, "%s: write failed: %s", tmp,
		                  strerror(errno));
		goto done;
	}
	fp = NULL;
	if (rename(tmp, path) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: cannot rename to %s: %s", tmp,
		                  path, strerror(errno));
done:
	if (fp)
		fclose(fp);
	if (rc < 0 && tmp)
		remove(tmp);
	free(tmp);
	free(b.p);
	return rc;
}

typedef struct rbuf { const unsigned char *p; size_t n, pos; int bad; } rbuf;

static const unsigned char *take(rbuf *r, size_t n)
{
	const unsigned char *q;

	if (r->bad || n > r->n - r->pos) {
		r->bad = 1;
		return NULL;
	}
	q = r->p + r->pos;
	r->pos += n;
	return q;
}

static uint32_t get_u32(rbuf *r)
{
	const unsigned char *c = take(r, 4);

	return c ? (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 |
	           (uint32_t)c[3] << 24 : 0;
}

static uint64_t get_u64(rbuf *r)
{
	uint64_t lo = get_u32(r);

	return lo | (uint64_t)get_u32(r) << 32;
}

static float get_f32(rbuf *r)
{
	uint32_t u = get_u32(r);
	float v;

	memcpy(&v, &u, 4);
	return v;
}

static double get_f64(rbuf *r)
{
	uint64_t u = get_u64(r);
	double v;

	memcpy(&v, &u, 8);
	return v;
}

/* A copy of a length-prefixed string; NULL (r->bad set) if malformed. */
static char *get_str(rbuf *r)
{
	uint32_t n = get_u32(r);
	const unsigned char *s;
	char *out;

	if (r->bad || n > CF_LM_MAX_NAME || !(s = take(r, n))) {
		r->bad = 1;
		return NULL;
	}
	if (memchr(s, 0, n) || !(out = malloc((size_t)n + 1))) {
		r->bad = 1;
		return NULL;
	}
	memcpy(out, s, n);
	out[n] = 0;
	return out;
}

/* A model file that cannot be opened: which file (relative to what), why,
 * and, when it is not there, the command that makes it. */
static int open_failed(const char *path, int e, cf_error *err)
{
	char cwd[1024], rel[1100] = "";
	char *word;
	int rc;

	if (path[0] != '/' && getcwd(cwd, sizeof cwd))
		snprintf(rel, sizeof rel, " (relative to %s)", cwd);
	if (e != ENOENT)
		return cf_error_set(err, CF_EIO, "%s%s: cannot open the model "
		                    "file: %s", path, rel, strerror(e));
	if (!(word = cf_shell_word_dup(path)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	rc = cf_error_set(err, CF_EIO, "%s%s: no such model file; make it with: "
	                  "cfaug teacher train -i DATA --label-field LABEL -o %s "
	                  "(see cfaug help teacher)", path, rel, word);
	free(word);
	return rc;
}

/* Read a whole file of at most max bytes into *out. */
static int slurp(const char *path, unsigned char **out, size_t *len,
                 cf_error *err)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t n = 0, cap = 0, r;
	int rc = 0;

	if (!fp)
		return open_failed(path, errno, err);
	for (;;) {
		if ((rc = grow((void **)&p, &cap, n + 65536, 1, CF_LM_MAX_FILE + 65536)) < 0) {
			rc = cf_error_set(err, rc == CF_ELIMIT ? CF_EDATA : rc,
			                  "%s: %s", path, rc == CF_ELIMIT ?
			                  "too large for a model file" : "out of memory");
			goto done;
		}
		r = fread(p + n, 1, cap - n, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp))
		rc = cf_error_set(err, CF_EIO, "%s: read failed", path);
done:
	fclose(fp);
	if (rc < 0) {
		free(p);
		return rc;
	}
	*out = p;
	*len = n;
	return 0;
}

int cf_lm_load(cf_lm **out, const char *path, cf_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0, i, k;
	rbuf r;
	cf_lm *m = NULL;
	uint32_t version, flags, bits, nrows, prev = 0;
	uint64_t total;
	int rc;

	*out = NULL;
	if ((rc = slurp(path, &data, &len, err)) < 0)
		return rc;
	rc = CF_EDATA;
	if (len < 4 || memcmp(data, CF_LM_MAGIC, 4) != 0) {
		cf_error_set(err, rc, "%s: not a cfaug teacher model (%s)", path,
		             len < 4 ? "file too short" : "no CFTM magic");
		goto done;
	}
	r.p = data;
	r.n = len;
	r.pos = 4;
	r.bad = 0;
	version = get_u32(&r);
	total = get_u64(&r);
	if (r.bad) {
		cf_error_set(err, rc, "%s: truncated model file (%zu bytes)", path, len);
		goto done;
	}
	if (version != CF_LM_VERSION && version != 2 && version != 3) {
		cf_error_set(err, rc, "%s: model file version %u, this build reads "
		             "version %u%s", path, version, CF_LM_VERSION,
		             version < CF_LM_VERSION ? "; train the model again with "
		             "this cfaug" : "");
		goto done;
	}
	if (total > len) {
		cf_error_set(err, rc, "%s: truncated model file (%zu of %llu bytes)",
		             path, len, (unsigned long long)total);
		goto done;
	}
	if (total < len || total < 20) {
		cf_error_set(err, rc, "%s: corrupt model file (size field says %llu, "
		             "file has %zu bytes)", path, (unsigned long long)total, len);
		goto done;
	}
	{
		const unsigned char *c = data + len - 4;
		uint32_t want = (uint32_t)c[0] | (uint32_t)c[1] << 8 |
		                (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;

		if (cf_lm_crc32(data, len - 4) != want) {
			cf_error_set(err, rc, "%s: corrupt model file (checksum mismatch)",
			             path);
			goto done;
		}
	}
	r.n = len - 4;       /* the checksum is not content */
	if (!(m = calloc(1, sizeof *m)))
		goto nomem;
	flags = get_u32(&r);
	bits = get_u32(&r);
	m->nlabels = get_u32(&r);
	m->nfields = get_u32(&r);
	m->opts.seed = get_u64(&r);
	m->opts.epochs = (int)get_u32(&r);
	m->opts.patience = (int)get_u32(&r);
	m->opts.dev_split = get_f64(&r);
	m->opts.C = get_f64(&r);
	m->opts.char_ngrams = flags & 1;
	m->opts.refit = (flags >> 1) & 1;
	m->opts.pair_features = (flags >> 2) & 1;
	m->opts.threads = 1;
	m->opts.bucket_bits = (int)bits;
	if (r.bad || flags > (version >= 4 ? 7u : 3u) || bits < CF_LM_MIN_BITS || bits > CF_LM_MAX_BITS ||
	    m->nlabels < 2 || m->nlabels > CF_LM_MAX_LABELS || m->nfields < 1 ||
	    m->nfields > CF_LM_MAX_FIELDS) {
		m->nlabels = m->nfields = 0;
		cf_error_set(err, rc, "%s: malformed model header", path);
		goto done;
	}
	m->nbuckets = 1u << bits;
	m->stride = 1 + m->nlabels;
	/* plausibility against the file before anything sized by the header
	 * is allocated: each label and field name takes 4 bytes at least, a
	 * bias 4, the row count 4; the dense weight table (nbuckets x stride
	 * floats) may be sparse on disk, but not beyond reason -- a 12 KB
	 * file once reserved 16.8 GB */
	{
		uint64_t need = 4ull * m->nlabels + 4ull * m->nfields + (version >= 3 ? 4 : 0) +
		                4ull * m->nlabels + 4;
		uint64_t table = (uint64_t)m->nbuckets * m->stride * sizeof *m->tab;
		uint64_t cap = (uint64_t)len * 64 > (1ull << 30) ? (uint64_t)len * 64 : 1ull << 30;

		if (need > r.n - r.pos) {
			cf_error_set(err, rc, "%s: malformed model header (%zu labels and %zu "
			             "fields do not fit in %zu bytes)", path, m->nlabels,
			             m->nfields, len);
			m->nlabels = m->nfields = 0;
			goto done;
		}
		if (table > cap) {
			cf_error_set(err, rc, "%s: implausible model header: %zu labels and "
			             "2^%u buckets need %llu MB for a file of %zu bytes", path,
			             m->nlabels, bits, (unsigned long long)(table >> 20), len);
			m->nlabels = m->nfields = 0;
			goto done;
		}
	}
	if (!(m->labels = calloc(m->nlabels, sizeof *m->labels)) ||
	    !(m->fields = calloc(m->nfields, sizeof *m->fields)) ||
	    !(m->bias = malloc(m->nlabels * sizeof *m->bias)))
		goto nomem;
	for (k = 0; k < m->nlabels; k++)
		m->labels[k] = get_str(&r);
	for (k = 0; k < m->nfields; k++)
		m->fields[k] = get_str(&r);
	if (version >= 3 && (m->label_field = get_str(&r)) && !*m->label_field) {
		free(m->label_field);
		m->label_field = NULL;
	}
	for (k = 0; k < m->nlabels; k++)
		m->bias[k] = get_f32(&r);
	nrows = get_u32(&r);
	if (r.bad || nrows > m->nbuckets ||
	    (uint64_t)nrows * (4 + 4ull * m->stride) != r.n - r.pos) {
		cf_error_set(err, rc, "%s: malformed model (labels, fields or row count)",
		             path);
		goto done;
	}
	if (!(m->tab = calloc((size_t)m->nbuckets * m->stride, sizeof *m->tab)))
		goto nomem;
	for (i = 0; i < nrows; i++) {
		uint32_t bkt = get_u32(&r);
		float *row;

		if (r.bad || bkt >= m->nbuckets || (i > 0 && bkt <= prev)) {
			cf_error_set(err, rc, "%s: malformed model (weight row %zu)", path, i);
			goto done;
		}
		prev = bkt;
		row = m->tab + (size_t)bkt * m->stride;
		for (k = 0; k < m->stride; k++)
			row[k] = get_f32(&r);
		if (r.bad || !(row[0] > 0) || !isfinite(row[0])) {
			cf_error_set(err, rc, "%s: malformed model (weight row %zu)", path, i);
			goto done;
		}
		for (k = 1; k < m->stride; k++)
			if (!isfinite(row[k])) {
				cf_error_set(err, rc, "%s: malformed model (weight row %zu)",
				             path, i);
				goto done;
			}
	}
	if (r.pos != r.n) {
		cf_error_set(err, rc, "%s: malformed model (%zu stray bytes)", path,
		             r.n - r.pos);
		goto done;
	}
	rc = 0;
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory loading the model",
	                  path);
done:
	free(data);
	if (rc < 0)
		cf_lm_free(&m);
	else
		*out = m;
	return rc;
}
