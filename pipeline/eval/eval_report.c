/*
 * eval_report.c - see eval_report.h.  The page: key figures as cards, then
 * one section per metric; charts are inline SVG (bars with Wilson interval
 * whiskers, histograms, a before/after bar chart of token z-statistics).
 * Every string from the data is HTML-escaped.  The page is built in one
 * growable buffer capped at CF_REPORT_MAX_HTML.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/util.h"
#include "eval.h"
#include "eval_report.h"

/* The page: the one capped buffer plus the first failure, so drawing code
 * goes on appending and the end reports it once. */
typedef struct sb {
	cf_buf buf;
	int err;        /* CF_ENOMEM or CF_ELIMIT once anything failed */
} sb;

static void sb_put(sb *b, const char *s, size_t len)
{
	int rc;

	if (!b->err && (rc = cf_buf_put(&b->buf, s, len)) < 0)
		b->err = rc;
}

static void sb_cat(sb *b, const char *s) { sb_put(b, s, strlen(s)); }

__attribute__((format(printf, 2, 3)))
static void sb_printf(sb *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (b->err)
		return;
	va_start(ap, fmt);
	rc = cf_buf_vprintf(&b->buf, fmt, ap);
	va_end(ap);
	if (rc < 0 && rc != CF_EINTERNAL)   /* a format error drops the piece */
		b->err = rc;
}

/* HTML-escaped text (also safe inside SVG <text> and attributes). */
static void sb_esc(sb *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sb_cat(b, "&amp;"); break;
		case '<': sb_cat(b, "&lt;"); break;
		case '>': sb_cat(b, "&gt;"); break;
		case '"': sb_cat(b, "&quot;"); break;
		case '\'': sb_cat(b, "&#39;"); break;
		default: sb_put(b, s, 1);
		}
	}
}

/* ---- reading the JSON ------------------------------------------------- */

static json_t *at(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;
	json_t *v = (json_t *)o;

	while (v && *path) {
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		v = json_object_get(v, key);
		path += n + (dot ? 1 : 0);
	}
	return v;
}

static double num(const json_t *o, const char *path)
{
	json_t *v = at(o, path);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *path)
{
	json_t *v = at(o, path);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void sb_num(sb *b, double v, const char *fmt)
{
	if (isfinite(v))
		sb_printf(b, fmt, v);
	else
		sb_cat(b, "&ndash;");
}

static void sb_prop(sb *b, const json_t *p)
{
	sb_num(b, num(p, "rate"), "%.3f");
	if (isfinite(num(p, "lo"))) {
		sb_printf(b, " <span class=\"ci\">[%.3f, %.3f]</span>", num(p, "lo"),
		          num(p, "hi"));
	}
	sb_printf(b, " <span class=\"n\">%lld/%lld</span>",
	          (long long)json_integer_value(json_object_get(p, "k")),
	          (long long)json_integer_value(json_object_get(p, "n")));
}

/* ---- charts ----------------------------------------------------------- */

#define W 760            /* chart width */

typedef struct barrow {
	char label[200];
	const json_t *prop;  /* {rate, lo, hi, k, n} */
} barrow;

/* Horizontal bars of rates on [0, 1] with interval whiskers. */
static void chart_rates(sb *b, const barrow *rows, size_t n, const char *title)
{
	const int left = 250, right = 130, rh = 28, top = 34;
	const int pw = W - left - right;
	int h = top + (int)n * rh + 8, t;
	size_t i;

	sb_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	          "height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\"><title>", W,
	          h, W, h);
	sb_esc(b, title);
	sb_cat(b, "</title>");
	/* grid and axis */
	for (t = 0; t <= 4; t++) {
		double x = left + pw * t / 4.0;

		sb_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		          "class=\"grid\"/><text x=\"%.1f\" y=\"%d\" class=\"tick\" "
		          "text-anchor=\"middle\">%.2f</text>", x, top - 6, x,
		          top + (int)n * rh, x, top - 12, t / 4.0);
	}
	for (i = 0; i < n; i++) {
		double r = num(rows[i].prop, "rate"), lo = num(rows[i].prop, "lo"),
		       hi = num(rows[i].prop, "hi");
		int y = top + (int)i * rh;

		sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">",
		          left - 8, y + rh / 2 + 4);
		sb_esc(b, rows[i].label);
		sb_cat(b, "</text>");
		if (isfinite(r)) {
			sb_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			          "class=\"bar\"/>", left, y + 5, pw * r, rh - 10);
			sb_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			          "class=\"ci\"/><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			          "y2=\"%d\" class=\"ci\"/><line x1=\"%.1f\" y1=\"%d\" "
			          "x2=\"%.1f\" y2=\"%d\" class=\"ci\"/>",
			          left + pw * lo, y + rh / 2, left + pw * hi, y + rh / 2,
			          left + pw * lo, y + 8, left + pw * lo, y + rh - 8,
			          left + pw * hi, y + 8, left + pw * hi, y + rh - 8);
			sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\">%.3f  (n %lld)"
			          "</text>", left + pw + 10, y + rh / 2 + 4, r,
			          (long long)json_integer_value(
			              json_object_get(rows[i].prop, "n")));
		} else {
			sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\">no pairs</text>",
			          left + pw + 10, y + rh / 2 + 4);
		}
	}
	sb_cat(b, "</svg>\n");
}

