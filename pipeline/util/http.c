/*
 * http.c - asynchronous HTTP client: the own HTTP/1.1 transport
 * (http_conn.c) for http://, the libcurl multi interface for the rest.
 *
 * Requests live in one of three places: the ready FIFO (may start now), the
 * delayed list (waiting for a backoff or a Retry-After), or in flight on an
 * easy handle or an own-transport transfer (r->own).  poll() moves delayed
 * requests whose time has come to the ready FIFO, starts ready ones while
 * the window and the token buckets allow, runs both transports, and
 * classifies every finished transfer: success and
 * final failures go to the callback at once, retryable ones back to the
 * delayed list.  Easy handles are pooled; the multi handle keeps the
 * connections, so keep-alive and HTTP/2 streams are reused across requests.
 * See http.h for the contract.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cfaug/util.h"
#include "http.h"
#include "http_conn.h"
#include "utf8_cut.h"


typedef struct req {
	struct req *next;          /* ready FIFO or delayed list */
	struct req *iprev, *inext; /* in-flight list */
	struct cf_http *h;
	char *url;
	char *body;
	size_t body_len;
	void *user;
	double est_tokens;
	int attempts;
	double t_submit, t_start, not_before;
	CURL *easy;
	int own;              /* in flight on http_conn.c, not curl */
	cf_buf resp;          /* the answer, capped at max_response_bytes */
	int too_big;
	long last_status;
} req;

/* What the epoll set holds for a descriptor.  A connection socket (opened
 * and closed through our callbacks: `own`) stays registered while curl
 * keeps the connection idle between transfers (`want` 0), so a kept-alive
 * connection costs no epoll_ctl per request; it is dropped if it stirs
 * while idle, and before it is closed. */
typedef struct fdstate {
	unsigned char own, reg, want;
	unsigned events;       /* registered in the epoll set when reg */
} fdstate;

