/*
 * eval_review.c - the human review of `cfaug eval`: a stratified sample of edit pairs
 * for annotators (--review-export) and their labels read back
 * (--review-import): judge-vs-human agreement and the human flip rate.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "cfaug/util.h"
#include "eval_int.h"

/* ---- human review ------------------------------------------------------ */

/* Export: per stratum (label transition | generator) the review_n edit
 * pairs with the smallest hash of (seed, input line) -- bottom-k sampling,
 * so memory is review_n texts per stratum whatever the input's size;
 * strata beyond MAX_BUCKETS share "(other)".  At the end the sample's size
 * is shared out by largest remainder in proportion to the strata's sizes,
 * at least one per stratum while there is room.  Import: the annotators'
 * labels by id (the counterfactual's input line), matched while scoring;
 * memory: the imported rows. */
char *ev_join_fields(const eval *e, const unit *u)
{
	size_t f, len = 0;
	char *out, *p;

	for (f = 0; f < e->nf; f++)
		len += u->lens[f] + strlen(e->fields[f]) + 4;
	if (!(p = out = malloc(len + 1)))
		return NULL;
	for (f = 0; f < e->nf; f++) {
		if (e->nf > 1)
			p += sprintf(p, "%s%s: ", f ? "\n" : "", e->fields[f]);
		memcpy(p, u->texts[f], u->lens[f]);
		p += u->lens[f];
	}
	*p = 0;
	return out;
}

static void rvitem_clear(rvitem *it)
{
	free(it->orig);
	free(it->cf);
	free(it->target);
	memset(it, 0, sizeof *it);
}

int ev_review_pair(eval *e, const unit *u, const char *tr, const char *gen,
                       int t)
{
	review *rv = e->rv;
	size_t i, j, worst;
	long line = u->line;
	uint64_t h;
	char key[1200];
	rvstratum *st = NULL;

	/* import: the judges' labels of an annotated pair */
	for (i = 0; i < rv->nh; i++)
		if (rv->h[i].line == line) {
			rv->h[i].seen = 1;
			rv->h[i].target = t;
			for (j = 0; j < e->nj; j++)
				rv->h[i].pred[j] = e->j[j].pred[e->j[j].npred - 1];
		}
	if (!e->a->review_export)
		return 0;
	snprintf(key, sizeof key, "%s | %s", tr, gen);
	for (i = 0; i < rv->ns; i++)
		if (!strcmp(rv->s[i].key, key) ||
		    (rv->ns == MAX_BUCKETS && i == rv->ns - 1))
			break;
	if (i == rv->ns) {
		if (ev_grow((void **)&rv->s, &rv->caps, rv->ns + 1, sizeof *rv->s) < 0)
			return CF_ENOMEM;
		st = &rv->s[rv->ns++];
		memset(st, 0, sizeof *st);
		if (!(st->key = strdup(rv->ns == MAX_BUCKETS ? "(other)" : key)) ||
		    !(st->transition = strdup(rv->ns == MAX_BUCKETS ? "(other)" : tr)) ||
		    !(st->generator = strdup(rv->ns == MAX_BUCKETS ? "(other)" : gen)) ||
		    !(st->it = calloc((size_t)e->a->review_n, sizeof *st->it)))
			return CF_ENOMEM;
	}
	st = &rv->s[i];
	st->n++;
	h = cf_hash64(&line, sizeof line, e->a->seed);
	if (st->nit < (size_t)e->a->review_n) {
		worst = st->nit++;
	} else {
		for (worst = 0, j = 1; j < st->nit; j++)
			if (st->it[j].h > st->it[worst].h)
				worst = j;
		if (st->it[worst].h <= h)
			return 0;
		rvitem_clear(&st->it[worst]);
	}
	st->it[worst].h = h;
	st->it[worst].line = line;
	if (!(st->it[worst].orig = ev_join_fields(e, &e->orig)) ||
	    !(st->it[worst].cf = ev_join_fields(e, u)) ||
	    !(st->it[worst].target = strdup(u->label)))
		return CF_ENOMEM;
	return 0;
}

static int by_hash(const void *a, const void *b)
{
	const rvitem *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

static void csv_field(FILE *f, const char *s, int last)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputs(last ? "\"\r\n" : "\",", f);
}