/* A histogram from {lo, hi, counts}. */
static void chart_hist(sb *b, const json_t *h, const char *title,
                       const char *xlabel)
{
	const json_t *c = json_object_get(h, "counts");
	size_t n = json_array_size(c), i;
	const int left = 60, right = 20, top = 20, ph = 170, hgt = 240;
	const int pw = W - left - right;
	double lo = num(h, "lo"), hi = num(h, "hi");
	long long mx = 0;

	for (i = 0; i < n; i++)
		if (json_integer_value(json_array_get(c, i)) > mx)
			mx = json_integer_value(json_array_get(c, i));
	sb_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	          "height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\"><title>", W,
	          hgt, W, hgt);
	sb_esc(b, title);
	sb_cat(b, "</title>");
	sb_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>",
	          left, top + ph, left + pw, top + ph);
	sb_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
	          "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%lld</text>",
	          left, top, left + pw, top, left - 6, top + 4, mx);
	sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">0</text>",
	          left - 6, top + ph + 4);
	for (i = 0; i < n && mx > 0; i++) {
		long long v = json_integer_value(json_array_get(c, i));
		double bw = (double)pw / (double)n, bh = (double)ph * (double)v / (double)mx;

		if (v > 0)
			sb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			          "height=\"%.1f\" class=\"hbar\"><title>%lld</title></rect>",
			          left + bw * (double)i + 1, top + ph - bh, bw - 2, bh, v);
	}
	for (i = 0; i <= 4; i++) {
		double x = left + pw * (double)i / 4.0;

		sb_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">"
		          "%.2f</text>", x, top + ph + 18, lo + (hi - lo) * (double)i / 4.0);
	}
	sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"middle\">", left +
	          pw / 2, top + ph + 40);
	sb_esc(b, xlabel);
	sb_cat(b, "</text></svg>\n");
}

/* Tokens' z before and after, as paired bars around 0. */
static void chart_z(sb *b, const json_t *rows, double zcrit, int before_first,
                    const char *title)
{
	size_t n = json_array_size(rows), i;
	const int left = 190, right = 30, rh = 26, top = 40;
	const int pw = W - left - right;
	int h = top + (int)n * rh + 44, ybot = top + (int)n * rh;
	double zmax = 1, mid = left + pw / 2.0, step, t;

	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		double z1 = fabs(num(r, "z")), z2 = fabs(num(r, "z_other"));

		if (z1 > zmax) zmax = z1;
		if (isfinite(z2) && z2 > zmax) zmax = z2;
	}
	if (isfinite(zcrit) && zcrit > zmax)
		zmax = zcrit * 1.1;
	/* a z axis with round steps, 3 to 5 ticks a side */
	{
		static const double steps[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500,
		                                1000 };
		size_t s;

		for (s = 0; s + 1 < sizeof steps / sizeof *steps &&
		            zmax / steps[s] > 5; s++)
			;
		step = steps[s];
	}
	sb_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	          "height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\"><title>", W,
	          h, W, h);
	sb_esc(b, title);
	sb_cat(b, "</title>");
	sb_printf(b, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"10\" class=\"zb\"/>"
	          "<text x=\"%d\" y=\"17\" class=\"tick\">before</text>"
	          "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"10\" class=\"za\"/>"
	          "<text x=\"%d\" y=\"17\" class=\"tick\">after</text>"
	          "<text x=\"%d\" y=\"17\" class=\"tick\" text-anchor=\"end\">"
	          "|z| scale to %.1f</text>",
	          left, left + 16, left + 70, left + 86, W - right, zmax);
	sb_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"axis\"/>",
	          mid, top - 6, mid, top + (int)n * rh);
	if (isfinite(zcrit))
		sb_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		          "class=\"crit\"/><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		          "class=\"crit\"/>", mid - pw / 2.0 * zcrit / zmax, top - 6,
		          mid - pw / 2.0 * zcrit / zmax, top + (int)n * rh,
		          mid + pw / 2.0 * zcrit / zmax, top - 6,
		          mid + pw / 2.0 * zcrit / zmax, top + (int)n * rh);
	for (t = -floor(zmax / step) * step; t <= zmax + 1e-9; t += step) {
		double x = mid + pw / 2.0 * t / zmax;

		sb_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		          "class=\"grid\"/><text x=\"%.1f\" y=\"%d\" class=\"tick\" "
		          "text-anchor=\"middle\">%g</text>", x, top - 6, x, ybot, x,
		          ybot + 14, t);
	}
	sb_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
	          "text-anchor=\"middle\">z of the token for the label in brackets "
	          "(dashed: critical |z|)</text>", mid, ybot + 32);
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		double zb = num(r, before_first ? "z" : "z_other"),
		       za = num(r, before_first ? "z_other" : "z");
		int y = top + (int)i * rh;
		int k;

		sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lab\" text-anchor=\"end\">",
		          left - 8, y + rh / 2 + 4);
		sb_esc(b, str(r, "token"));
		sb_cat(b, " <tspan class=\"tick\">(");
		sb_esc(b, str(r, "label"));
		sb_cat(b, ")</tspan></text>");
		for (k = 0; k < 2; k++) {
			double z = k ? za : zb, w;

			if (!isfinite(z))
				continue;
			w = pw / 2.0 * fabs(z) / zmax;
			sb_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"9\" "
			          "class=%s><title>%s z = %.2f</title></rect>",
			          z < 0 ? mid - w : mid, y + 4 + k * 10, w,
			          k ? "za" : "zb", k ? "after" : "before", z);
		}
	}
	sb_cat(b, "</svg>\n");
}

