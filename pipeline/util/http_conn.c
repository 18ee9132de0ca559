/*
 * http_conn.c - cfaug's own HTTP/1.1 transport for http://; see http_conn.h.
 *
 * A connection is CONNECTING (waiting for EPOLLOUT), BUSY (one transfer:
 * writing its request, reading its answer) or IDLE (on its endpoint's
 * stack).  It is registered for EPOLLIN from the moment it connects until
 * it is closed, so a reused connection costs no epoll_ctl; an idle one
 * that stirs has been closed by the server (or sent what nobody asked
 * for) and is closed.  Transfers in flight are on a list in start order,
 * scanned for deadlines (the window is small); finished ones wait on a
 * FIFO until http.c reaps them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "http_conn.h"
#include "http_wire.h"

/* the parser's codes are curl's (http_wire.h) */
_Static_assert((int)CF_WIRE_EPROTO == (int)CURLE_UNSUPPORTED_PROTOCOL, "curl code");
_Static_assert((int)CF_WIRE_EWEIRD == (int)CURLE_WEIRD_SERVER_REPLY, "curl code");
_Static_assert((int)CF_WIRE_EPARTIAL == (int)CURLE_PARTIAL_FILE, "curl code");
_Static_assert((int)CF_WIRE_ETOOBIG == (int)CURLE_WRITE_ERROR, "curl code");
_Static_assert((int)CF_WIRE_ENOTHING == (int)CURLE_GOT_NOTHING, "curl code");
_Static_assert((int)CF_WIRE_ERECV == (int)CURLE_RECV_ERROR, "curl code");
_Static_assert((int)CF_WIRE_EENCODING == (int)CURLE_BAD_CONTENT_ENCODING, "curl code");

enum { C_CONNECTING, C_BUSY, C_IDLE };

typedef struct endpoint endpoint;
typedef struct xfer xfer;

typedef struct conn {
	int fd, state;
	unsigned events;          /* registered in the epoll set */
	long served;              /* answers read on it */
	int ai;                   /* CONNECTING: the address being tried */
	endpoint *ep;
	struct conn *next;        /* the endpoint's idle stack */
	xfer *x;                  /* BUSY/CONNECTING */
	double connect_by;
} conn;

struct endpoint {
	char *authority;          /* host[:port] as in the URL */
	char *host_line;          /* "Host: ...\r\n" */
	struct addrinfo *ai;
	conn *idle;
	long nidle;
	endpoint *next;
};

struct xfer {
	void *user;
	cf_buf *resp;
	endpoint *ep;
	conn *c;
	char *head;               /* request line and headers */
	size_t head_len;
	const char *body;
	size_t body_len, sent;
	double deadline;
	int resent;               /* sent again on a new connection once */
	int cc;
	xfer *prev, *next;        /* in flight, in start order */
	xfer *dnext;              /* finished, waiting to be reaped */
	cf_http_wire w;
};

struct cf_hc {
	cf_hc_opts o;
	char *headers;
	size_t headers_len;
	int epfd;
	conn **byfd;
	size_t nbyfd;
	endpoint *eps;
	xfer *flying_head, *flying_tail;
	xfer *done_head, *done_tail;
	long active;
	int proxied;              /* a proxy is set in the environment */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

int cf_hc_wants(const cf_hc *c, const char *url)
{
	const char *a, *end;

	if (!c || c->proxied || strncmp(url, "http://", 7) != 0)
		return 0;
	a = url + 7;
	end = a + strcspn(a, "/?#");
	return !memchr(a, '@', (size_t)(end - a));   /* userinfo: curl sends
	                                                it as Basic auth */
}

int cf_hc_new(cf_hc **out, int epfd, const cf_hc_opts *o)
{
	cf_hc *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c || !(c->headers = strdup(o->headers ? o->headers : ""))) {
		free(c);
		return CF_ENOMEM;
	}
	c->o = *o;
	c->o.headers = NULL;
	c->headers_len = strlen(c->headers);
	c->epfd = epfd;
	/* curl would go through a proxy: leave http:// to it */
	c->proxied = env_set("http_proxy") || env_set("all_proxy") || env_set("ALL_PROXY");
	*out = c;
	return 0;
}