struct cf_http {
	cf_http_opts o;
	CURLM *multi;
	cf_hc *hc;             /* own transport for http://; NULL: curl only */
	int epfd;              /* sockets curl asked us to watch */
	fdstate *fds;          /* by descriptor, nfds of them */
	size_t nfds;
	double timer_at;       /* when curl wants its timeout action; < 0: never */
	struct curl_slist *headers;
	req *ready_head, *ready_tail;
	req *delayed;
	req *flying;
	size_t n_pending;      /* submitted and not delivered */
	long in_flight;
	CURL **pool;
	long npool;
	double rq_tokens, tk_tokens, bucket_t;
	int stopped;
	uint64_t rng;
	cf_http_stats st;
	char errbuf[CF_ERRMSG_MAX];
	/* circuit breaker: failures in a row, and a ring of the last attempts */
	long streak;
	unsigned char *ring;
	long ring_n, ring_pos, ring_bad;
	double notice_t;       /* last wait notice on stderr */
	/* the key's 8-byte pieces, an open-addressing set, for the scrub */
	uint64_t *grams;
	size_t ngram_slots;
	uint64_t *pair2;       /* bit per 2-byte prefix of a piece: a cheap
	                          first test for every byte of every body */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rand_unit(cf_http *h)
{
	uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static void req_free(req *r)
{
	if (!r)
		return;
	free(r->url);
	free(r->body);
	cf_buf_free(&r->resp);
	free(r);
}

/* The state of a connection socket fd, or NULL for another descriptor
 * (curl's resolver pipe). */
static fdstate *own_fd(cf_http *h, curl_socket_t fd)
{
	return fd >= 0 && (size_t)fd < h->nfds && h->fds[fd].own ? &h->fds[fd] : NULL;
}

static void fd_unregister(cf_http *h, fdstate *f, curl_socket_t fd)
{
	if (f->reg)
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->reg = f->want = 0;
}

static curl_socket_t on_open(void *userp, curlsocktype purpose, struct curl_sockaddr *a)
{
	cf_http *h = userp;
	curl_socket_t fd = socket(a->family, a->socktype, a->protocol);

	(void)purpose;
	if (fd < 0)
		return CURL_SOCKET_BAD;
	if ((size_t)fd >= h->nfds) {
		size_t n = h->nfds ? h->nfds : 64;
		fdstate *f;
		while (n <= (size_t)fd)
			n *= 2;
		if (!(f = realloc(h->fds, n * sizeof *f)))
			return fd;   /* not tracked: watched as before, per transfer */
		memset(f + h->nfds, 0, (n - h->nfds) * sizeof *f);
		h->fds = f;
		h->nfds = n;
	}
	memset(&h->fds[fd], 0, sizeof h->fds[fd]);   /* a new socket: in no set */
	h->fds[fd].own = 1;
	return fd;
}

static int on_close(void *userp, curl_socket_t fd)
{
	cf_http *h = userp;
	fdstate *f = own_fd(h, fd);

	if (f) {
		fd_unregister(h, f, fd);
		f->own = 0;
	}
	return close(fd);
}

/* curl tells which sockets to watch for what: mirror it into epoll, so a
 * wake-up costs O(events), not O(connections) like poll() would. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
	cf_http *h = userp;
	struct epoll_event ev;
	fdstate *f = own_fd(h, fd);

	memset(&ev, 0, sizeof ev);
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	ev.data.fd = fd;
	if (f) {
		if (what == CURL_POLL_REMOVE) {
			f->want = 0;       /* stays in the set while idle: see fdstate */
		} else if (f->reg && f->events == ev.events) {
			f->want = 1;
		} else {
			if (epoll_ctl(h->epfd, f->reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
				epoll_ctl(h->epfd, f->reg ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
			f->reg = f->want = 1;
			f->events = ev.events;
		}
		return 0;
	}
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	/* sockp is set (curl_multi_assign) once the socket is in the epoll
	 * set, and curl forgets it on REMOVE: one epoll_ctl per change, not a
	 * failing MOD before every ADD */
	if (sockp) {
		if (epoll_ctl(h->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
			epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev);
	} else {
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
			epoll_ctl(h->epfd, EPOLL_CTL_MOD, fd, &ev);
		curl_multi_assign(h->multi, fd, h);
	}
	return 0;
}

static int on_timer(CURLM *m, long ms, void *userp)
{
	cf_http *h = userp;

	h->timer_at = ms < 0 ? -1 : now_s() + (double)ms / 1000.0;
	return 0;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Descriptors open now (a connection needs one each). */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (!d)
		return 16;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Lower concurrency to what RLIMIT_NOFILE leaves, after raising the soft
 * limit as far as the hard one allows; say so on stderr. */
static void clamp_concurrency(cf_http *h)
{
	struct rlimit rl;
	long avail, margin = 16;   /* curl's wake-up pair, outputs, cache files */

	h->st.concurrency = h->o.concurrency;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ?
		              1048576 : rl.rlim_max;
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = old;
	}
	avail = (long)rl.rlim_cur - open_fds() - margin;
	if (avail < 1)
		avail = 1;
	if (h->o.concurrency > avail) {
		if (!h->o.quiet)
			fprintf(stderr, "cfaug: warning: concurrency %ld lowered to %ld: only %ld "
			        "file descriptors are allowed (ulimit -n) and each connection "
			        "needs one\n", h->o.concurrency, avail, (long)rl.rlim_cur);
		h->o.concurrency = avail;
	}
	h->st.concurrency = h->o.concurrency;
}

static uint64_t gram_hash(uint64_t g)
{
	g ^= g >> 33;
	g *= 0xff51afd7ed558ccdULL;
	g ^= g >> 33;
	return g;
}

/* Every 8-byte piece of the key into an open-addressing set (0 = empty
 * slot; a piece that is 0 cannot occur: a key has no NUL). */
static int make_grams(cf_http *h, const char *key)
{
	size_t n = strlen(key), i, slots = 16, k;
	uint64_t g;

	if (n < 8)
		return 0;
	while (slots < 2 * (n - 7))
		slots *= 2;
	if (!(h->grams = calloc(slots, sizeof *h->grams)) ||
	    !(h->pair2 = calloc(65536 / 64, sizeof *h->pair2)))
		return -1;
	h->ngram_slots = slots;
	for (i = 0; i + 8 <= n; i++) {
		unsigned pr = (unsigned char)key[i] << 8 | (unsigned char)key[i + 1];
		h->pair2[pr >> 6] |= 1ull << (pr & 63);
		memcpy(&g, key + i, 8);
		for (k = gram_hash(g) & (slots - 1); h->grams[k] && h->grams[k] != g;
		     k = (k + 1) & (slots - 1))
			;
		h->grams[k] = g;
	}
	return 0;
}

static int gram_in_key(const cf_http *h, const char *p)
{
	uint64_t g;
	size_t k;
	unsigned pr = (unsigned char)p[0] << 8 | (unsigned char)p[1];

	if (!(h->pair2[pr >> 6] >> (pr & 63) & 1))
		return 0;

	memcpy(&g, p, 8);
	for (k = gram_hash(g) & (h->ngram_slots - 1); h->grams[k];
	     k = (k + 1) & (h->ngram_slots - 1))
		if (h->grams[k] == g)
			return 1;
	return 0;
}

/* The Accept-Encoding header CURLOPT_ACCEPT_ENCODING "" would send: every
 * encoding this libcurl decodes, in its order. */
static const char *accept_encoding(void)
{
	static char line[64];
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	const char *list = "identity";

	if (v->features & CURL_VERSION_LIBZ)
		list = v->features & CURL_VERSION_BROTLI ?
		       (v->features & CURL_VERSION_ZSTD ? "deflate, gzip, br, zstd" : "deflate, gzip, br") :
		       (v->features & CURL_VERSION_ZSTD ? "deflate, gzip, zstd" : "deflate, gzip");
	else if (v->features & CURL_VERSION_BROTLI)
		list = v->features & CURL_VERSION_ZSTD ? "br, zstd" : "br";
	else if (v->features & CURL_VERSION_ZSTD)
		list = "zstd";
	snprintf(line, sizeof line, "Accept-Encoding: %s", list);
	return line;
}

/* CFAUG_HTTP_CLIENT=curl sends every request through libcurl (an escape
 * hatch, and the A/B of the benchmarks); unset or "auto": http:// URLs go
 * through http_conn.c. */
static int use_own_transport(void)
{
	const char *v = getenv("CFAUG_HTTP_CLIENT");

	if (!v || !*v || strcmp(v, "auto") == 0)
		return 1;
	return strcmp(v, "curl") == 0 ? 0 : -1;
}

/* The own transport, sending the headers of curl's list (the same text,
 * but the encodings it decodes itself) plus curl's default Accept. */
static int new_own(cf_http *h)
{
	cf_buf b = { 0 };
	const struct curl_slist *l;
	cf_hc_opts ho;
	int rc = 0;

	b.max = 1u << 20;
	rc = cf_buf_put(&b, "Accept: */*\r\n", 13);
	for (l = h->headers; l && rc == 0; l = l->next) {
		if (strcmp(l->data, "Expect:") == 0)
			continue;
		if (strncmp(l->data, "Accept-Encoding:", 16) == 0)
			rc = cf_buf_put(&b, "Accept-Encoding: deflate, gzip\r\n", 32);
		else if ((rc = cf_buf_put(&b, l->data, strlen(l->data))) == 0)
			rc = cf_buf_put(&b, "\r\n", 2);
	}
	memset(&ho, 0, sizeof ho);
	ho.timeout_s = h->o.timeout_s;
	ho.connect_timeout_s = h->o.connect_timeout_s;
	ho.max_idle = h->o.concurrency + 4;
	ho.headers = b.p;
	if (rc == 0)
		rc = cf_hc_new(&h->hc, h->epfd, &ho);
	if (b.p) {
		memset(b.p, 0, b.len);   /* it holds the key */
		cf_buf_free(&b);
	}
	return rc;
}

int cf_http_new(cf_http **out, const cf_http_opts *o, cf_error *err)
{
	static int curl_ready;
	cf_http *h;
	char *auth = NULL;
	int rc = 0;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return cf_error_set(err, CF_ENET, "cannot initialise libcurl");
		curl_ready = 1;
	}
	if (!(h = calloc(1, sizeof *h)))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	h->epfd = -1;
	h->timer_at = -1;
	h->o = *o;
	if (h->o.concurrency < 1)
		h->o.concurrency = 1;
	if (!h->o.max_response_bytes)
		h->o.max_response_bytes = 8u << 20;
	if (h->o.backoff_base_s <= 0)
		h->o.backoff_base_s = 0.5;
	if (h->o.backoff_max_s <= 0)
		h->o.backoff_max_s = 30;
	if (h->o.retry_after_max_s <= 0)
		h->o.retry_after_max_s = 180;
	if (h->o.deadline_s <= 0)
		h->o.deadline_s = 600;
	if (h->o.max_consecutive_failures <= 0)
		h->o.max_consecutive_failures = 10;
	if (h->o.max_failure_rate <= 0)
		h->o.max_failure_rate = 0.5;
	if (h->o.failure_window <= 0)
		h->o.failure_window = 50;
	if (o->api_key && has_control(o->api_key)) {
		rc = cf_error_set(err, CF_ECONFIG, "the API key holds a control character "
		                  "(a CR or LF would inject a header): refused");
		goto done;
	}
	clamp_concurrency(h);
	if (h->o.timeout_s <= 0)
		h->o.timeout_s = 60;
	if (h->o.connect_timeout_s <= 0)
		h->o.connect_timeout_s = h->o.timeout_s < 10 ? h->o.timeout_s : 10;
	h->o.api_key = NULL;      /* kept only inside the header list */
	h->rng = o->jitter_seed ^ 0x4854545063667567ULL;
	h->rq_tokens = h->o.requests_per_minute > 0 ? h->o.requests_per_minute / 60.0 : 0;
	h->tk_tokens = h->o.tokens_per_minute > 0 ? h->o.tokens_per_minute / 60.0 : 0;
	h->bucket_t = now_s();
	if (!(h->pool = calloc((size_t)h->o.concurrency, sizeof *h->pool)) ||
	    !(h->ring = calloc((size_t)h->o.failure_window, 1)) ||
	    !(h->multi = curl_multi_init())) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((h->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		rc = cf_error_set(err, CF_ENET, "epoll: %s", strerror(errno));
		goto done;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, h->o.concurrency + 4);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, h->o.concurrency);
	h->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (h->headers)
		h->headers = curl_slist_append(h->headers, "Expect:");
	/* as our own headers, not CURLOPT_USERAGENT / ACCEPT_ENCODING: curl
	 * formats those again for every transfer (its printf, ~4k instructions
	 * each) unless the header list has them; the same text */
	if (h->headers)
		h->headers = curl_slist_append(h->headers, "User-Agent: cfaug/" CFAUG_VERSION);
	if (h->headers)
		h->headers = curl_slist_append(h->headers, accept_encoding());
	if (h->headers && o->api_key && *o->api_key) {
		size_t n = strlen(o->api_key) + 32;
		if ((auth = malloc(n))) {
			snprintf(auth, n, "Authorization: Bearer %s", o->api_key);
			h->headers = curl_slist_append(h->headers, auth);
		}
		if (!auth || !h->headers || make_grams(h, o->api_key) < 0) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (!h->headers)
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
	else if (use_own_transport() < 0)
		rc = cf_error_set(err, CF_ECONFIG, "the environment variable CFAUG_HTTP_CLIENT "
		                  "must be auto or curl");
	else if (use_own_transport() && new_own(h) < 0)
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
done:
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	if (rc < 0)
		cf_http_free(&h);
	*out = h;
	return rc;
}

int cf_http_submit(cf_http *h, const cf_http_request *rq, cf_error *err)
{
	req *r = calloc(1, sizeof *r);

	if (!r || !(r->url = strdup(rq->url)) || !(r->body = malloc(rq->body_len + 1))) {
		req_free(r);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	memcpy(r->body, rq->body, rq->body_len);
	r->body[rq->body_len] = '\0';
	r->body_len = rq->body_len;
	r->user = rq->user;
	r->est_tokens = rq->est_tokens;
	r->t_submit = now_s();
	if (h->ready_tail)
		h->ready_tail->next = r;
	else
		h->ready_head = r;
	h->ready_tail = r;
	h->n_pending++;
	h->st.submitted++;
	return 0;
}

size_t cf_http_pending(const cf_http *h) { return h->n_pending; }
int cf_http_stopped(const cf_http *h) { return h->stopped; }
const cf_http_stats *cf_http_get_stats(const cf_http *h) { return &h->st; }

static const char *api_key(const cf_http *h)
{
	const struct curl_slist *l;

	for (l = h->headers; l; l = l->next)
		if (strncmp(l->data, "Authorization: Bearer ", 22) == 0)
			return l->data + 22;
	return NULL;
}

/* The longest run of s[0..n) starting at s that is a piece of key. */
static size_t longest_piece(const char *key, size_t klen, const char *s, size_t n)
{
	size_t q, l, best = 0;

	for (q = 0; q + 8 <= klen; q++) {
		if (memcmp(key + q, s, 8))
			continue;
		for (l = 8; q + l < klen && l < n && key[q + l] == s[l]; l++)
			;
		if (l > best)
			best = l;
	}
	return best;
}

size_t cf_http_scrub_n(const cf_http *h, char *s, size_t n)
{
	const char *key = api_key(h);
	size_t klen, i = 0, out = 0, l;

	if (!key || !*key || !s)
		return n;
	klen = strlen(key);
	while (i < n) {
		l = 0;
		if (klen >= 8 && i + 8 <= n && gram_in_key(h, s + i))
			l = longest_piece(key, klen, s + i, n - i);
		else if (klen < 8 && i + klen <= n && memcmp(s + i, key, klen) == 0)
			l = klen;
		if (l) {
			size_t k;
			for (k = 0; k < 3 && k < l; k++)   /* never longer than the piece */
				s[out++] = '*';
			i += l;
		} else {
			s[out++] = s[i++];
		}
	}
	if (out < n)
		s[out] = '\0';
	return out;
}

void cf_http_scrub(const cf_http *h, char *s)
{
	if (s)
		cf_http_scrub_n(h, s, strlen(s));
}

void cf_http_redact_url(const char *url, char *buf, size_t size)
{
	const char *p = url, *q, *end;
	size_t n = 0;

#define PUT(c) (n + 1 < size ? (void)(buf[n++] = (c)) : (void)0)
	if (!size)
		return;
	if (!url)
		url = p = "";
	if ((q = strstr(p, "://"))) {
		for (q += 3; p < q; p++)
			PUT(*p);
		end = p + strcspn(p, "/?#");
		for (q = p; q < end; q++)
			if (*q == '@')
				p = q + 1;    /* userinfo: user:password@ */
	}
	for (; *p && *p != '?' && *p != '#'; p++)
		PUT(*p);
	if (*p == '?') {
		/* names kept, values hidden: ?a=***&b=*** */
		for (PUT(*p++); *p && *p != '#'; p++) {
			PUT(*p);
			if (*p == '=') {
				PUT('*'); PUT('*'); PUT('*');
				while (p[1] && p[1] != '&' && p[1] != '#')
					p++;
			}
		}
	}
	buf[n] = '\0';
#undef PUT
}

const char *cf_http_check_url(const char *url)
{
	const char *host;
	size_t hl;

	if (!url || !*url)
		return "is empty";
	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return "must start with http:// or https://";
	hl = strcspn(host, "/?#");
	if (memchr(host, '@', hl))
		host = (const char *)memchr(host, '@', hl) + 1, hl = strcspn(host, "/?#");
	if (!hl || *host == ':')
		return "has no host (e.g. http://127.0.0.1:8000/v1)";
	if (host[hl - 1] == ':')
		return "has an empty port (e.g. http://127.0.0.1:8000/v1)";
	if (has_control(url) || strchr(url, ' '))
		return "holds a space or a control character";
	if (strchr(url, '#'))
		return "must not hold a fragment (#...)";
	return NULL;
}

/* ---- transfers ---------------------------------------------------------- */

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	req *r = ud;
	size_t n = size * nmemb;
	int rc;

	r->resp.max = r->h->o.max_response_bytes;   /* the memory bound is exact */
	if ((rc = cf_buf_put(&r->resp, data, n)) < 0) {
		/* curl then fails the transfer: CURLE_WRITE_ERROR */
		r->too_big = rc == CF_ELIMIT;
		return 0;
	}
	return n;
}

/* The options every request of this client shares: set once when the
 * handle is made (a pooled handle keeps them; nothing calls reset). */
static void set_fixed_options(cf_http *h, CURL *e)
{
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, h);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->o.timeout_s * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->o.connect_timeout_s * 1000));
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	/* decoding needs the option; the header is ours (see cf_http_new) */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	/* http(s) only, whatever the URL says; redirects are not followed */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
}