/* The same rows as a table: token, label, z before and after, documents. */
static void table_z(sb *b, const json_t *rows, int before_first)
{
	json_t *r;
	size_t i;

	sb_cat(b, "<table><tr><th>token</th><th>label</th><th class=\"r\">z "
	       "before</th><th class=\"r\">z after</th><th class=\"r\">documents "
	       "before</th><th class=\"r\">documents after</th></tr>\n");
	json_array_foreach(rows, i, r) {
		sb_cat(b, "<tr><td>");
		sb_esc(b, str(r, "token"));
		sb_cat(b, "</td><td>");
		sb_esc(b, str(r, "label"));
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(r, before_first ? "z" : "z_other"), "%.2f");
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(r, before_first ? "z_other" : "z"), "%.2f");
		sb_printf(b, "</td><td class=\"r\">%.0f</td><td class=\"r\">%.0f"
		          "</td></tr>\n", num(r, before_first ? "n" : "n_other"),
		          num(r, before_first ? "n_other" : "n"));
	}
	sb_cat(b, "</table>\n");
}

/* ---- the page --------------------------------------------------------- */

static const char css[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,"
	"Arial,sans-serif;color:#1f2328;max-width:980px;margin:0 auto;padding:24px 28px;"
	"background:#fff}"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 8px;"
	"padding-bottom:4px;border-bottom:1px solid #d8dee4}"
	"p.meta{color:#57606a;margin:0 0 18px;font-size:13px}"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));"
	"gap:12px;margin:16px 0}"
	".card{border:1px solid #d8dee4;border-radius:8px;padding:10px 14px}"
	".card .k{font-size:12px;color:#57606a;text-transform:uppercase;"
	"letter-spacing:.03em}.card .v{font-size:24px;font-weight:600}"
	".card .s{font-size:12px;color:#57606a}"
	"table{border-collapse:collapse;margin:8px 0;font-size:14px}"
	"th,td{padding:4px 12px;border-bottom:1px solid #eaeef2;text-align:left}"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
	"th{background:#f6f8fa;font-weight:600}"
	".ci,.n{color:#57606a;font-size:12px}"
	"svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}"
	"svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}"
	"svg .bar{fill:#4c78a8}svg .hbar{fill:#72b7b2}"
	"svg line.ci{stroke:#1f2328;stroke-width:1.5}"
	"svg .crit{stroke:#d62728;stroke-dasharray:4 3}"
	"svg .zb{fill:#4c78a8}svg .za{fill:#f58518}"
	"svg text{font:12px system-ui,sans-serif;fill:#1f2328}"
	"svg .tick{fill:#57606a;font-size:11px}svg .val{font-size:12px}"
	"p.note{color:#57606a;font-size:13px}"
	".warn{border:1px solid #d4a72c;background:#fff8c5;border-radius:6px;"
	"padding:8px 12px;margin:8px 0;font-size:14px}"
	".card .s.bad{color:#cf222e;font-weight:600}"
	"del{background:#ffebe9;color:#82071e}ins{background:#dafbe1;"
	"color:#116329;text-decoration:none}"
	"td.pair{white-space:pre-wrap;max-width:380px;font-size:13px}";

static void card(sb *b, const char *k, double v, const char *fmt,
                 const char *sub)
{
	sb_cat(b, "<div class=\"card\"><div class=\"k\">");
	sb_cat(b, k);    /* trusted: built here, may hold entities */
	sb_cat(b, "</div><div class=\"v\">");
	sb_num(b, v, fmt);
	sb_cat(b, "</div><div class=\"s\">");
	sb_cat(b, sub);    /* trusted: built here */
	sb_cat(b, "</div></div>");
}

static void ci_text(char *buf, size_t size, double lo, double hi)
{
	if (isfinite(lo) && isfinite(hi))
		snprintf(buf, size, "95%% CI [%.3f, %.3f]", lo, hi);
	else
		snprintf(buf, size, "no pairs to count");
}

/* A flip-rate card with, under it, how often its judge is right on the
 * originals (flagged below the accuracy the report trusts). */
static void flip_card(sb *b, const json_t *j, const char *k, const char *key)
{
	char lo[64], hi[64], path[64], sub[300];
	double acc = num(j, "original_accuracy.rate");
	int low = isfinite(acc) && acc < CF_EVAL_MIN_JUDGE_ACCURACY;
	size_t n;

	snprintf(lo, sizeof lo, "%s.lo", key);
	snprintf(hi, sizeof hi, "%s.hi", key);
	ci_text(sub, sizeof sub, num(j, lo), num(j, hi));
	n = strlen(sub);
	if (isfinite(acc))       /* a second line under the card's figure */
		snprintf(sub + n, sizeof sub - n, "</div><div class=\"s%s\">judge "
		         "right on %.3f of the originals%s", low ? " bad" : "", acc,
		         low ? " &mdash; too few to trust it" : "");
	snprintf(path, sizeof path, "%s.rate", key);
	card(b, k, num(j, path), "%.3f", sub);
}

/* The rows of one breakdown (judge 1): pairs, targeted and untargeted
 * flips, consistency, mean change of p(target). */
