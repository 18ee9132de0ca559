/*
 * rules_pattern.c - user regex rules of the rules stage (see rules.h).
 *
 * Consumes: a PCRE2 pattern and a replacement template ($N, ${N}, $$), once
 * at load; at apply time one UTF-8 text.  Emits: match spans with their
 * expanded replacements into the caller's cf_rules_out scratch.
 *
 * Patterns are compiled with UTF and UCP (so \b and \w know Unicode words)
 * and JIT-compiled when the platform has a JIT; the replacement is parsed
 * once into literal and group pieces so nothing is parsed per match.
 * Empty matches are skipped.  A match overlapping an earlier rule's match is
 * dropped: earlier patterns win.  Failure modes: a bad pattern or a group
 * reference beyond the pattern's groups (CF_ECONFIG with PCRE2's message and
 * offset), limits (CF_ELIMIT), CF_ENOMEM.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/reader.h"
#include "rules.h"

#define MAX_PIECES 256
#define MAX_SUB (64u << 20)    /* bytes of replacement text per apply */

typedef struct piece {
	int group;              /* -1 literal */
	size_t off, len;        /* literal: span in rep */
} piece;

struct cf_rules_pat {
	pcre2_code *code;
	uint32_t rule;
	char *rep;
	piece *pieces;
	size_t npieces;
};

void cf_rules_pat_free(cf_rules_pat *p)
{
	if (!p)
		return;
	pcre2_code_free(p->code);
	free(p->rep);
	free(p->pieces);
	free(p);
}

void cf_rules_pat_free_md(void *md)
{
	pcre2_match_data_free(md);
}

/* Parse the replacement into pieces; -1 with *bad set on a bad reference. */
static int parse_rep(cf_rules_pat *p, uint32_t ngroups, size_t *bad,
                     char *msg, size_t msgsz)
{
	const char *s = p->rep;
	size_t i = 0, n = strlen(s), lit = 0;

	p->pieces = calloc(MAX_PIECES, sizeof *p->pieces);
	if (!p->pieces) {
		snprintf(msg, msgsz, "out of memory");
		return CF_ENOMEM;
	}
#define PUSH(g, o, l) do { \
		if (p->npieces >= MAX_PIECES) { \
			snprintf(msg, msgsz, "replacement has more than %d parts", MAX_PIECES); \
			*bad = i; return CF_ECONFIG; } \
		p->pieces[p->npieces].group = (g); p->pieces[p->npieces].off = (o); \
		p->pieces[p->npieces++].len = (l); } while (0)
	while (i < n) {
		if (s[i] != '$') {
			i++;
			continue;
		}
		if (i > lit)
			PUSH(-1, lit, i - lit);
		if (i + 1 < n && s[i + 1] == '$') {
			PUSH(-1, i + 1, 1);
			i += 2;
			lit = i;
			continue;
		}
		size_t j = i + 1;
		int brace = j < n && s[j] == '{';
		long g = 0;
		if (brace)
			j++;
		size_t d0 = j;
		while (j < n && s[j] >= '0' && s[j] <= '9' && g < 100000)
			g = g * 10 + (s[j++] - '0');
		if (j == d0 || (brace && (j >= n || s[j] != '}'))) {
			snprintf(msg, msgsz, "replacement: '$' must be followed by a group "
			         "number, {number} or '$'");
			*bad = i;
			return CF_ECONFIG;
		}
		if (brace)
			j++;
		if ((uint32_t)g > ngroups) {
			snprintf(msg, msgsz, "replacement refers to group %ld but the "
			         "pattern has %u", g, ngroups);
			*bad = i;
			return CF_ECONFIG;
		}
		PUSH((int)g, 0, 0);
		i = j;
		lit = i;
	}
	if (n > lit)
		PUSH(-1, lit, n - lit);
#undef PUSH
	return 0;
}