static void fly(cf_http *h, req *r)
{
	r->iprev = NULL;
	r->inext = h->flying;
	if (h->flying)
		h->flying->iprev = r;
	h->flying = r;
	h->in_flight++;
	if (h->in_flight > h->st.max_in_flight)
		h->st.max_in_flight = h->in_flight;
	h->st.attempts++;
	h->st.bytes_out += r->body_len;
}

static int start_one(cf_http *h, req *r, cf_error *err)
{
	CURL *e;
	CURLMcode mc;

	r->resp.len = 0;
	if (r->resp.p)   /* a retry must not read the last attempt's body */
		r->resp.p[0] = '\0';
	r->too_big = 0;
	r->h = h;
	if (cf_hc_wants(h->hc, r->url)) {
		r->resp.max = h->o.max_response_bytes;
		if (cf_hc_start(h->hc, r->url, r->body, r->body_len, &r->resp, r) < 0)
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		if (!r->attempts++)
			r->t_start = now_s();
		r->own = 1;
		fly(h, r);
		return 0;
	}
	e = h->npool ? h->pool[--h->npool] : NULL;
	if (!e && (e = curl_easy_init()))
		set_fixed_options(h, e);
	if (!e)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	r->easy = e;
	if (!r->attempts++)
		r->t_start = now_s();
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if ((mc = curl_multi_add_handle(h->multi, e)) != CURLM_OK) {
		curl_easy_cleanup(e);
		r->easy = NULL;
		return cf_error_set(err, CF_ENET, "curl: %s", curl_multi_strerror(mc));
	}
	fly(h, r);
	return 0;
}