/* How many of each stratum go into a sample of N: proportional, largest
 * remainder, at least one per stratum while N allows. */
static void review_quota(const review *rv, size_t N, size_t *q)
{
	uint64_t M = 0;
	size_t i, sum = 0, best;

	for (i = 0; i < rv->ns; i++)
		M += rv->s[i].n;
	for (i = 0; i < rv->ns; i++) {
		q[i] = (size_t)((double)N * (double)rv->s[i].n / (double)M);
		if (q[i] == 0 && sum < N)
			q[i] = 1;
		if (q[i] > rv->s[i].nit)
			q[i] = rv->s[i].nit;
		sum += q[i];
	}
	while (sum > N) {            /* the minimum of one overshot: trim */
		for (best = 0, i = 1; i < rv->ns; i++)
			if (q[i] > q[best])
				best = i;
		q[best]--;
		sum--;
	}
	while (sum < N) {            /* the remainders, largest first */
		double bd = -1;

		best = rv->ns;
		for (i = 0; i < rv->ns; i++) {
			double d = (double)N * (double)rv->s[i].n / (double)M - (double)q[i];

			if (q[i] < rv->s[i].nit && d > bd) {
				bd = d;
				best = i;
			}
		}
		if (best == rv->ns)
			break;
		q[best]++;
		sum++;
	}
}

int ev_review_write(eval *e, size_t *written, cf_error *err)
{
	review *rv = e->rv;
	const char *path = e->a->review_export;
	size_t *q = calloc(rv->ns + 1, sizeof *q), i, k;
	char tmp[4096], line[32];
	FILE *f;
	int rc = 0;

	*written = 0;
	if (!q)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	review_quota(rv, (size_t)e->a->review_n, q);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		rc = cf_error_set(err, CF_EIO, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	fputs("id,original,counterfactual,target,transition,generator,"
	      "human_label,comment\r\n", f);
	for (i = 0; i < rv->ns; i++) {
		rvstratum *st = &rv->s[i];

		qsort(st->it, st->nit, sizeof *st->it, by_hash);
		for (k = 0; k < q[i]; k++) {
			snprintf(line, sizeof line, "%ld", st->it[k].line);
			csv_field(f, line, 0);
			csv_field(f, st->it[k].orig, 0);
			csv_field(f, st->it[k].cf, 0);
			csv_field(f, st->it[k].target, 0);
			csv_field(f, st->transition, 0);
			csv_field(f, st->generator, 0);
			csv_field(f, "", 0);
			csv_field(f, "", 1);
			(*written)++;
		}
	}
	if (ferror(f) | fclose(f) || rename(tmp, path) < 0) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot write: %s", path,
		                  strerror(errno));
		remove(tmp);
	}
done:
	free(q);
	return rc;
}

/* Read the annotated CSV: id and human_label columns (others ignored);
 * rows without a human label are not annotated and skipped. */
int ev_review_read(eval *e, cf_error *err)
{
	review *rv = e->rv;
	const char *path = e->a->review_import;
	cf_reader *rd = NULL;
	cf_raw raw;
	int rc;

	if ((rc = cf_reader_open(&rd, path, CF_FMT_CSV, CF_MAX_RECORD_BYTES_DEFAULT,
	                         err)) < 0)
		return rc;
	while ((rc = cf_reader_next(rd, &raw, err)) == CF_READ_OK ||
	       rc == CF_READ_BAD) {
		json_t *id, *hl;
		char *end;
		long line;
		const char *lab;
		rvhuman *h;

		if (rc == CF_READ_BAD) {
			fprintf(stderr, "cfaug eval: %s:%ld: skipped: %s\n", path, raw.line,
			        raw.reason);
			continue;
		}
		id = json_object_get(raw.obj, "id");
		hl = json_object_get(raw.obj, "human_label");
		lab = json_is_string(hl) ? json_string_value(hl) : "";
		line = json_is_string(id) ? strtol(json_string_value(id), &end, 10) :
		       json_is_integer(id) ? (long)json_integer_value(id) : -1;
		if (json_is_string(id) && (*end || !*json_string_value(id)))
			line = -1;
		if (line < 0 || !hl) {
			json_decref(raw.obj);
			rc = cf_error_set(err, CF_EDATA, "%s:%ld: expected the columns "
			                  "id (a number) and human_label of --review-export",
			                  path, raw.line);
			goto done;
		}
		if (*lab) {
			if (ev_grow((void **)&rv->h, &rv->caph, rv->nh + 1, sizeof *rv->h) < 0) {
				json_decref(raw.obj);
				rc = cf_error_set(err, CF_ENOMEM, "out of memory");
				goto done;
			}
			h = &rv->h[rv->nh++];
			memset(h, 0, sizeof *h);
			h->line = line;
			h->human = ev_label_index(e, lab);
			if (h->human < 0 && ++rv->unknown_label <= MAX_TOLD)
				fprintf(stderr, "cfaug eval: %s:%ld: human label '%.80s' is "
				        "not one of the judges' labels\n", path, raw.line, lab);
		}
		json_decref(raw.obj);
	}
done:
	cf_reader_close(&rd);
	return rc < 0 ? rc : 0;
}


