/*
 * output.c - writes finished groups to the output files.
 *
 * Consumes: groups, in input order, from the runner.  Emits one line per
 * item to pairs.jsonl / augmented.jsonl / rejected.jsonl / errors.jsonl.
 * State: four stdio streams with large buffers over DIR/.NAME.part files.
 * Fast path: an original read from JSONL is written to augmented.jsonl by
 * splicing its raw line (no re-serialisation), which keeps read->write
 * throughput near the parser's.  Failure: any write error is CF_EIO naming
 * the file; the partial files are removed by cf_output_free().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "json_write.h"
#include "output.h"
#include "output_writers.h"

enum { OUT_PAIRS = CF_OUT_PAIRS, OUT_AUGMENTED = CF_OUT_AUGMENTED,
       OUT_REJECTED = CF_OUT_REJECTED, OUT_ERRORS = CF_OUT_ERRORS,
       OUT_REPORT = CF_OUT_REPORT, OUT_N = CF_OUT_N };

static const char *const out_names[OUT_N] = {
	"pairs.jsonl", "augmented.jsonl", "rejected.jsonl", "errors.jsonl",
	"report.json"
};

#define OUT_BUFSZ (1u << 20)

struct cf_output {
	char *dir;                 /* NULL for "-" */
	cf_output_layout layout;
	FILE *f[OUT_N];            /* NULL where not written */
	char *part[OUT_N];         /* DIR/.NAME.part */
	char *final[OUT_N];        /* DIR/NAME */
	int committed;
	cf_jbuf jb;                /* one line being serialised */
	cf_dsv_writer dsv;         /* augmented as CSV/TSV (output_dsv.c) */
	cf_error_lines elines;     /* "-": errors told on stderr, by kind */
	int lock_fd;               /* DIR/.cfaug.lock, held for the whole run */
};

static char *path_join(const char *dir, const char *prefix, const char *name,
                       const char *suffix)
{
	size_t n = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s%s%s", dir, prefix, name, suffix);
	return s;
}

/* mkdir -p with mode 0700 for directories we create. */
static int make_dirs(const char *dir, cf_error *err)
{
	char *tmp = strdup(dir), *s;
	int rc = 0;

	if (!tmp)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	for (s = tmp + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
				rc = cf_error_set(err, CF_EIO, "%s: cannot create directory: %s",
				                  tmp, strerror(errno));
				goto done;
			}
			*s = c;
			if (!c)
				break;
		}
	}
done:
	free(tmp);
	return rc;
}

static FILE *open_private(const char *path, cf_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0) {
		cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, OUT_BUFSZ);
	return f;
}

/* One run per output directory at a time: two runs writing the same
 * .part files would corrupt each other.  The lock goes with the process,
 * so a killed run never leaves it behind. */
static int lock_dir(cf_output *o, const char *dir, cf_error *err)
{
	char *path = path_join(dir, "", ".cfaug.lock", "");
	int rc = 0;

	if (!path)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	o->lock_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (o->lock_fd < 0)
		rc = cf_error_set(err, CF_EIO, "output directory %s: cannot write in it "
		                  "(creating its lock file failed: %s)", dir, strerror(errno));
	else if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: another cfaug run is writing to this "
		                  "output directory", dir);
	free(path);
	return rc;
}

int cf_output_open(cf_output **out, const char *dir,
                   const cf_output_layout *layout, cf_error *err)
{
	cf_output *o = calloc(1, sizeof *o);
	int rc = 0, i;

	if (!o)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	o->lock_fd = -1;
	o->layout = *layout;
	if (strcmp(dir, "-") == 0) {
		o->f[OUT_PAIRS] = stdout;
		setvbuf(stdout, NULL, _IOFBF, OUT_BUFSZ);
		goto done;
	}
	o->dir = strdup(dir);
	if (!o->dir) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = make_dirs(dir, err)) < 0 || (rc = lock_dir(o, dir, err)) < 0)
		goto done;
	for (i = 0; i < OUT_N; i++) {
		char name[64];
		if (layout->files && !(layout->files & (1u << i)))
			continue;   /* not in output.files */
		cf_output_file_name(layout, i, name, sizeof name);
		o->part[i] = path_join(dir, ".", name, ".part");
		o->final[i] = path_join(dir, "", name, "");
		if (!o->part[i] || !o->final[i]) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if (i == OUT_REPORT)
			continue;   /* written at commit */
		if (!(o->f[i] = open_private(o->part[i], err)) ||
		    !(o->f[i] = cf_zfile_wrap(o->f[i], layout->compress))) {
			/* open_private's message, else the compressor's failure */
			rc = cf_error_set(err, CF_EIO, "%s: %s", o->part[i], strerror(errno));
			goto done;
		}
	}