/* Refill the buckets; returns seconds until r may start (0: now). */
static double bucket_wait(cf_http *h, const req *r, double now)
{
	double dt = now - h->bucket_t, rq_rate, tk_rate, w = 0, need;

	h->bucket_t = now;
	rq_rate = h->o.requests_per_minute / 60.0;
	tk_rate = h->o.tokens_per_minute / 60.0;
	if (rq_rate > 0) {
		/* a second's worth of burst, at least one request */
		double cap = rq_rate > 1 ? rq_rate : 1;
		h->rq_tokens = fmin(cap, h->rq_tokens + dt * rq_rate);
		if (h->rq_tokens < 1)
			w = (1 - h->rq_tokens) / rq_rate;
	}
	if (tk_rate > 0) {
		need = fmin(r->est_tokens, tk_rate > 1 ? tk_rate : 1);
		double cap = tk_rate > need ? tk_rate : need;
		h->tk_tokens = fmin(cap, h->tk_tokens + dt * tk_rate);
		if (h->tk_tokens < need)
			w = fmax(w, (need - h->tk_tokens) / tk_rate);
	}
	return w;
}

static void bucket_take(cf_http *h, const req *r)
{
	if (h->o.requests_per_minute > 0)
		h->rq_tokens -= 1;
	if (h->o.tokens_per_minute > 0)
		h->tk_tokens -= r->est_tokens;   /* may go negative: a debt */
}