int cf_rules_pat_new(cf_rules_pat **out, uint32_t rule, const char *pattern,
                     const char *replace, size_t *erroff, char *msg,
                     size_t msgsz)
{
	cf_rules_pat *p = calloc(1, sizeof *p);
	PCRE2_SIZE eo = 0;
	uint32_t ngroups = 0;
	int ec, rc, nul = 0;

	*out = NULL;
	*erroff = (size_t)-1;
	if (!p || !(p->rep = strdup(replace ? replace : ""))) {
		snprintf(msg, msgsz, "out of memory");
		rc = CF_ENOMEM;
		goto fail;
	}
	p->rule = rule;
	if (cf_utf8_check(p->rep, strlen(p->rep), &nul) < strlen(p->rep)) {
		snprintf(msg, msgsz, "replacement is not valid UTF-8");
		rc = CF_ECONFIG;
		goto fail;
	}
	p->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                        PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
	if (!p->code) {
		PCRE2_UCHAR buf[256];
		pcre2_get_error_message(ec, buf, sizeof buf);
		snprintf(msg, msgsz, "%s", (const char *)buf);
		*erroff = (size_t)eo;
		rc = CF_ECONFIG;
		goto fail;
	}
	/* JIT is an optimisation: without it matching is slower, not wrong.
	 * CFAUG_NO_JIT=1 turns it off for valgrind, which cannot follow
	 * JIT-generated code and reports false errors in it. */
	if (!getenv("CFAUG_NO_JIT"))
		(void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	if ((rc = parse_rep(p, ngroups, erroff, msg, msgsz)) < 0) {
		if (rc == CF_ECONFIG)
			*erroff = (size_t)-1;   /* the error is in the replacement */
		goto fail;
	}
	*out = p;
	return 0;
fail:
	cf_rules_pat_free(p);
	return rc;
}

static int sub_put(cf_rules_out *o, const char *s, size_t n)
{
	if (!n)
		return 0;   /* o->sub may still be NULL: no pointer arithmetic on it */
	if (o->sublen + n > o->subcap) {
		size_t cap = o->subcap ? o->subcap : 256;
		char *t;
		while (cap < o->sublen + n)
			cap *= 2;
		if (cap > MAX_SUB)
			return CF_ELIMIT;
		if (!(t = realloc(o->sub, cap)))
			return CF_ENOMEM;
		o->sub = t;
		o->subcap = cap;
	}
	memcpy(o->sub + o->sublen, s, n);
	o->sublen += n;
	return 0;
}

/* 1 if [off, off+len) overlaps a match already in o->pm. */
static int overlaps(const cf_rules_out *o, size_t n0, size_t off, size_t len)
{
	const cf_rules_pm *pm = o->pm;
	size_t i;

	for (i = 0; i < n0; i++)
		if (off < pm[i].off + pm[i].len && pm[i].off < off + len)
			return 1;
	return 0;
}

int cf_rules_pat_scan(const cf_rules_pat *p, const char *text, size_t len,
                      cf_rules_out *o)
{
	pcre2_match_data *md;
	size_t start = 0, n0 = o->npm, i;
	int rc;

	if (!o->md && !(o->md = pcre2_match_data_create(64, NULL)))
		return CF_ENOMEM;
	md = o->md;
	while (start <= len) {
		rc = pcre2_match(p->code, (PCRE2_SPTR)text, len, start,
		                 start ? PCRE2_NO_UTF_CHECK : 0, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc == PCRE2_ERROR_BADUTFOFFSET ||
		    (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21))
			break;   /* invalid UTF-8: regex rules do not apply to this text */
		if (rc < 0)
			return CF_ELIMIT;   /* match limit or similar: refuse, do not guess */
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		uint32_t nov = pcre2_get_ovector_count(md);
		size_t ms = ov[0], me = ov[1];
		if (me <= ms) {   /* empty match: step one character on */
			size_t nx = start + 1;
			while (nx < len && ((unsigned char)text[nx] & 0xC0) == 0x80)
				nx++;
			start = nx;
			continue;
		}
		if (!overlaps(o, n0, ms, me - ms)) {
			cf_rules_pm *pm;
			if (o->npm == o->pmcap) {
				size_t cap = o->pmcap ? o->pmcap * 2 : 16;
				if (cap > CF_RULES_MAX_EDITS)
					return CF_ELIMIT;
				if (!(pm = realloc(o->pm, cap * sizeof *pm)))
					return CF_ENOMEM;
				o->pm = pm;
				o->pmcap = cap;
			}
			pm = (cf_rules_pm *)o->pm + o->npm;
			pm->off = ms;
			pm->len = me - ms;
			pm->rule = p->rule;
			pm->sub_off = o->sublen;
			for (i = 0; i < p->npieces; i++) {
				const piece *pc = &p->pieces[i];
				if (pc->group < 0) {
					rc = sub_put(o, p->rep + pc->off, pc->len);
				} else if ((uint32_t)pc->group < nov &&
				           ov[2 * pc->group] != PCRE2_UNSET) {
					rc = sub_put(o, text + ov[2 * pc->group],
					             ov[2 * pc->group + 1] - ov[2 * pc->group]);
				} else {
					rc = 0;   /* unset group: empty */
				}
				if (rc < 0)
					return rc;
			}
			pm->sub_len = o->sublen - pm->sub_off;
			o->npm++;
		}
		start = me;
	}
	return 0;
}