long cf_hc_active(const cf_hc *c) { return c ? c->active : 0; }

/* ---- connections ------------------------------------------------------ */

static int track(cf_hc *c, conn *k)
{
	if ((size_t)k->fd >= c->nbyfd) {
		size_t n = c->nbyfd ? c->nbyfd : 64;
		conn **t;
		while (n <= (size_t)k->fd)
			n *= 2;
		if (!(t = realloc(c->byfd, n * sizeof *t)))
			return CF_ENOMEM;
		memset(t + c->nbyfd, 0, (n - c->nbyfd) * sizeof *t);
		c->byfd = t;
		c->nbyfd = n;
	}
	c->byfd[k->fd] = k;
	return 0;
}

static void set_events(cf_hc *c, conn *k, unsigned events)
{
	struct epoll_event ev;

	if (k->events == events)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.u64 = CF_HC_TAG | (uint64_t)(unsigned)k->fd;
	epoll_ctl(c->epfd, k->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, k->fd, &ev);
	k->events = events;
}

/* Close and forget k (off its idle stack when idle). */
static void conn_close(cf_hc *c, conn *k)
{
	if (k->state == C_IDLE) {
		conn **pp = &k->ep->idle;
		while (*pp && *pp != k)
			pp = &(*pp)->next;
		if (*pp) {
			*pp = k->next;
			k->ep->nidle--;
		}
	}
	if (k->events)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, k->fd, NULL);
	if ((size_t)k->fd < c->nbyfd && c->byfd[k->fd] == k)
		c->byfd[k->fd] = NULL;
	close(k->fd);
	free(k);
}

/* ---- transfers -------------------------------------------------------- */

static void unfly(cf_hc *c, xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		c->flying_head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		c->flying_tail = x->prev;
	x->prev = x->next = NULL;
}

/* x is finished (cc 0: an answer was read): off its connection, which goes
 * idle when it can carry another request, onto the reap FIFO. */
static void complete(cf_hc *c, xfer *x, int cc)
{
	conn *k = x->c;

	x->cc = cc;
	if (k) {
		k->x = NULL;
		x->c = NULL;
		if (cc || x->w.conn_close || k->ep->nidle >= c->o.max_idle) {
			conn_close(c, k);
		} else {
			k->served++;
			k->state = C_IDLE;
			k->next = k->ep->idle;
			k->ep->idle = k;
			k->ep->nidle++;
			set_events(c, k, EPOLLIN | EPOLLRDHUP);
		}
	}
	cf_http_wire_done(&x->w);
	unfly(c, x);
	if (c->done_tail)
		c->done_tail->dnext = x;
	else
		c->done_head = x;
	c->done_tail = x;
}

static void connect_next(cf_hc *c, xfer *x, conn *k, int ai);

static void send_request(cf_hc *c, xfer *x);

/* The connection under x failed with cc.  A request on a reused
 * connection that got no byte back is sent once more on a new one. */
static void conn_failed(cf_hc *c, xfer *x, int cc)
{
	conn *k = x->c;
	int again = k && k->served > 0 && !x->resent && x->w.seen == 0 &&
	            (cc == CURLE_GOT_NOTHING || cc == CURLE_SEND_ERROR ||
	             cc == CURLE_RECV_ERROR);

	if (!again) {
		complete(c, x, cc);
		return;
	}
	k->x = NULL;
	x->c = NULL;
	conn_close(c, k);
	x->resent = 1;
	x->sent = 0;
	cf_http_wire_init(&x->w, x->resp);
	connect_next(c, x, NULL, 0);
}