done:
	if (rc < 0)
		cf_output_free(&o);
	*out = o;
	return rc;
}

const char *const cf_output_file_names[] = {
	"pairs", "augmented", "rejected", "errors", "report", NULL
};

const char *cf_output_file_name(const cf_output_layout *l, int i, char *buf,
                                size_t n)
{
	if (i == OUT_REPORT)
		snprintf(buf, n, "%s", out_names[i]);
	else if (i == OUT_AUGMENTED && l->aug_delim)
		snprintf(buf, n, "augmented.%s%s", l->aug_delim == ',' ? "csv" : "tsv",
		         cf_zfile_suffix(l->compress));
	else
		snprintf(buf, n, "%s%s", out_names[i], cf_zfile_suffix(l->compress));
	return buf;
}

const char *cf_output_dir(const cf_output *o)
{
	return o ? o->dir : NULL;
}

/* ---- line writers ---------------------------------------------------- */

static void make_pair_id(char *buf, size_t n, const cf_item *it)
{
	snprintf(buf, n, "%s#%u.%u", it->rec->id, (unsigned)it->gen_stage,
	         (unsigned)it->gen_index);
}

/* The lines below are written straight into o->jb, without building
 * jansson objects for them: each helper returns 0 or -1 (out of memory),
 * and callers OR the results together. */
#define PUT_LIT(b, lit) cf_jbuf_put((b), (lit), sizeof(lit) - 1)

static int put_str(cf_jbuf *b, const char *s)
{
	return cf_json_write_string(b, s, strlen(s));
}

static int is_text_field(const cf_output *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->layout.text_fields->n; i++)
		if (strcmp(o->layout.text_fields->v[i], key) == 0)
			return 1;
	return 0;
}

/* {text fields..., "label"} of the original or of a candidate. */
static int put_side(cf_output *o, const cf_item *it)
{
	cf_jbuf *b = &o->jb;
	const char *label = cf_item_label(it);
	int bad = 0, first = 1;
	size_t i;

	bad |= PUT_LIT(b, "{");
	for (i = 0; i < o->layout.text_fields->n; i++) {
		const char *f = o->layout.text_fields->v[i];
		json_t *v = json_object_get(it->cf ? it->cf : it->rec->fields, f);
		if (!v)
			continue;
		if (!first)
			bad |= PUT_LIT(b, ",");
		first = 0;
		bad |= put_str(b, f) | PUT_LIT(b, ":") | cf_json_write(b, v);
	}
	if (label)
		bad |= (first ? 0 : PUT_LIT(b, ",")) | PUT_LIT(b, "\"label\":") | put_str(b, label);
	return bad | PUT_LIT(b, "}");
}

/* The pairs.jsonl / rejected.jsonl line of a candidate, without its
 * closing brace (rejected.jsonl adds fields). */
static int put_pair_open(cf_output *o, const cf_item *it, const char *pair_id)
{
	cf_item orig = { .rec = it->rec };
	cf_jbuf *b = &o->jb;
	int bad = 0;

	bad |= PUT_LIT(b, "{\"pair_id\":") | put_str(b, pair_id);
	bad |= PUT_LIT(b, ",\"orig_id\":") | put_str(b, it->rec->id);
	bad |= PUT_LIT(b, ",\"original\":") | put_side(o, &orig);
	bad |= PUT_LIT(b, ",\"counterfactual\":") | put_side(o, it);
	if (it->generator)
		bad |= PUT_LIT(b, ",\"generator\":") | cf_json_write(b, it->generator);
	if (it->notes) {
		const char *key;
		json_t *v;

		json_object_foreach(it->notes, key, v)
			bad |= PUT_LIT(b, ",") | put_str(b, key) | PUT_LIT(b, ":") |
			       cf_json_write(b, v);
	}
	return bad;
}