json_t *ev_review_json(const eval *e, size_t written)
{
	const review *rv = e->rv;
	json_t *o = json_object(), *js;
	size_t i, j, n = 0;
	uint64_t flips = 0, unmatched = 0;
	int *hum, *pr;

	if (e->a->review_export)
		json_object_set_new(o, "export", json_pack("{s:s,s:I,s:I,s:I,s:s}",
		        "path", e->a->review_export, "rows", (json_int_t)written,
		        "strata", (json_int_t)rv->ns, "seed", (json_int_t)e->a->seed,
		        "sampling", "stratified by label transition | generator; "
		        "per stratum the pairs with the smallest hash of (seed, id), "
		        "sizes in proportion to the strata (largest remainder, at "
		        "least one each while the sample allows)"));
	if (!e->a->review_import)
		return o;
	js = json_array();
	hum = calloc(rv->nh + 1, sizeof *hum);
	pr = calloc(rv->nh + 1, sizeof *pr);
	if (!hum || !pr) {
		free(hum);
		free(pr);
		json_decref(js);
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < rv->nh; i++)
		if (rv->h[i].seen && rv->h[i].human >= 0) {
			hum[n++] = rv->h[i].human;
			flips += rv->h[i].human == rv->h[i].target;
		}
	for (j = 0; j < e->nj; j++) {
		size_t used = 0, m = 0;
		uint64_t agree = 0;
		double kappa;

		for (i = 0; i < rv->nh; i++)
			if (rv->h[i].seen && rv->h[i].human >= 0) {
				pr[m] = rv->h[i].pred[j];
				agree += pr[m] == rv->h[i].human;
				m++;
			}
		/* before json_pack: its arguments are evaluated in no set order,
		 * and "items" reads what this call writes */
		kappa = cf_eval_kappa(pr, hum, m, e->K, &used);
		json_array_append_new(js, json_pack("{s:s,s:o,s:o,s:I}", "name",
		        e->j[j].name, "kappa", ev_jnum(kappa), "accuracy",
		        ev_jprop(agree, m), "items", (json_int_t)used));
	}
	for (i = 0; i < rv->nh; i++)
		unmatched += !rv->h[i].seen;
	json_object_set_new(o, "import", json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:o}",
	        "path", e->a->review_import, "annotated", (json_int_t)rv->nh,
	        "matched", (json_int_t)n, "unmatched", (json_int_t)unmatched,
	        "unknown_label", (json_int_t)rv->unknown_label,
	        "human_flip", ev_jprop(flips, n), "judges", js));
	free(hum);
	free(pr);
	return o;
}

void ev_review_free(review **p)
{
	review *rv = *p;
	size_t i, k;

	if (!rv)
		return;
	for (i = 0; i < rv->ns; i++) {
		for (k = 0; k < rv->s[i].nit; k++)
			rvitem_clear(&rv->s[i].it[k]);
		free(rv->s[i].it);
		free(rv->s[i].key);
		free(rv->s[i].transition);
		free(rv->s[i].generator);
	}
	free(rv->s);
	free(rv->h);
	free(rv);
	*p = NULL;
}