static void by_table(sb *b, const json_t *a, const char *what)
{
	size_t i;

	sb_printf(b, "<table><tr><th>%s</th><th class=\"r\">pairs</th>"
	          "<th>gives target</th><th>label changed</th><th>consistent</th>"
	          "<th class=\"r\">mean &Delta;p</th></tr>\n", what);
	for (i = 0; i < json_array_size(a); i++) {
		json_t *row = json_array_get(a, i);

		sb_cat(b, "<tr><td>");
		sb_esc(b, str(row, "key"));
		sb_printf(b, "</td><td class=\"r\">%.0f</td><td>", num(row, "pairs"));
		sb_prop(b, json_object_get(row, "targeted"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(row, "untargeted"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(row, "consistency"));
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(row, "mean_prob_change"), "%+.3f");
		sb_cat(b, "</td></tr>\n");
	}
	sb_cat(b, "</table>\n");
}

static void section_judges(sb *b, const json_t *r)
{
	const json_t *js = json_object_get(r, "judges");
	const json_t *j0 = json_array_get(js, 0), *by = json_object_get(j0, "by");
	barrow rows[64];
	size_t n = 0, i, d;
	json_t *v;
	char sub[200];

	/* key figures from the first judge */
	sb_cat(b, "<div class=\"cards\">");
	if (num(j0, "targeted_flip.n") > 0 || !(num(j0, "label_kept.n") > 0))
		flip_card(b, j0, "Targeted flip rate", "targeted_flip");
	if (num(j0, "label_kept.n") > 0)   /* CDA: edits that must keep the label */
		flip_card(b, j0, "Label kept", "label_kept");
	flip_card(b, j0, "Untargeted flip rate", "untargeted_flip");
	snprintf(sub, sizeof sub, "judge right on both members");
	card(b, "Consistency", num(j0, "consistency.rate"), "%.3f", sub);
	if (isfinite(num(j0, "target_prob_change.summary.median")))
		snprintf(sub, sizeof sub, "median %.3f",
		         num(j0, "target_prob_change.summary.median"));
	else
		snprintf(sub, sizeof sub, "no pairs");
	card(b, "Mean &Delta;p(target)", num(j0, "target_prob_change.summary.mean"),
	     "%+.3f", sub);
	if (isfinite(num(r, "minimality.distance.mean")))
		snprintf(sub, sizeof sub, "mean %.2f tokens changed",
		         num(r, "minimality.distance.mean"));
	else
		snprintf(sub, sizeof sub, "no pairs");
	card(b, "Minimality (normalised)", num(r, "minimality.normalized.mean"),
	     "%.3f", sub);
	snprintf(sub, sizeof sub, "%lld label-changing, %lld controls",
	         (long long)num(r, "counts.label_changing_pairs"),
	         (long long)num(r, "counts.control_pairs"));
	card(b, "Pairs", num(r, "counts.pairs"), "%.0f", sub);
	sb_cat(b, "</div>\n<p class=\"note\">Judge: <b>");
	sb_esc(b, str(j0, "name"));
	sb_cat(b, "</b>. Targeted: the judge gives the target label (pairs whose "
	       "target differs from the original's label). Untargeted: the "
	       "judge's label changed. Intervals are Wilson 95%.</p>\n");

	/* flip rate by generator */
	sb_cat(b, "<h2>Flip rate by generator</h2>\n");
	snprintf(rows[n].label, sizeof rows[n].label, "all edits (targeted)");
	rows[n++].prop = json_object_get(j0, "targeted_flip");
	for (d = 0; d < 5; d++) {
		static const char *const dims[] = { "stage", "kind", "rule", "prompt",
		                                    "model" };
		const json_t *a = json_object_get(by, dims[d]);

		for (i = 0; i < json_array_size(a) && n < 40; i++) {
			snprintf(rows[n].label, sizeof rows[n].label, "%s: %s", dims[d],
			         str(json_array_get(a, i), "key"));
			rows[n++].prop = at(json_array_get(a, i), "targeted");
		}
	}
	chart_rates(b, rows, n, "Targeted flip rate by generator, 95% intervals");
	sb_cat(b, "<p class=\"note\">For a generator row, the rate is over its "
	       "label-changing pairs.</p>\n");

	/* by transition */
	sb_cat(b, "<h2>By label transition</h2>\n");
	n = 0;
	{
		const json_t *a = json_object_get(by, "transition");

		for (i = 0; i < json_array_size(a) && n < 40; i++) {
			snprintf(rows[n].label, sizeof rows[n].label, "%s",
			         str(json_array_get(a, i), "key"));
			rows[n++].prop = at(json_array_get(a, i), "targeted");
		}
		chart_rates(b, rows, n, "Judge gives the target, by transition");
		by_table(b, a, "transition");
	}
	if (json_array_size(json_object_get(by, "edited_field"))) {
		sb_cat(b, "<h2>By edited field</h2>\n<p class=\"note\">Which text "
		       "fields the counterfactual changed (NLI: premise or "
		       "hypothesis).</p>\n");
		by_table(b, json_object_get(by, "edited_field"), "edited field");
	}

	sb_cat(b, "<h2>Change of the target label&rsquo;s probability</h2>\n");
	chart_hist(b, at(j0, "target_prob_change.histogram"),
	           "Histogram of p(target | counterfactual) - p(target | original)",
	           "p(target | counterfactual) \xe2\x88\x92 p(target | original)");

	/* every judge */
	sb_cat(b, "<h2>Judges</h2>\n<table><tr><th>judge</th><th>targeted flip</th>"
	       "<th>untargeted flip</th><th>consistency</th><th>label kept</th>"
	       "<th>accuracy on "
	       "originals</th><th class=\"r\">&kappa; vs labels</th></tr>\n");
	json_array_foreach(js, i, v) {
		sb_cat(b, "<tr><td>");
		sb_esc(b, str(v, "name"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "targeted_flip"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "untargeted_flip"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "consistency"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "label_kept"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "original_accuracy"));
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(v, "kappa_vs_labels.kappa"), "%.3f");
		sb_cat(b, "</td></tr>\n");
	}
	sb_cat(b, "</table>\n");
	v = json_object_get(r, "judge_agreement");
	if (json_array_size(v)) {
		json_t *row;

		sb_cat(b, "<table><tr><th>judge</th><th>judge</th><th class=\"r\">Cohen's "
		       "&kappa;</th><th class=\"r\">items</th></tr>\n");
		json_array_foreach(v, i, row) {
			sb_cat(b, "<tr><td>");
			sb_esc(b, str(row, "a"));
			sb_cat(b, "</td><td>");
			sb_esc(b, str(row, "b"));
			sb_cat(b, "</td><td class=\"r\">");
			sb_num(b, num(row, "kappa"), "%.3f");
			sb_printf(b, "</td><td class=\"r\">%.0f</td></tr>\n", num(row, "items"));
		}
		sb_cat(b, "</table>\n");
	}

	/* paraphrase control */
	sb_cat(b, "<h2>Paraphrase control</h2>\n");
	json_array_foreach(js, i, v) {
		json_t *pc = json_object_get(v, "paraphrase_control");

		if (!json_is_object(pc))
			continue;
		sb_cat(b, "<p>");
		sb_esc(b, str(v, "name"));
		sb_cat(b, ": label changed on edits ");
		sb_prop(b, json_object_get(pc, "edits"));
		sb_cat(b, " vs paraphrases ");
		sb_prop(b, json_object_get(pc, "paraphrases"));
		sb_cat(b, "; difference ");
		sb_num(b, num(pc, "difference"), "%+.3f");
		sb_cat(b, ", z ");
		sb_num(b, num(pc, "z"), "%.2f");
		sb_cat(b, ", p ");
		sb_num(b, num(pc, "p_value"), "%.2g");
		sb_cat(b, "</p>\n");
	}
	if (!json_is_object(json_object_get(j0, "paraphrase_control")))
		sb_cat(b, "<p class=\"note\">No paraphrase controls in the input (mark "
		       "them with generator kind <code>paraphrase</code> or "
		       "<code>--control KEY=VALUE</code>).</p>\n");
}