/* An augmented.jsonl line: the input record's own fields in their order,
 * with a candidate's text fields and target label put in, then source,
 * pair_id and orig_id (reserved names: an input field of that name is
 * replaced).  orig_id, the input record's id on the original and on each
 * of its counterfactuals, is the group a trainer keeps on one side of a
 * dev split (`cfaug teacher train` reads it). */
static int put_flat(cf_output *o, const cf_item *it, const char *pair_id)
{
	const char *lf = o->layout.label_field, *label = cf_item_label(it), *key;
	cf_jbuf *b = &o->jb;
	json_t *v, *cfv;
	int bad = 0, first = 1;

	bad |= PUT_LIT(b, "{");
	json_object_foreach(it->rec->fields, key, v) {
		if (strcmp(key, "source") == 0 || strcmp(key, "pair_id") == 0 ||
		    strcmp(key, "orig_id") == 0)
			continue;
		if (!first)
			bad |= PUT_LIT(b, ",");
		first = 0;
		bad |= put_str(b, key) | PUT_LIT(b, ":");
		if (it->cf && lf && label && strcmp(key, lf) == 0)
			bad |= put_str(b, label);
		else if (it->cf && is_text_field(o, key) && (cfv = json_object_get(it->cf, key)))
			bad |= cf_json_write(b, cfv);
		else
			bad |= cf_json_write(b, v);
	}
	bad |= first ? PUT_LIT(b, "\"source\":") : PUT_LIT(b, ",\"source\":");
	bad |= it->cf ? PUT_LIT(b, "\"counterfactual\"") : PUT_LIT(b, "\"original\"");
	bad |= PUT_LIT(b, ",\"pair_id\":") | (pair_id ? put_str(b, pair_id) : PUT_LIT(b, "null"));
	bad |= PUT_LIT(b, ",\"orig_id\":") | put_str(b, it->rec->id);
	return bad | PUT_LIT(b, "}\n");
}

/* An augmented row as CSV/TSV (output_dsv.c). */
static int put_augmented_dsv(cf_output *o, const cf_item *it, const char *pair_id)
{
	o->dsv.delim = o->layout.aug_delim;
	return cf_dsv_write_flat(&o->dsv, o->f[OUT_AUGMENTED], it, pair_id,
	                         o->layout.text_fields, o->layout.label_field);
}

/* Write o->jb to file `which` and empty it. */
static int flush_line(cf_output *o, int which, int bad)
{
	size_t n = o->jb.len;

	o->jb.len = 0;
	if (bad)
		return CF_ENOMEM;
	if (o->f[which] && fwrite(o->jb.p, 1, n, o->f[which]) != n)
		return CF_EIO;
	return 0;
}

/* Write an original from its raw JSONL line: `{...` + our three fields +
 * `}`.  Only when the object is non-empty and has none of our keys. */
static int put_original_raw(cf_output *o, const cf_group *g)
{
	static const char tail[] = ",\"source\":\"original\",\"pair_id\":null,"
	                           "\"orig_id\":";
	const char *s = g->raw;
	size_t n = g->raw_len;
	FILE *f = o->f[OUT_AUGMENTED];

	while (n && s[n - 1] != '}')
		n--;
	if (!n)
		return 1;
	if (fwrite(s, 1, n - 1, f) != n - 1 ||
	    fwrite(tail, 1, sizeof tail - 1, f) != sizeof tail - 1)
		return CF_EIO;
	return flush_line(o, OUT_AUGMENTED,
	                  put_str(&o->jb, g->rec.id) | PUT_LIT(&o->jb, "}\n"));
}

static int can_splice(const cf_output *o, const cf_group *g)
{
	return o->layout.raw_splice && g->raw && json_object_size(g->rec.fields) &&
	       !json_object_get(g->rec.fields, "source") &&
	       !json_object_get(g->rec.fields, "pair_id") &&
	       !json_object_get(g->rec.fields, "orig_id");
}

/* Raw input for errors.jsonl: at most CF_RAW_MAX bytes, with every byte
 * that is not valid UTF-8 (or NUL) replaced by U+FFFD, so the line is
 * valid JSON whatever the input held. */