/* Open a connection for x to its endpoint's address number ai onwards. */
static void connect_next(cf_hc *c, xfer *x, conn *k, int ai)
{
	struct addrinfo *a;
	int i, fd, one = 1;

	if (k) {               /* the last address failed */
		k->x = NULL;
		x->c = NULL;
		conn_close(c, k);
	}
	for (a = x->ep->ai, i = 0; a && i < ai; a = a->ai_next, i++)
		;
	for (; a; a = a->ai_next, i++) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
			close(fd);
			continue;
		}
		if (!(k = calloc(1, sizeof *k))) {
			close(fd);
			complete(c, x, CURLE_OUT_OF_MEMORY);
			return;
		}
		k->fd = fd;
		k->ep = x->ep;
		k->ai = i;
		k->x = x;
		k->state = C_CONNECTING;
		k->connect_by = now_s() + c->o.connect_timeout_s;
		x->c = k;
		if (track(c, k) < 0) {
			complete(c, x, CURLE_OUT_OF_MEMORY);
			return;
		}
		set_events(c, k, EPOLLOUT);
		return;
	}
	complete(c, x, CURLE_COULDNT_CONNECT);
}

/* A connecting socket is writable: connected, or on to the next address. */
static void connected(cf_hc *c, conn *k)
{
	int e = 0;
	socklen_t len = sizeof e;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;

	if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (!e && getpeername(k->fd, (struct sockaddr *)&sa, &sl) < 0)
		e = errno == ENOTCONN ? -1 : errno;
	if (e == -1)
		return;            /* not yet (a stale wake-up) */
	if (e) {
		connect_next(c, k->x, k, k->ai + 1);
		return;
	}
	k->state = C_BUSY;
	set_events(c, k, EPOLLIN | EPOLLRDHUP);
	send_request(c, k->x);
}

static void send_request(cf_hc *c, xfer *x)
{
	conn *k = x->c;
	struct iovec iov[2];
	struct msghdr m;
	ssize_t n;
	size_t total = x->head_len + x->body_len;

	while (x->sent < total) {
		int i = 0;
		if (x->sent < x->head_len) {
			iov[i].iov_base = x->head + x->sent;
			iov[i++].iov_len = x->head_len - x->sent;
			iov[i].iov_base = (void *)(uintptr_t)x->body;
			iov[i++].iov_len = x->body_len;
		} else {
			iov[i].iov_base = (void *)(uintptr_t)(x->body + (x->sent - x->head_len));
			iov[i++].iov_len = total - x->sent;
		}
		memset(&m, 0, sizeof m);
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)i;
		n = sendmsg(k->fd, &m, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				set_events(c, k, EPOLLIN | EPOLLRDHUP | EPOLLOUT);
				return;
			}
			conn_failed(c, x, CURLE_SEND_ERROR);
			return;
		}
		x->sent += (size_t)n;
	}
	set_events(c, k, EPOLLIN | EPOLLRDHUP);
}

/* Data (or the end) on a busy connection; 1 when k still carries its
 * transfer (nothing more to read now), 0 when that ended. */
static int readable(cf_hc *c, conn *k)
{
	char buf[65536];
	xfer *x = k->x;
	ssize_t n;
	size_t used;
	int rc;

	for (;;) {
		n = recv(k->fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			conn_failed(c, x, x->w.seen ? CURLE_RECV_ERROR : CURLE_GOT_NOTHING);
			return 0;
		}
		if (n == 0) {
			rc = cf_http_wire_eof(&x->w);
			if (rc == CF_WIRE_DONE) {
				x->w.conn_close = 1;
				complete(c, x, 0);
			} else {
				conn_failed(c, x, -rc);
			}
			return 0;
		}
		rc = cf_http_wire_feed(&x->w, buf, (size_t)n, &used);
		if (rc < 0) {
			x->w.conn_close = 1;
			complete(c, x, -rc);
			return 0;
		}
		if (rc == CF_WIRE_DONE) {
			if (used < (size_t)n || x->sent < x->head_len + x->body_len)
				x->w.conn_close = 1;   /* bytes nobody asked for, or an
				                          answer before the request was out */
			complete(c, x, 0);
			return 0;
		}
		if ((size_t)n < sizeof buf)
			return 1;
	}
}