static void section_minimality(sb *b, const json_t *r)
{
	const json_t *m = json_object_get(r, "minimality"),
	             *d = json_object_get(r, "diversity");

	sb_cat(b, "<h2>Minimality</h2>\n");
	chart_hist(b, json_object_get(m, "normalized_histogram"),
	           "Histogram of token edit distance / original length",
	           "token Levenshtein distance / tokens in the original");
	sb_cat(b, "<table><tr><th></th><th class=\"r\">mean</th><th class=\"r\">median</th>"
	       "<th class=\"r\">sd</th><th class=\"r\">max</th><th class=\"r\">n</th></tr>\n");
	sb_cat(b, "<tr><td>token distance</td><td class=\"r\">");
	sb_num(b, num(m, "distance.mean"), "%.2f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "distance.median"), "%.1f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "distance.sd"), "%.2f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "distance.max"), "%.0f");
	sb_printf(b, "</td><td class=\"r\">%.0f</td></tr>\n", num(m, "distance.n"));
	sb_cat(b, "<tr><td>normalised</td><td class=\"r\">");
	sb_num(b, num(m, "normalized.mean"), "%.3f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "normalized.median"), "%.3f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "normalized.sd"), "%.3f");
	sb_cat(b, "</td><td class=\"r\">");
	sb_num(b, num(m, "normalized.max"), "%.3f");
	sb_printf(b, "</td><td class=\"r\">%.0f</td></tr></table>\n",
	          num(m, "normalized.n"));
	sb_cat(b, "<p class=\"note\">Tokenizer: ");
	sb_esc(b, str(m, "tokenizer"));
	sb_cat(b, ".</p>\n<h2>Diversity</h2>\n");
	if (num(d, "groups") > 0) {
		sb_cat(b, "<table><tr><th>originals with &ge; 2 edits</th><th class=\"r\">"
		       "mean pairwise distance</th><th class=\"r\">distinct-1</th>"
		       "<th class=\"r\">distinct-2</th></tr><tr>");
		sb_printf(b, "<td class=\"r\">%.0f</td><td class=\"r\">", num(d, "groups"));
		sb_num(b, num(d, "pairwise_distance.mean"), "%.3f");
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(d, "distinct_1"), "%.3f");
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(d, "distinct_2"), "%.3f");
		sb_cat(b, "</td></tr></table>\n");
	} else {
		sb_cat(b, "<p class=\"note\">No original has two or more counterfactuals."
		       "</p>\n");
	}
}