static json_t *raw_string(const char *s, size_t n)
{
	char buf[CF_RAW_MAX * 3 + 4];
	size_t out = 0, ok;
	int nul;

	if (n > CF_RAW_MAX)
		n = CF_RAW_MAX;
	while (n) {
		ok = cf_utf8_check(s, n, &nul);
		memcpy(buf + out, s, ok);
		out += ok;
		if (ok == n)
			break;
		memcpy(buf + out, "\xEF\xBF\xBD", 3);
		out += 3;
		s += ok + 1;
		n -= ok + 1;
	}
	return json_stringn_nocheck(buf, out);
}

static int put_json(cf_output *o, int which, json_t *j)
{
	if (!o->f[which])
		return 0;
	return flush_line(o, which, cf_json_write(&o->jb, j) | PUT_LIT(&o->jb, "\n"));
}

static int put_error(cf_output *o, const cf_group *g)
{
	json_t *j;
	int rc;

	if (!o->f[OUT_ERRORS]) {   /* "-": one text line on stderr (error_lines.c) */
		cf_error_line(&o->elines, stderr, o->layout.input_name, g->rec.line,
		              g->rec.recno, g->error_stage, g->error);
		return 0;
	}
	if (!(j = json_object()))
		return CF_ENOMEM;
	json_object_set_new(j, "line", json_integer(g->rec.line));
	json_object_set_new(j, "recno", json_integer((json_int_t)g->rec.recno));
	if (g->id_known)
		json_object_set_new(j, "id", json_string(g->rec.id));
	if (g->error_stage)
		json_object_set_new(j, "stage", json_string(g->error_stage));
	json_object_set_new(j, "reason", json_string(g->error));
	if (g->raw)
		json_object_set_new(j, "raw", raw_string(g->raw, g->raw_len));
	rc = put_json(o, OUT_ERRORS, j);
	json_decref(j);
	return rc;
}

/* Candidates of one record, sorted by (gen_stage, gen_index) into v. */
static size_t sorted_items(cf_item *head, cf_item **v, size_t cap)
{
	size_t n = 0, i;

	for (; head && n < cap; head = head->next) {
		for (i = n; i > 0 && (v[i - 1]->gen_stage > head->gen_stage ||
		     (v[i - 1]->gen_stage == head->gen_stage &&
		      v[i - 1]->gen_index > head->gen_index)); i--)
			v[i] = v[i - 1];
		v[i] = head;
		n++;
	}
	return n;
}

static size_t list_len(const cf_item *it)
{
	size_t n = 0;

	for (; it; it = it->next)
		n++;
	return n;
}

static int put_rejected(cf_output *o, const cf_item *it, const char *pair_id)
{
	cf_jbuf *b = &o->jb;
	int bad;

	if (!o->f[OUT_REJECTED])
		return 0;
	bad = put_pair_open(o, it, pair_id);
	bad |= PUT_LIT(b, ",\"stage\":") | put_str(b, o->layout.stages[it->reject_stage].name);
	bad |= PUT_LIT(b, ",\"reason\":") | put_str(b, it->reason ? it->reason : "rejected");
	if (it->detail)
		bad |= PUT_LIT(b, ",\"detail\":") | cf_json_write(b, it->detail);
	bad |= PUT_LIT(b, "}\n");
	return flush_line(o, OUT_REJECTED, bad);
}