/* Move due delayed requests to the front of the ready FIFO (retries go
 * first: they are the oldest work).  Returns seconds to the next due one. */
static double promote(cf_http *h, double now)
{
	req **pp = &h->delayed, *r;
	double next = -1;

	while ((r = *pp)) {
		if (r->not_before <= now) {
			*pp = r->next;
			r->next = h->ready_head;
			h->ready_head = r;
			if (!h->ready_tail)
				h->ready_tail = r;
		} else {
			if (next < 0 || r->not_before - now < next)
				next = r->not_before - now;
			pp = &r->next;
		}
	}
	return next;
}

/* Start ready requests while allowed; returns seconds until the buckets let
 * the next one go (-1: nothing waits on them). */
static double start_ready(cf_http *h, double now, cf_error *err, int *rc)
{
	req *r;
	double w;

	*rc = 0;
	while (!h->stopped && (r = h->ready_head) && h->in_flight < h->o.concurrency) {
		if ((w = bucket_wait(h, r, now)) > 0)
			return w;
		h->ready_head = r->next;
		if (!h->ready_head)
			h->ready_tail = NULL;
		r->next = NULL;
		bucket_take(h, r);
		if ((*rc = start_one(h, r, err)) < 0) {
			r->next = h->ready_head;   /* keep it: freed by cf_http_free */
			h->ready_head = r;
			if (!h->ready_tail)
				h->ready_tail = r;
			return -1;
		}
	}
	return -1;
}

/* Error code of an OpenAI-style error body ({"error": {"code": ...}}), or
 * its "type"; copied into buf (empty when none). */
static void error_code(const char *body, char *buf, size_t size)
{
	const char *k, *p, *q;
	static const char *const keys[] = { "\"code\"", "\"type\"" };
	size_t i, n;

	buf[0] = '\0';
	if (!body)
		return;
	for (i = 0; i < 2; i++) {
		if (!(k = strstr(body, keys[i])))
			continue;
		p = k + strlen(keys[i]);
		while (*p == ' ' || *p == ':' || *p == '\t')
			p++;
		if (*p != '"')
			continue;
		q = strchr(++p, '"');
		if (!q)
			continue;
		n = (size_t)(q - p) < size - 1 ? (size_t)(q - p) : size - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return;
	}
}

/* The "message" of an error body, cut, on one line. */
static void error_message(const char *body, char *buf, size_t size)
{
	const char *p = body ? strstr(body, "\"message\"") : NULL, *src;
	size_t n = 0;

	buf[0] = '\0';
	if (p) {
		p += 9;
		while (*p == ' ' || *p == ':' || *p == '\t')
			p++;
		if (*p == '"') {
			for (src = p + 1; *src && *src != '"' && n + 1 < size; src++) {
				if (*src == '\\' && src[1])
					src++;
				buf[n++] = (*src == '\n' || *src == '\r') ? ' ' : *src;
			}
			buf[n] = '\0';
			return;
		}
	}
	for (src = body; src && *src && n + 1 < size && n < 160; src++)
		buf[n++] = (*src == '\n' || *src == '\r' || *src == '\t') ? ' ' : *src;
	buf[n] = '\0';
}