void cf_hc_event(cf_hc *c, uint64_t data, unsigned events)
{
	int fd = (int)(data & 0xffffffffu);
	conn *k = (size_t)fd < c->nbyfd ? c->byfd[fd] : NULL;

	if (!k)
		return;               /* closed earlier in this batch */
	switch (k->state) {
	case C_IDLE:
		conn_close(c, k);     /* the server closed it, or spoke unasked */
		return;
	case C_CONNECTING:
		connected(c, k);
		return;
	default:
		if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) && !readable(c, k))
			return;           /* finished (k may be gone) */
		if ((events & EPOLLOUT) && k->x && k->x->sent < k->x->head_len + k->x->body_len)
			send_request(c, k->x);
	}
}

double cf_hc_expire(cf_hc *c, double now)
{
	xfer *x, *next;
	double wait = -1, t;

	for (x = c->flying_head; x; x = next) {
		next = x->next;
		t = x->deadline;
		if (x->c && x->c->state == C_CONNECTING && x->c->connect_by < t)
			t = x->c->connect_by;
		if (t <= now) {
			if (x->c)
				x->w.conn_close = 1;
			complete(c, x, CURLE_OPERATION_TIMEDOUT);
			continue;
		}
		if (wait < 0 || t - now < wait)
			wait = t - now;
	}
	return wait;
}

int cf_hc_reap(cf_hc *c, cf_hc_result *res)
{
	xfer *x = c->done_head;

	if (!x)
		return 0;
	c->done_head = x->dnext;
	if (!c->done_head)
		c->done_tail = NULL;
	res->user = x->user;
	res->cc = x->cc;
	res->status = x->w.status >= 200 ? x->w.status : 0;
	snprintf(res->retry_after, sizeof res->retry_after, "%s", x->w.retry_after);
	c->active--;
	free(x->head);
	free(x);
	return 1;
}

/* ---- starting --------------------------------------------------------- */

/* The endpoint for authority a[0..n): found, or resolved and added. */
static int endpoint_get(cf_hc *c, const char *a, size_t n, endpoint **out)
{
	endpoint *ep;
	struct addrinfo hints, *ai = NULL;
	char host[256], port[8] = "80";
	const char *colon, *h = a, *hend;
	size_t hl;

	for (ep = c->eps; ep; ep = ep->next)
		if (strlen(ep->authority) == n && memcmp(ep->authority, a, n) == 0) {
			*out = ep;
			return 0;
		}
	if (n && a[0] == '[') {           /* [v6 literal]:port */
		hend = memchr(a, ']', n);
		if (!hend)
			return CURLE_URL_MALFORMAT;
		h = a + 1;
		colon = hend + 1 < a + n && hend[1] == ':' ? hend + 1 : NULL;
	} else {
		colon = memchr(a, ':', n);
		hend = colon ? colon : a + n;
	}
	hl = (size_t)(hend - h);
	if (!hl || hl >= sizeof host)
		return CURLE_URL_MALFORMAT;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (colon) {
		size_t pl = (size_t)(a + n - colon - 1);
		if (!pl || pl >= sizeof port || strspn(colon + 1, "0123456789") < pl)
			return CURLE_URL_MALFORMAT;
		memcpy(port, colon + 1, pl);
		port[pl] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
		hints.ai_flags = 0;          /* loopback-only hosts have no
		                                configured address of a family */
		if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
			return CURLE_COULDNT_RESOLVE_HOST;
	}
	if (!(ep = calloc(1, sizeof *ep)) || !(ep->authority = strndup(a, n)) ||
	    !(ep->host_line = malloc(n + 9))) {
		if (ep)
			free(ep->authority);
		free(ep);
		freeaddrinfo(ai);
		return CURLE_OUT_OF_MEMORY;
	}
	/* curl leaves out the default port */
	if (colon && strcmp(port, "80") == 0)
		n = (size_t)(colon - a);
	sprintf(ep->host_line, "Host: %.*s\r\n", (int)n, a);
	ep->ai = ai;
	ep->next = c->eps;
	c->eps = ep;
	*out = ep;
	return 0;
}