static void fluency_row(sb *b, const json_t *f, const char *key,
                        const char *title)
{
	char path[96];
	static const char *const cols[] = { "mean", "median", "sd", "min", "max" };
	size_t i;

	sb_printf(b, "<tr><td>%s</td>", title);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s.%s", key, cols[i]);
		sb_cat(b, "<td class=\"r\">");
		sb_num(b, num(f, path), "%.3f");
		sb_cat(b, "</td>");
	}
	snprintf(path, sizeof path, "%s.n", key);
	sb_printf(b, "<td class=\"r\">%.0f</td></tr>\n", num(f, path));
}

static void section_fluency(sb *b, const json_t *f)
{
	sb_cat(b, "<h2>Fluency</h2>\n<table><tr><th></th><th class=\"r\">mean"
	       "</th><th class=\"r\">median</th><th class=\"r\">sd</th>"
	       "<th class=\"r\">min</th><th class=\"r\">max</th>"
	       "<th class=\"r\">pairs</th></tr>\n");
	fluency_row(b, f, "perplexity_original", "perplexity, original");
	fluency_row(b, f, "perplexity_counterfactual",
	            "perplexity, counterfactual");
	fluency_row(b, f, "ratio", "ratio counterfactual / original");
	sb_cat(b, "</table>\n<p class=\"note\">Model <code>");
	sb_esc(b, str(f, "model"));
	sb_cat(b, "</code> at <code>");
	sb_esc(b, str(f, "endpoint"));
	sb_printf(b, "</code> (%.0f texts without a score). ",
	          num(f, "failed_texts"));
	sb_esc(b, str(f, "method"));
	sb_cat(b, ".</p>\n");
}

static void section_spurious(sb *b, const json_t *s)
{
	const json_t *tb = json_object_get(s, "top_before"),
	             *ta = json_object_get(s, "top_after");

	sb_cat(b, "<h2>Spurious tokens</h2>\n<p class=\"note\">Before: ");
	sb_esc(b, str(s, "before"));
	sb_printf(b, " (%.0f documents, %.0f tokens over |z| %.2f). After: ",
	          num(s, "docs_before"), num(tb, "tokens_over"),
	          num(tb, "z_critical"));
	sb_esc(b, str(s, "after"));
	sb_printf(b, " (%.0f documents, %.0f tokens over |z| %.2f). ",
	          num(s, "docs_after"), num(ta, "tokens_over"),
	          num(ta, "z_critical"));
	sb_esc(b, str(s, "statistic"));
	sb_printf(b, "; tokens in at least %.0f documents; dashed lines: "
	          "Bonferroni-corrected critical value (&alpha; 0.01).</p>\n",
	          num(s, "min_count"));
	sb_cat(b, "<h3>Strongest before, and the same tokens after</h3>\n");
	chart_z(b, json_object_get(tb, "top"), num(tb, "z_critical"), 1,
	        "Top tokens by |z| before augmentation");
	table_z(b, json_object_get(tb, "top"), 1);
	sb_cat(b, "<h3>Strongest after, and the same tokens before</h3>\n");
	chart_z(b, json_object_get(ta, "top"), num(ta, "z_critical"), 0,
	        "Top tokens by |z| after augmentation");
	table_z(b, json_object_get(ta, "top"), 0);
}

/* ---- word diff --------------------------------------------------------- */

#define DIFF_MAX 400      /* words per text; longer texts are shown plain */

/* Split s into words: start offsets and lengths (a word keeps the spaces
 * after it).  Returns the count, or 0 when over DIFF_MAX. */
static size_t words(const char *s, size_t *off, size_t *len)
{
	size_t n = 0, i = 0;

	while (s[i]) {
		if (n == DIFF_MAX)
			return 0;
		off[n] = i;
		while (s[i] && s[i] != ' ' && s[i] != '\n')
			i++;
		while (s[i] == ' ' || s[i] == '\n')
			i++;
		len[n] = i - off[n];
		n++;
	}
	return n;
}

static int word_eq(const char *a, size_t ao, size_t al, const char *b,
                   size_t bo, size_t bl)
{
	/* compare without the trailing spaces */
	while (al && (a[ao + al - 1] == ' ' || a[ao + al - 1] == '\n'))
		al--;
	while (bl && (b[bo + bl - 1] == ' ' || b[bo + bl - 1] == '\n'))
		bl--;
	return al == bl && !memcmp(a + ao, b + bo, al);
}

static void put_words(sb *b, const char *s, const size_t *off,
                      const size_t *len, size_t from, size_t to,
                      const char *tag)
{
	size_t i;
	char *w;

	if (from >= to)
		return;
	if (tag)
		sb_printf(b, "<%s>", tag);
	for (i = from; i < to; i++) {
		if (!(w = strndup(s + off[i], len[i]))) {
			b->err = CF_ENOMEM;
			return;
		}
		sb_esc(b, w);
		free(w);
	}
	if (tag)
		sb_printf(b, "</%s>", tag);
}

/* Original and counterfactual as two table cells, the words an LCS does
 * not keep marked <del> (original) and <ins> (counterfactual). */