/* Seconds a Retry-After value asks us to wait, or -1 (NULL or ""). */
static double retry_after(const char *value)
{
	char *end;
	double v;
	time_t t;

	if (!value || !*value)
		return -1;
	v = strtod(value, &end);
	if (end != value && *end == '\0' && v >= 0)
		return v;
	if ((t = curl_getdate(value, NULL)) < 0)
		return -1;
	v = difftime(t, time(NULL));
	return v > 0 ? v : 0;
}

static void deliver(cf_http *h, req *r, int outcome, const char *error,
                    int unreachable, cf_http_done_fn done, void *ctx)
{
	cf_http_result res;

	memset(&res, 0, sizeof res);
	res.user = r->user;
	res.outcome = outcome;
	res.status = r->last_status;
	res.body = r->resp.p ? r->resp.p : "";
	res.body_len = r->resp.len;
	res.attempts = r->attempts;
	res.latency_s = r->attempts ? now_s() - r->t_start : 0;
	res.queued_s = r->attempts ? r->t_start - r->t_submit : 0;
	res.error = error;
	res.unreachable = unreachable;
	h->n_pending--;
	if (outcome == CF_HTTP_OK)
		h->st.completed++;
	else if (outcome == CF_HTTP_FAILED)
		h->st.failed++;
	else
		h->st.fatal++;
	done(ctx, &res);
	req_free(r);
}

/* Take a finished transfer off its transport and the in-flight list (an
 * own transfer is already off http_conn.c when reaped). */