/* "POST path HTTP/1.1", Host, the fixed headers, Content-Length. */
static int build_head(cf_hc *c, xfer *x, const char *path, size_t plen)
{
	size_t hl = strlen(x->ep->host_line), n = 5 + (plen ? plen : 1) + 11 + hl +
	            c->headers_len + 40;
	char *p;

	if (!(x->head = p = malloc(n)))
		return CF_ENOMEM;
	memcpy(p, "POST ", 5), p += 5;
	if (!plen || *path != '/')
		*p++ = '/';
	memcpy(p, path, plen), p += plen;
	memcpy(p, " HTTP/1.1\r\n", 11), p += 11;
	memcpy(p, x->ep->host_line, hl), p += hl;
	memcpy(p, c->headers, c->headers_len), p += c->headers_len;
	p += sprintf(p, "Content-Length: %zu\r\n\r\n", x->body_len);
	x->head_len = (size_t)(p - x->head);
	return 0;
}

int cf_hc_start(cf_hc *c, const char *url, const char *body, size_t len,
                cf_buf *resp, void *user)
{
	xfer *x = malloc(sizeof *x);   /* the parser's 8 KiB line buffer is
	                                  not cleared: cf_http_wire_init */
	const char *a = url + 7, *path;
	size_t alen, plen;
	conn *k;
	int rc;

	if (!x)
		return CF_ENOMEM;
	memset(x, 0, offsetof(xfer, w));
	alen = strcspn(a, "/?#");
	path = a + alen;
	plen = strcspn(path, "#");
	x->user = user;
	x->resp = resp;
	x->body = body;
	x->body_len = len;
	x->deadline = now_s() + c->o.timeout_s;
	cf_http_wire_init(&x->w, resp);
	x->prev = c->flying_tail;
	if (c->flying_tail)
		c->flying_tail->next = x;
	else
		c->flying_head = x;
	c->flying_tail = x;
	c->active++;
	if ((rc = endpoint_get(c, a, alen, &x->ep)) != 0) {
		complete(c, x, rc);
		return 0;
	}
	if (build_head(c, x, path, plen) < 0) {
		unfly(c, x);
		c->active--;
		free(x);
		return CF_ENOMEM;
	}
	if ((k = x->ep->idle)) {
		x->ep->idle = k->next;
		x->ep->nidle--;
		k->next = NULL;
		k->state = C_BUSY;
		k->x = x;
		x->c = k;
		send_request(c, x);
		return 0;
	}
	connect_next(c, x, NULL, 0);
	return 0;
}

void cf_hc_free(cf_hc **cp)
{
	cf_hc *c = cp ? *cp : NULL;
	endpoint *ep, *enext;
	xfer *x, *next;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nbyfd; i++)
		if (c->byfd[i]) {
			conn *k = c->byfd[i];
			k->state = C_BUSY;   /* not on a stack any more: see below */
			conn_close(c, k);
		}
	for (x = c->flying_head; x; x = next) {
		next = x->next;
		cf_http_wire_done(&x->w);
		free(x->head);
		free(x);
	}
	for (x = c->done_head; x; x = next) {
		next = x->dnext;
		free(x->head);
		free(x);
	}
	for (ep = c->eps; ep; ep = enext) {
		enext = ep->next;
		freeaddrinfo(ep->ai);
		free(ep->authority);
		free(ep->host_line);
		free(ep);
	}
	free(c->byfd);
	memset(c->headers, 0, c->headers_len);
	free(c->headers);
	free(c);
	*cp = NULL;
}