static void word_diff(sb *b, const char *x, const char *y)
{
	size_t xo[DIFF_MAX], xl[DIFF_MAX], yo[DIFF_MAX], yl[DIFF_MAX];
	size_t n = words(x, xo, xl), m = words(y, yo, yl), i, j, k;
	unsigned short *L;
	size_t *mx = NULL, *my = NULL, nm = 0;

	if (!n || !m || !(L = calloc((n + 1) * (m + 1), sizeof *L))) {
		sb_cat(b, "<td class=\"pair\">");
		sb_esc(b, x);
		sb_cat(b, "</td><td class=\"pair\">");
		sb_esc(b, y);
		sb_cat(b, "</td>");
		return;
	}
#define LL(i, j) L[(i) * (m + 1) + (j)]
	for (i = n; i-- > 0; )
		for (j = m; j-- > 0; )
			LL(i, j) = word_eq(x, xo[i], xl[i], y, yo[j], yl[j]) ?
			           LL(i + 1, j + 1) + 1 : LL(i + 1, j) > LL(i, j + 1) ?
			           LL(i + 1, j) : LL(i, j + 1);
	mx = malloc((n + 1) * sizeof *mx);
	my = malloc((m + 1) * sizeof *my);
	for (i = j = 0; mx && my && i < n && j < m; ) {
		if (word_eq(x, xo[i], xl[i], y, yo[j], yl[j])) {
			mx[nm] = i++;
			my[nm++] = j++;
		} else if (LL(i + 1, j) >= LL(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef LL
	sb_cat(b, "<td class=\"pair\">");
	for (i = k = 0; mx && my && k <= nm; k++) {
		size_t to = k < nm ? mx[k] : n;
		put_words(b, x, xo, xl, i, to, "del");
		if (k < nm)
			put_words(b, x, xo, xl, to, to + 1, NULL);
		i = to + 1;
	}
	sb_cat(b, "</td><td class=\"pair\">");
	for (j = k = 0; mx && my && k <= nm; k++) {
		size_t to = k < nm ? my[k] : m;
		put_words(b, y, yo, yl, j, to, "ins");
		if (k < nm)
			put_words(b, y, yo, yl, to, to + 1, NULL);
		j = to + 1;
	}
	sb_cat(b, "</td>");
	free(L);
	free(mx);
	free(my);
}

static void example_rows(sb *b, const json_t *a)
{
	const json_t *x;
	size_t i;

	json_array_foreach(a, i, x) {
		sb_printf(b, "<tr><td class=\"r\">%.0f</td>", num(x, "line"));
		word_diff(b, str(x, "original"), str(x, "counterfactual"));
		sb_cat(b, "<td>");
		sb_esc(b, str(x, "transition"));
		sb_cat(b, "<br><span class=\"n\">");
		sb_esc(b, str(x, "generator"));
		sb_cat(b, "</span></td><td>");
		sb_esc(b, str(x, "judge_label"));
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(x, "prob_change"), "%+.3f");
		sb_cat(b, "</td></tr>\n");
	}
}

static void example_table(sb *b, const char *title, const json_t *a)
{
	if (!json_array_size(a))
		return;
	sb_cat(b, "<h3>");
	sb_esc(b, title);
	sb_cat(b, "</h3>\n<table><tr><th class=\"r\">line</th><th>original</th>"
	       "<th>counterfactual</th><th>transition, generator</th><th>judge "
	       "says</th><th class=\"r\">&Delta;p</th></tr>\n");
	example_rows(b, a);
	sb_cat(b, "</table>\n");
}

/* Example pairs, the edit highlighted as a word diff. */
static void section_examples(sb *b, const json_t *ex)
{
	const json_t *v;
	const char *k;
	char title[300];

	sb_cat(b, "<h2>Example pairs</h2>\n<p class=\"note\">As judge <b>");
	sb_esc(b, str(ex, "judge"));
	sb_cat(b, "</b> saw them; words removed from the original are "
	       "<del>struck</del>, words the counterfactual adds are "
	       "<ins>marked</ins>. &Delta;p: change of p(target).</p>\n");
	example_table(b, "Largest rise of p(target)",
	              json_object_get(ex, "largest_prob_change"));
	example_table(b, "Smallest change (or a fall) of p(target)",
	              json_object_get(ex, "smallest_prob_change"));
	example_table(b, "Failed flips: the judge does not give the target",
	              json_object_get(ex, "failed_flips"));
	json_object_foreach((json_t *)json_object_get(ex, "by_generator"), k, v) {
		snprintf(title, sizeof title, "Generator %s", k);
		example_table(b, title, v);
	}
}

/* The human review: the exported sample, and the annotators' labels
 * against the judges (--review-import). */
static void section_review(sb *b, const json_t *hr)
{
	const json_t *ex = json_object_get(hr, "export"),
	             *im = json_object_get(hr, "import"), *v;
	size_t i;

	sb_cat(b, "<h2>Human review</h2>\n");
	if (ex) {
		sb_printf(b, "<p class=\"note\">Exported %.0f pairs from %.0f strata "
		          "(seed %.0f) to <code>", num(ex, "rows"), num(ex, "strata"),
		          num(ex, "seed"));
		sb_esc(b, str(ex, "path"));
		sb_cat(b, "</code>: ");
		sb_esc(b, str(ex, "sampling"));
		sb_cat(b, ".</p>\n");
	}
	if (!im)
		return;
	sb_cat(b, "<p class=\"note\">Annotations <code>");
	sb_esc(b, str(im, "path"));
	sb_printf(b, "</code>: %.0f rows, %.0f matched to edit pairs, %.0f not "
	          "matched, %.0f with a label the judges do not know.</p>\n",
	          num(im, "annotated"), num(im, "matched"), num(im, "unmatched"),
	          num(im, "unknown_label"));
	sb_cat(b, "<div class=\"cards\">");
	{
		char sub[200];

		ci_text(sub, sizeof sub, num(im, "human_flip.lo"),
		        num(im, "human_flip.hi"));
		card(b, "Human flip rate", num(im, "human_flip.rate"), "%.3f", sub);
	}
	sb_cat(b, "</div>\n<table><tr><th>judge</th><th>accuracy vs humans</th>"
	       "<th class=\"r\">&kappa; vs humans</th><th class=\"r\">items</th>"
	       "</tr>\n");
	json_array_foreach(json_object_get(im, "judges"), i, v) {
		sb_cat(b, "<tr><td>");
		sb_esc(b, str(v, "name"));
		sb_cat(b, "</td><td>");
		sb_prop(b, json_object_get(v, "accuracy"));
		sb_cat(b, "</td><td class=\"r\">");
		sb_num(b, num(v, "kappa"), "%.3f");
		sb_printf(b, "</td><td class=\"r\">%.0f</td></tr>\n",
		          num(v, "items"));
	}
	sb_cat(b, "</table>\n<p class=\"note\">Human flip rate: the annotator's "
	       "label is the target. Accuracy and Cohen's &kappa; compare each "
	       "judge's label of the counterfactual with the annotator's.</p>\n");
}

char *cf_eval_report_html(const json_t *r, cf_error *err)
{
	sb b = { .buf = { .max = CF_REPORT_MAX_HTML - 1 } };
	const json_t *nc = json_object_get(r, "not_computed"), *v;
	const char *k;
	size_t i;

	sb_cat(&b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	       "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
	       "<title>cfaug eval report</title><style>");
	sb_cat(&b, css);
	sb_cat(&b, "</style></head><body>\n<h1>Counterfactual evaluation</h1>\n"
	       "<p class=\"meta\">");
	sb_esc(&b, str(r, "tool"));
	if (json_object_get(r, "input")) {
		sb_cat(&b, " &middot; input <code>");
		sb_esc(&b, str(r, "input.path"));
		sb_cat(&b, "</code> (");
		sb_esc(&b, str(r, "input.layout"));
		sb_cat(&b, ")");
		if (json_object_get(json_object_get(r, "input"), "originals")) {
			sb_cat(&b, " with originals <code>");
			sb_esc(&b, str(r, "input.originals"));
			sb_cat(&b, "</code>");
		}
		sb_printf(&b, " &middot; %.0f records, %.0f bad, %.0f groups",
		          num(r, "counts.records"), num(r, "counts.bad_records"),
		          num(r, "counts.groups"));
	}
	sb_cat(&b, "</p>\n");
	json_array_foreach(json_object_get(r, "warnings"), i, v) {
		sb_cat(&b, "<div class=\"warn\"><b>Warning:</b> ");
		sb_esc(&b, json_string_value(v));
		sb_cat(&b, "</div>\n");
	}
	if (json_array_size(json_object_get(r, "judges"))) {
		section_judges(&b, r);
		section_minimality(&b, r);
	}
	if (json_is_object(json_object_get(r, "examples")))
		section_examples(&b, json_object_get(r, "examples"));
	if (json_is_object(json_object_get(r, "human_review")))
		section_review(&b, json_object_get(r, "human_review"));
	if (json_is_object(json_object_get(r, "fluency")))
		section_fluency(&b, json_object_get(r, "fluency"));
	if (json_is_object(json_object_get(r, "spurious")))
		section_spurious(&b, json_object_get(r, "spurious"));
	if (json_object_size(nc)) {
		sb_cat(&b, "<h2>Not computed</h2>\n<ul>");
		json_object_foreach((json_t *)nc, k, v) {
			sb_cat(&b, "<li><b>");
			sb_esc(&b, k);
			sb_cat(&b, "</b>: ");
			sb_esc(&b, json_string_value(v));
			sb_cat(&b, "</li>");
		}
		sb_cat(&b, "</ul>\n");
	}
	sb_cat(&b, "</body></html>\n");
	if (b.err) {
		cf_buf_free(&b.buf);
		if (b.err == CF_ELIMIT)
			cf_error_set(err, b.err, "report.html would exceed %u bytes",
			             CF_REPORT_MAX_HTML);
		else
			cf_error_set(err, b.err, "out of memory");
		return NULL;
	}
	return b.buf.p;
}

static int write_file(const char *dir, const char *name, const char *data,
                      size_t len, cf_error *err)
{
	char path[4096], tmp[4200];
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "wb")))
		return cf_error_set(err, CF_EIO, "%s: cannot create", tmp);
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return cf_error_set(err, CF_EIO, "%s: write failed", path);
	}
	return 0;
}

int cf_eval_report_write(const json_t *r, const char *dir, cf_error *err)
{
	char *js = json_dumps(r, JSON_INDENT(2)), *html = NULL;
	int rc;

	if (!js)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if ((rc = write_file(dir, "report.json", js, strlen(js), err)) < 0)
		goto done;
	if (!(html = cf_eval_report_html(r, err))) {
		rc = err->code;
		goto done;
	}
	rc = write_file(dir, "report.html", html, strlen(html), err);
done:
	free(js);
	free(html);
	return rc;
}