int cf_output_write_group(cf_output *o, const cf_group *g, cf_error *err)
{
	cf_item *stackv[64], **v = stackv;
	size_t n, i, cap;
	char pid[256];
	int rc = 0;

	if (g->is_error) {   /* its candidates were all moved to rejected */
		if ((rc = put_error(o, g)) < 0)
			goto done;
		goto rejected;
	}
	/* the original first, then its accepted counterfactuals */
	if (g->original_out && o->f[OUT_AUGMENTED] && o->layout.aug_delim) {
		rc = put_augmented_dsv(o, &g->original, NULL);
	} else if (g->original_out && o->f[OUT_AUGMENTED]) {
		rc = can_splice(o, g) ? put_original_raw(o, g) : 1;
		if (rc == 1)
			rc = flush_line(o, OUT_AUGMENTED, put_flat(o, &g->original, NULL));
		if (rc < 0)
			goto done;
	}
	cap = list_len(g->accepted);
	if (list_len(g->rejected) > cap)
		cap = list_len(g->rejected);
	if (cap > 64 && !(v = malloc(cap * sizeof *v))) {
		rc = CF_ENOMEM;
		goto done;
	}
	n = sorted_items(g->accepted, v, cap);
	for (i = 0; i < n && rc == 0; i++) {
		make_pair_id(pid, sizeof pid, v[i]);
		rc = flush_line(o, OUT_PAIRS, put_pair_open(o, v[i], pid) | PUT_LIT(&o->jb, "}\n"));
		if (rc == 0 && o->f[OUT_AUGMENTED] && o->layout.aug_delim)
			rc = put_augmented_dsv(o, v[i], pid);
		else if (rc == 0 && o->f[OUT_AUGMENTED])
			rc = flush_line(o, OUT_AUGMENTED, put_flat(o, v[i], pid));
	}
rejected:
	cap = list_len(g->rejected);
	if (cap > 64 && v == stackv && !(v = malloc(cap * sizeof *v))) {
		rc = CF_ENOMEM;
		goto done;
	}
	n = sorted_items(g->rejected, v, cap);
	for (i = 0; i < n && rc == 0; i++) {
		make_pair_id(pid, sizeof pid, v[i]);
		rc = put_rejected(o, v[i], pid);
	}
done:
	if (v != stackv)
		free(v);
	if (rc == CF_ENOMEM)
		return cf_error_set(err, rc, "out of memory while writing output");
	if (rc < 0)
		return cf_error_set(err, CF_EIO, "%s: write failed: %s",
		                    o->dir ? o->dir : "stdout", strerror(errno));
	return 0;
}

/* fflush + fsync + fclose, reporting the first failure. */
static int close_stream(FILE *f, const char *path, cf_error *err)
{
	int bad = fflush(f) != 0;

	if (!bad && f != stdout && fileno(f) >= 0 && fsync(fileno(f)) != 0 &&
	    errno != EINVAL)   /* a compressed stream fsyncs in fclose */
		bad = 1;
	if (f != stdout ? fclose(f) != 0 : 0)
		bad = 1;
	if (bad)
		return cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

int cf_output_commit(cf_output *o, json_t *report, cf_error *err)
{
	int rc = 0, i;
	FILE *f;

	if (!o->dir) {
		rc = fflush(stdout) ? cf_error_set(err, CF_EIO, "stdout: %s",
		                                   strerror(errno)) : 0;
		o->f[OUT_PAIRS] = NULL;
		goto done;
	}
	for (i = 0; i < OUT_N && rc == 0; i++) {
		if (!o->f[i])
			continue;
		rc = close_stream(o->f[i], o->part[i], err);
		o->f[i] = NULL;
	}
	if (rc < 0 || !o->part[OUT_REPORT])
		goto renames;
	if (!(f = open_private(o->part[OUT_REPORT], err))) {
		rc = CF_EIO;
		goto done;
	}
	if (json_dumpf(report, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0 || fputc('\n', f) == EOF) {
		fclose(f);
		rc = cf_error_set(err, CF_EIO, "%s: write failed", o->part[OUT_REPORT]);
		goto done;
	}
	if ((rc = close_stream(f, o->part[OUT_REPORT], err)) < 0)
		goto done;
renames:
	if (rc < 0)
		goto done;
	/* the data files first, the report last: a report means a whole run */
	for (i = 0; i < OUT_N; i++) {
		if (!o->part[i])
			continue;   /* not in output.files */
		if (rename(o->part[i], o->final[i]) != 0) {
			rc = cf_error_set(err, CF_EIO, "%s: cannot rename into place: %s",
			                  o->final[i], strerror(errno));
			goto done;
		}
	}
	o->committed = 1;
done:
	return rc;
}

void cf_output_free(cf_output **po)
{
	cf_output *o = po ? *po : NULL;
	int i;

	if (!o)
		return;
	for (i = 0; i < OUT_N; i++) {
		if (o->f[i] && o->f[i] != stdout)
			fclose(o->f[i]);
		else if (o->f[i] == stdout)
			fflush(stdout);
		if (!o->committed && o->part[i])
			unlink(o->part[i]);
		free(o->part[i]);
		free(o->final[i]);
	}
	cf_jbuf_free(&o->jb);
	cf_dsv_writer_free(&o->dsv);
	cf_error_lines_end(&o->elines, stderr);
	if (o->lock_fd >= 0)
		close(o->lock_fd);   /* releases the lock */
	free(o->dir);
	free(o);
	*po = NULL;
}