static void land(cf_http *h, req *r)
{
	CURL *e = r->easy;

	if (e)
		curl_multi_remove_handle(h->multi, e);
	r->easy = NULL;
	r->own = 0;
	if (r->iprev)
		r->iprev->inext = r->inext;
	else
		h->flying = r->inext;
	if (r->inext)
		r->inext->iprev = r->iprev;
	r->iprev = r->inext = NULL;
	h->in_flight--;
	if (!e)
		return;
	if (h->npool < h->o.concurrency)
		h->pool[h->npool++] = e;
	else
		curl_easy_cleanup(e);
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t k, i;
	unsigned cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, cp = p[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/* Escape control characters (C0, DEL, and C1 as UTF-8) of remote text in
 * buf, in place and cut to size: nothing from a server moves the cursor,
 * clears the screen or sets a title when a message reaches a terminal. */
static void escape_controls(char *buf, size_t size)
{
	char tmp[CF_ERRMSG_MAX];
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; buf[i] && n + 7 < sizeof tmp; i++) {
		c = (unsigned char)buf[i];
		if (c >= 0x80 && !(c == 0xc2 && (unsigned char)buf[i + 1] >= 0x80 &&
		                   (unsigned char)buf[i + 1] <= 0x9f)) {
			/* a whole UTF-8 sequence is kept; a broken one (a cut, or a
			 * server's Latin-1) becomes '?', so the message stays valid
			 * UTF-8 wherever it is written (JSON refuses anything else) */
			size_t k = utf8_len((const unsigned char *)buf + i);
			if (k && n + k < sizeof tmp) {
				memcpy(tmp + n, buf + i, k);
				n += k;
				i += k - 1;
			} else {
				tmp[n++] = '?';
			}
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(tmp + n, sizeof tmp - n, "\\x%02x", c);
		} else if (c == 0xc2 && (unsigned char)buf[i + 1] >= 0x80 &&
		           (unsigned char)buf[i + 1] <= 0x9f) {
			n += (size_t)snprintf(tmp + n, sizeof tmp - n, "\\u%04x",
			                      (unsigned char)buf[++i]);
		} else {
			tmp[n++] = (char)c;
		}
	}
	tmp[n] = '\0';
	snprintf(buf, size, "%s", tmp);
}

/* Record one attempt's health in the breaker; returns 1 when it trips
 * (h->errbuf then says why, naming the endpoint). */
static int breaker(cf_http *h, const req *r, int bad)
{
	char url[200], last[240];
	int k;
	long w = h->o.failure_window;

	h->streak = bad ? h->streak + 1 : 0;
	if (h->ring_n == w)
		h->ring_bad -= h->ring[h->ring_pos];
	else
		h->ring_n++;
	h->ring[h->ring_pos] = (unsigned char)(bad != 0);
	h->ring_bad += bad != 0;
	h->ring_pos = (h->ring_pos + 1) % w;
	if (!bad)
		return 0;
	cf_http_redact_url(r->url, url, sizeof url);
	snprintf(last, sizeof last, "%.239s", h->errbuf);
	if (h->streak >= h->o.max_consecutive_failures)
		k = snprintf(h->errbuf, sizeof h->errbuf, "endpoint %s failed %ld times in a row "
		         "(max_consecutive_failures), last: %s", url, h->streak, last);
	else if (h->o.max_failure_rate < 1 && h->ring_n == w &&
	         (double)h->ring_bad > h->o.max_failure_rate * (double)w)
		k = snprintf(h->errbuf, sizeof h->errbuf, "endpoint %s failed %ld of the last %ld "
		         "attempts (more than max_failure_rate %g), last: %s", url,
		         h->ring_bad, w, h->o.max_failure_rate, last);
	else
		return 0;
	if (k >= (int)sizeof h->errbuf)
		h->errbuf[sizeof h->errbuf - 1] = '\0';   /* cut: still one line */
	escape_controls(h->errbuf, sizeof h->errbuf);  /* a cut sequence -> '?' */
	h->stopped = 1;
	h->st.tripped = 1;
	return 1;
}

/* A long wait shows on the terminal (never in a pipe or a log). */
static void wait_notice(cf_http *h, const req *r, double delay, int server)
{
	char url[512];
	double now = now_s();

	if (h->o.quiet || delay < 3 || now - h->notice_t < 5 || !isatty(2))
		return;
	h->notice_t = now;
	cf_http_redact_url(r->url, url, sizeof url);
	fprintf(stderr, "\rcfaug: %s: waiting %.0f s before retrying (%s)\033[K\n", url,
	        delay, server ? "the server's Retry-After" : "backoff");
}

/* Classify a finished attempt of r (either transport): deliver it, or put
 * it back to wait for a retry.  cc is the CURLcode, ra_value the answer's
 * Retry-After (NULL or "" when none). */
static void finished(cf_http *h, req *r, CURLcode cc, long status,
                     const char *ra_value, cf_http_done_fn done, void *ctx)
{
	int retry = 0, fatal = 0, bad = 0, gave_up = 0, tripped = 0;
	char code[64], msg[256];
	double ra = -1, delay, now;

	r->last_status = status;
	r->next = NULL;
	h->st.bytes_in += r->resp.len;
	/* scrub before anything reads, cuts or copies the body */
	if (r->resp.p)
		r->resp.len = cf_http_scrub_n(h, r->resp.p, r->resp.len);
	msg[0] = '\0';
	if (cc == CURLE_OK) {
		if (status >= 200 && status < 300) {
			breaker(h, r, 0);
			goto ok;
		}
		error_code(r->resp.p, code, sizeof code);
		error_message(r->resp.p, msg, sizeof msg);
		if (status == 429 && strcmp(code, "insufficient_quota") == 0)
			fatal = 1;
		else if (status == 408 || status == 409 || status == 429 || status >= 500)
			retry = 1;
		else if (status == 400 && strcmp(code, "context_length_exceeded") == 0)
			retry = 0;
		else
			fatal = 1;
		if (retry)
			ra = retry_after(ra_value);
		bad = status >= 500 || status == 408;
		snprintf(h->errbuf, sizeof h->errbuf, "HTTP %ld%s%s%s%s", status,
		         *code ? " " : "", code, *msg ? ": " : "", msg);
	} else if (r->too_big || (r->own && cc == CURLE_WRITE_ERROR)) {
		snprintf(h->errbuf, sizeof h->errbuf, "response larger than %zu bytes",
		         h->o.max_response_bytes);
	} else {
		switch (cc) {
		case CURLE_OPERATION_TIMEDOUT: case CURLE_COULDNT_CONNECT:
		case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
		case CURLE_COULDNT_RESOLVE_HOST: case CURLE_SSL_CONNECT_ERROR:
			retry = 1;
			break;
		default:
			break;
		}
		bad = 1;     /* no HTTP answer: refused, unresolvable, TLS, ... */
		snprintf(h->errbuf, sizeof h->errbuf, "%s", curl_easy_strerror(cc));
	}
	cf_http_scrub(h, h->errbuf);
	escape_controls(h->errbuf, sizeof h->errbuf);
	cf_utf8_sanitize(h->errbuf);   /* cut server text: never half a character */
	land(h, r);
	if (retry && r->attempts <= h->o.max_retries) {
		/* full jitter under an exponential ceiling; the server's wait wins */
		delay = h->o.backoff_base_s * pow(2.0, r->attempts - 1);
		delay = fmin(delay, h->o.backoff_max_s) * (0.5 + 0.5 * rand_unit(h));
		if (ra > h->o.retry_after_max_s) {
			size_t n = strlen(h->errbuf);
			h->st.retry_after_refused++;
			snprintf(h->errbuf + n, sizeof h->errbuf - n, " (the server asks to wait "
			         "%.0f s, more than max_retry_wait_s %.0f)", ra,
			         h->o.retry_after_max_s);
			gave_up = 1;
		} else if (ra >= 0) {
			h->st.retry_after_honoured++;
			delay = fmax(delay * 0.1, ra);
		}
		now = now_s();
		if (!gave_up && now + delay - r->t_start > h->o.deadline_s) {
			size_t n = strlen(h->errbuf);
			h->st.deadline_expired++;
			snprintf(h->errbuf + n, sizeof h->errbuf - n, " (gave up after %.0f s "
			         "and %d attempts: the next wait would pass the request's "
			         "deadline of %.0f s)", now - r->t_start, r->attempts,
			         h->o.deadline_s);
			gave_up = 1;
		}
		if (!gave_up) {
			if (breaker(h, r, bad)) {
				tripped = 1;
				goto fail;
			}
			wait_notice(h, r, delay, ra >= 0);
			r->not_before = now + delay;
			r->next = h->delayed;
			h->delayed = r;
			h->st.retries++;
			return;
		}
	}
	if (retry && !gave_up) {
		size_t n = strlen(h->errbuf);
		snprintf(h->errbuf + n, sizeof h->errbuf - n, " (after %d attempts)",
		         r->attempts);
	}
	/* a request given up on counts as a failure even when its last answer
	 * was a 429: an endpoint that never lets anything through is stuck */
	if (!fatal && (breaker(h, r, bad || retry)))
		tripped = 1;
fail:
	if (fatal)
		h->stopped = 1;
	deliver(h, r, fatal || tripped ? CF_HTTP_FATAL : CF_HTTP_FAILED, h->errbuf,
	        tripped, done, ctx);
	return;
ok:
	land(h, r);
	deliver(h, r, CF_HTTP_OK, NULL, 0, done, ctx);
}

/* Deliver every transfer either transport has finished; returns how many. */
static int reap(cf_http *h, cf_http_done_fn done, void *ctx)
{
	CURLMsg *m;
	cf_hc_result hr;
	int left, n = 0;

	while (h->hc && cf_hc_reap(h->hc, &hr)) {
		finished(h, hr.user, (CURLcode)hr.cc, hr.status, hr.retry_after, done, ctx);
		n++;
	}
	while ((m = curl_multi_info_read(h->multi, &left))) {
		req *r = NULL;
		long status = 0;
		struct curl_header *hd;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		if (curl_easy_header(m->easy_handle, "Retry-After", 0, CURLH_HEADER, -1,
		                     &hd) != CURLHE_OK)
			hd = NULL;
		finished(h, r, m->data.result, status, hd ? hd->value : NULL, done, ctx);
		n++;
	}
	return n;
}

int cf_http_poll(cf_http *h, int timeout_ms, cf_http_done_fn done, void *ctx,
                 cf_error *err)
{
	double t_end = now_s() + timeout_ms / 1000.0, now, wd, wb, wh, wait;
	struct epoll_event ev[64];
	int running, delivered = 0, rc, n, i, flags, polled_late = 0;
	CURLMcode mc;

	for (;;) {
		now = now_s();
		wd = promote(h, now);
		wb = start_ready(h, now, err, &rc);
		if (rc < 0)
			return rc;
		wh = h->hc ? cf_hc_expire(h->hc, now) : -1;
		if (h->timer_at >= 0 && h->timer_at <= now) {
			h->timer_at = -1;
			mc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			if (mc != CURLM_OK)
				return cf_error_set(err, CF_ENET, "curl: %s", curl_multi_strerror(mc));
		}
		delivered += reap(h, done, ctx);
		if (delivered || h->n_pending == 0 || polled_late)
			break;
		/* sleep until a socket stirs, curl's timer fires, a retry is due
		 * or a bucket refills; past t_end (or with timeout 0) still look
		 * at the sockets once without waiting, else a caller that polls
		 * with 0 between other work would never read a response */
		now = now_s();
		if (now >= t_end)
			polled_late = 1;
		wait = t_end - now;
		if (wd >= 0 && wd < wait)
			wait = wd;
		if (wb >= 0 && wb < wait)
			wait = wb;
		if (wh >= 0 && wh < wait)
			wait = wh;
		if (h->timer_at >= 0 && h->timer_at - now < wait)
			wait = h->timer_at - now;
		n = epoll_wait(h->epfd, ev, 64, wait > 0 ? (int)ceil(wait * 1000) : 0);
		if (n < 0 && errno != EINTR)
			return cf_error_set(err, CF_ENET, "epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			fdstate *f;
			if (ev[i].data.u64 & CF_HC_TAG) {
				cf_hc_event(h->hc, ev[i].data.u64, ev[i].events);
				continue;
			}
			f = own_fd(h, ev[i].data.fd);
			if (f && !f->want) {
				/* an idle kept-alive connection stirs (the server closed
				 * it): stop watching; curl checks it before reuse */
				fd_unregister(h, f, ev[i].data.fd);
				continue;
			}
			flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			        (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			        (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
			mc = curl_multi_socket_action(h->multi, ev[i].data.fd, flags, &running);
			if (mc != CURLM_OK)
				return cf_error_set(err, CF_ENET, "curl: %s", curl_multi_strerror(mc));
		}
		delivered += reap(h, done, ctx);
		if (delivered)
			break;
	}
	return (int)(h->n_pending > (size_t)INT32_MAX ? INT32_MAX : h->n_pending);
}

void cf_http_free(cf_http **hp)
{
	cf_http *h = hp ? *hp : NULL;
	req *r, *next;

	if (!h)
		return;
	cf_hc_free(&h->hc);    /* before the requests: it writes their buffers */
	while ((r = h->flying)) {
		land(h, r);
		req_free(r);
	}
	for (r = h->ready_head; r; r = next) {
		next = r->next;
		req_free(r);
	}
	for (r = h->delayed; r; r = next) {
		next = r->next;
		req_free(r);
	}
	while (h->pool && h->npool > 0)
		curl_easy_cleanup(h->pool[--h->npool]);
	free(h->pool);
	free(h->ring);
	if (h->grams) {
		memset(h->grams, 0, h->ngram_slots * sizeof *h->grams);
		free(h->grams);
	}
	free(h->pair2);
	if (h->multi)
		curl_multi_cleanup(h->multi);   /* closes connections: on_close */
	free(h->fds);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->headers) {
		struct curl_slist *l;
		for (l = h->headers; l; l = l->next)
			memset(l->data, 0, strlen(l->data));
		curl_slist_free_all(h->headers);
	}
	free(h);
	*hp = NULL;
}
