/*
 * test_http_conn.c - the own HTTP/1.1 transport (pipeline/util/http_conn.c)
 * through cf_http, against a scripted raw server on loopback, and the same
 * script through libcurl (CFAUG_HTTP_CLIENT=curl): both transports must
 * deliver the same outcome, status, body, error text and attempt count.
 * Scripts: answers written a few bytes at a time (headers and chunk sizes
 * split across reads), Connection: close honoured, a kept-alive connection
 * the server closes while the request is on its way (sent again once on a
 * new connection, no retry counted), a silent server past the timeout,
 * 429 with Retry-After, a cut chunked body, an oversize body, a status
 * line that is not HTTP, gzip, 100 Continue, a dead port, a connect
 * timeout.  Also: a 6 MiB body to a slow reader (partial writes), a proxy
 * in the environment (left to curl), localhost and [::1], a misspelt
 * CFAUG_HTTP_CLIENT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "http.h"

enum { KEEP, CLOSE, HANG, SILENT_CLOSE };

typedef struct act {
	const char *resp;
	size_t len;          /* 0: strlen */
	size_t piece;        /* written this many bytes at a time, 2 ms apart */
	int after;
} act;

typedef struct server {
	int lfd, port, accepted, nreq;
	const act *acts;
	int nacts;
	pthread_mutex_t mu;
	pthread_t th;
} server;

typedef struct cthread { server *sv; int fd; } cthread;

static void *serve_conn(void *arg)
{
	cthread *ct = arg;
	server *sv = ct->sv;
	char buf[65536];
	size_t len = 0;
	int fd = ct->fd;

	free(ct);
	for (;;) {
		char *he, *cl;
		size_t need, off;
		ssize_t n;
		const act *a;
		int k;
		if (!(he = strstr(buf, "\r\n\r\n")) || len == 0) {
			n = read(fd, buf + len, sizeof buf - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = '\0';
			continue;
		}
		cl = strstr(buf, "Content-Length:");
		need = (size_t)(he + 4 - buf) + (cl && cl < he ? strtoul(cl + 15, NULL, 10) : 0);
		if (len < need) {
			n = read(fd, buf + len, sizeof buf - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = '\0';
			continue;
		}
		memmove(buf, buf + need, len - need);
		len -= need;
		buf[len] = '\0';
		pthread_mutex_lock(&sv->mu);
		k = sv->nreq++;
		pthread_mutex_unlock(&sv->mu);
		if (k >= sv->nacts)
			break;
		a = &sv->acts[k];
		if (a->after == SILENT_CLOSE)
			break;
		if (a->after == HANG) {
			sleep(2);
			break;
		}
		for (off = 0, need = a->len ? a->len : strlen(a->resp); off < need;) {
			size_t m = a->piece && need - off > a->piece ? a->piece : need - off;
			struct timespec ms = { 0, 2000000 };
			if (write(fd, a->resp + off, m) != (ssize_t)m)
				break;
			off += m;
			if (a->piece)
				nanosleep(&ms, NULL);
		}
		if (a->after == CLOSE)
			break;
	}
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	server *sv = arg;
	int fd;

	while ((fd = accept(sv->lfd, NULL, NULL)) >= 0) {
		cthread *ct = malloc(sizeof *ct);
		pthread_t t;
		ct->sv = sv;
		ct->fd = fd;
		pthread_mutex_lock(&sv->mu);
		sv->accepted++;
		pthread_mutex_unlock(&sv->mu);
		pthread_create(&t, NULL, serve_conn, ct);
		pthread_detach(t);
	}
	return NULL;
}

static void server_start(server *sv, const act *acts, int nacts)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int one = 1;

	memset(sv, 0, sizeof *sv);
	pthread_mutex_init(&sv->mu, NULL);
	sv->acts = acts;
	sv->nacts = nacts;
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd >= 0);
	setsockopt(sv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(sv->lfd, 16), 0);
	assert_int_equal(getsockname(sv->lfd, (struct sockaddr *)&sa, &sl), 0);
	sv->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&sv->th, NULL, serve, sv), 0);
}

static void server_stop(server *sv)
{
	shutdown(sv->lfd, SHUT_RDWR);
	close(sv->lfd);
	pthread_join(sv->th, NULL);
}

static const char *host = "127.0.0.1";   /* of the URLs send_all sends to */

typedef struct res {
	int outcome, attempts;
	long status;
	char body[512];
	char error[512];
} res;

typedef struct run { res r[4]; int n; } run;

static void on_done(void *ctx, const cf_http_result *r)
{
	run *g = ctx;
	res *o = &g->r[g->n++];

	o->outcome = r->outcome;
	o->attempts = r->attempts;
	o->status = r->status;
	snprintf(o->body, sizeof o->body, "%.*s", (int)r->body_len, r->body);
	snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
}

/* Send nreq requests one after another to port with the given client
 * settings (curl: through libcurl); the results into g. */
static void send_all(int port, int nreq, int curl, double timeout_s, size_t max_resp,
                     const cf_http_stats **stats, run *g, cf_http **hp)
{
	cf_http_opts o;
	cf_http_request rq;
	cf_error err = { 0 };
	char url[96];
	int i;

	memset(g, 0, sizeof *g);
	if (curl)
		setenv("CFAUG_HTTP_CLIENT", "curl", 1);
	else
		unsetenv("CFAUG_HTTP_CLIENT");
	memset(&o, 0, sizeof o);
	o.concurrency = 1;
	o.max_retries = 1;
	o.timeout_s = timeout_s;
	o.backoff_base_s = 0.01;
	o.max_response_bytes = max_resp;
	o.quiet = 1;
	assert_int_equal(cf_http_new(hp, &o, &err), 0);
	snprintf(url, sizeof url, "http://%s:%d/v1/chat/completions?x=1", host, port);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.body = "{\"x\":1}";
	rq.body_len = 7;
	for (i = 1; i <= nreq; i++) {
		int k;
		assert_int_equal(cf_http_submit(*hp, &rq, &err), 0);
		for (k = 0; k < 1000 && g->n < i; k++)
			assert_true(cf_http_poll(*hp, 20, on_done, g, &err) >= 0);
		assert_int_equal(g->n, i);
	}
	*stats = cf_http_get_stats(*hp);
	unsetenv("CFAUG_HTTP_CLIENT");
}

typedef struct script {
	const char *name;
	act acts[4];
	int nacts, nreq;
	double timeout_s;
	size_t max_resp;
	int outcome;         /* of the last request */
	const char *body;    /* of the last request, or NULL */
	const char *error;   /* a piece of the last error, or NULL */
	int attempts;
	int accepted;        /* connections the own client opened; 0: any */
} script;

#define R200(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " \
	body "\r\n\r\n"
#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const script scripts[] = {
	{ "chunked, 3 bytes at a time", { { CHUNKED "4\r\n{\"ok\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n", 0, 3, KEEP } },
	  1, 1, 5, 0, CF_HTTP_OK, "{\"ok\":1}", NULL, 1, 1 },
	{ "headers a byte at a time, two requests on one connection",
	  { { R200("8") "{\"ok\":1}", 0, 1, KEEP }, { R200("8") "{\"ok\":2}", 0, 0, KEEP } },
	  2, 2, 5, 0, CF_HTTP_OK, "{\"ok\":2}", NULL, 1, 1 },
	{ "Connection: close honoured (the server keeps the socket open)",
	  { { "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 8\r\n\r\n{\"ok\":1}", 0, 0, KEEP },
	    { R200("8") "{\"ok\":2}", 0, 0, KEEP } },
	  2, 2, 2, 0, CF_HTTP_OK, "{\"ok\":2}", NULL, 1, 2 },
	{ "a kept-alive connection closed under the request: sent again once",
	  { { R200("8") "{\"ok\":1}", 0, 0, KEEP }, { "", 0, 0, SILENT_CLOSE },
	    { R200("8") "{\"ok\":3}", 0, 0, KEEP } },
	  3, 2, 5, 0, CF_HTTP_OK, "{\"ok\":3}", NULL, 1, 2 },
	{ "100 Continue first", { { "HTTP/1.1 100 Continue\r\n\r\n" R200("8") "{\"ok\":1}", 0, 5, KEEP } },
	  1, 1, 5, 0, CF_HTTP_OK, "{\"ok\":1}", NULL, 1, 1 },
	{ "gzip", { { "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 28\r\n\r\n"
	              "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\xcf\x56\xb2\x32\xac"
	              "\x05\x00\x09\x8c\x54\x10\x08\x00\x00\x00", 91, 4, KEEP } },
	  1, 1, 5, 0, CF_HTTP_OK, "{\"ok\":1}", NULL, 1, 1 },
	{ "429 with Retry-After 0, then an answer",
	  { { "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 2\r\n\r\n{}", 0, 0, KEEP },
	    { R200("8") "{\"ok\":1}", 0, 0, KEEP } },
	  2, 1, 5, 0, CF_HTTP_OK, "{\"ok\":1}", NULL, 2, 1 },
	{ "a silent server past the timeout",
	  { { "", 0, 0, HANG }, { "", 0, 0, HANG } },
	  2, 1, 0.3, 0, CF_HTTP_FAILED, NULL, "Timeout was reached (after 2 attempts)", 2, 0 },
	{ "a chunked body cut, twice",
	  { { CHUNKED "5\r\nab", 0, 0, CLOSE }, { CHUNKED "5\r\nab", 0, 0, CLOSE } },
	  2, 1, 5, 0, CF_HTTP_FAILED, NULL, "Transferred a partial file (after 2 attempts)", 2, 2 },
	{ "a body over max_response_bytes",
	  { { R200("40") "0123456789012345678901234567890123456789", 0, 0, KEEP } },
	  1, 1, 5, 20, CF_HTTP_FAILED, NULL, "response larger than 20 bytes", 1, 1 },
	{ "a status line that is not HTTP",
	  { { "garbage\r\n\r\n", 0, 0, CLOSE } },
	  1, 1, 5, 0, CF_HTTP_FAILED, NULL, "Unsupported protocol", 1, 1 },
};

static void test_scripts(void **st)
{
	size_t i;

	(void)st;
	for (i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
		const script *s = &scripts[i];
		run own, cu;
		server sv;
		cf_http *h = NULL;
		const cf_http_stats *stats;
		res *a, *b;
		int way, accepted_own = 0;

		for (way = 0; way < 2; way++) {
			server_start(&sv, s->acts, s->nacts);
			send_all(sv.port, s->nreq, way, s->timeout_s, s->max_resp, &stats,
			         way ? &cu : &own, &h);
			cf_http_free(&h);
			server_stop(&sv);
			if (!way)
				accepted_own = sv.accepted;
		}
		a = &own.r[s->nreq - 1];
		b = &cu.r[s->nreq - 1];
		if (a->outcome != s->outcome || a->attempts != s->attempts ||
		    (s->body && strcmp(a->body, s->body) != 0) ||
		    (s->error && !strstr(a->error, s->error)) ||
		    (s->accepted && accepted_own != s->accepted))
			fail_msg("%s: own client: outcome %d attempts %d body '%s' error '%s' "
			         "connections %d", s->name, a->outcome, a->attempts, a->body,
			         a->error, accepted_own);
		if (a->outcome != b->outcome || a->attempts != b->attempts ||
		    a->status != b->status || strcmp(a->body, b->body) != 0 ||
		    strcmp(a->error, b->error) != 0)
			fail_msg("%s: own client and curl differ: %d/%d %d/%d %ld/%ld '%s'/'%s' '%s'/'%s'",
			         s->name, a->outcome, b->outcome, a->attempts, b->attempts,
			         a->status, b->status, a->body, b->body, a->error, b->error);
	}
}

/* A loopback port nobody listens on (bound, never listened: refused). */
static int dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_dead_port(void **st)
{
	int port = dead_port(), way;
	run g[2];
	cf_http *h = NULL;
	const cf_http_stats *stats;

	(void)st;
	for (way = 0; way < 2; way++) {
		send_all(port, 1, way, 5, 0, &stats, &g[way], &h);
		cf_http_free(&h);
	}
	assert_int_equal(g[0].r[0].outcome, CF_HTTP_FAILED);
	assert_non_null(strstr(g[0].r[0].error, "Couldn't connect to server"));
	assert_string_equal(g[0].r[0].error, g[1].r[0].error);
	assert_int_equal(g[0].r[0].attempts, g[1].r[0].attempts);
}

/* A proxy in the environment is curl's to honour: the request goes
 * through libcurl and so to the (dead) proxy, as before the own client. */
static void test_proxy_left_to_curl(void **st)
{
	static const act acts[] = { { R200("8") "{\"ok\":1}", 0, 0, KEEP } };
	server sv;
	run g;
	cf_http *h = NULL;
	const cf_http_stats *stats;
	char proxy[64];

	(void)st;
	server_start(&sv, acts, 1);
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", dead_port());
	setenv("http_proxy", proxy, 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	send_all(sv.port, 1, 0, 5, 0, &stats, &g, &h);
	cf_http_free(&h);
	unsetenv("http_proxy");
	server_stop(&sv);
	assert_int_equal(sv.nreq, 0);
	assert_non_null(strstr(g.r[0].error, "Couldn't connect to server"));
}

/* Names and IPv6: "localhost" (which may resolve to ::1 first) reaches a
 * server on 127.0.0.1, and [::1] a server on ::1 when the host has IPv6. */
static void test_names_and_ipv6(void **st)
{
	static const act acts[] = { { R200("8") "{\"ok\":1}", 0, 0, KEEP } };
	server sv;
	run g;
	cf_http *h = NULL;
	const cf_http_stats *stats;
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof sa;
	int fd, port;
	pthread_t th;

	(void)st;
	server_start(&sv, acts, 1);
	host = "localhost";
	send_all(sv.port, 1, 0, 5, 0, &stats, &g, &h);
	cf_http_free(&h);
	server_stop(&sv);
	assert_int_equal(g.r[0].outcome, CF_HTTP_OK);
	assert_string_equal(g.r[0].body, "{\"ok\":1}");

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (fd >= 0)
			close(fd);
		host = "127.0.0.1";
		return;                 /* no IPv6 here */
	}
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin6_port);
	memset(&sv, 0, sizeof sv);
	pthread_mutex_init(&sv.mu, NULL);
	sv.acts = acts;
	sv.nacts = 1;
	sv.lfd = fd;
	assert_int_equal(pthread_create(&th, NULL, serve, &sv), 0);
	sv.th = th;
	host = "[::1]";
	send_all(port, 1, 0, 5, 0, &stats, &g, &h);
	cf_http_free(&h);
	server_stop(&sv);
	host = "127.0.0.1";
	assert_int_equal(g.r[0].outcome, CF_HTTP_OK);
	assert_string_equal(g.r[0].body, "{\"ok\":1}");
}

/* A misspelt transport is a configuration error, not a silent default. */
static void test_bad_transport_name(void **st)
{
	cf_http *h = NULL;
	cf_http_opts o;
	cf_error err = { 0 };

	(void)st;
	memset(&o, 0, sizeof o);
	setenv("CFAUG_HTTP_CLIENT", "libcurl", 1);
	assert_int_equal(cf_http_new(&h, &o, &err), CF_ECONFIG);
	assert_null(h);
	setenv("CFAUG_HTTP_CLIENT", "auto", 1);
	assert_int_equal(cf_http_new(&h, &o, &err), 0);
	cf_http_free(&h);
	unsetenv("CFAUG_HTTP_CLIENT");
}

/* A listening loopback socket; its port into *port. */
static int listen_loopback(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A server that reads a request's body slowly and answers its length: a
 * 6 MiB body cannot go out in one sendmsg, so the client must go on when
 * the socket is writable again. */
static void *slow_reader(void *arg)
{
	server *sv = arg;
	char buf[65536], *he;
	size_t len = 0, need, got;
	ssize_t n;
	int fd = accept(sv->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	sv->accepted++;
	for (;;) {
		if ((n = read(fd, buf + len, sizeof buf - 1 - len)) <= 0)
			goto out;
		len += (size_t)n;
		buf[len] = '\0';
		if ((he = strstr(buf, "\r\n\r\n")))
			break;
	}
	need = strtoul(strstr(buf, "Content-Length:") + 15, NULL, 10);
	got = len - (size_t)(he + 4 - buf);
	while (got < need) {
		struct timespec ms = { 0, 200000 };
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			goto out;
		got += (size_t)n;
		nanosleep(&ms, NULL);
	}
	n = snprintf(buf, sizeof buf, "{\"got\":%zu}", got);
	dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Length: %zd\r\n\r\n%s", n, buf);
	sv->nreq++;
out:
	close(fd);
	return NULL;
}

static void test_big_body_partial_writes(void **st)
{
	server sv;
	cf_http *h = NULL;
	cf_http_opts o;
	cf_http_request rq;
	cf_error err = { 0 };
	char url[96], want[64];
	size_t len = 6u << 20;
	char *body = malloc(len);
	run g;
	int k;

	(void)st;
	assert_non_null(body);
	memset(body, 'a', len);
	memset(&sv, 0, sizeof sv);
	sv.lfd = listen_loopback(&sv.port);
	assert_int_equal(pthread_create(&sv.th, NULL, slow_reader, &sv), 0);
	unsetenv("CFAUG_HTTP_CLIENT");
	memset(&o, 0, sizeof o);
	o.concurrency = 1;
	o.timeout_s = 20;
	o.quiet = 1;
	assert_int_equal(cf_http_new(&h, &o, &err), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", sv.port);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.body = body;
	rq.body_len = len;
	memset(&g, 0, sizeof g);
	assert_int_equal(cf_http_submit(h, &rq, &err), 0);
	for (k = 0; k < 2000 && g.n < 1; k++)
		assert_true(cf_http_poll(h, 20, on_done, &g, &err) >= 0);
	cf_http_free(&h);
	pthread_join(sv.th, NULL);
	close(sv.lfd);
	free(body);
	snprintf(want, sizeof want, "{\"got\":%zu}", len);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].outcome, CF_HTTP_OK);
	assert_string_equal(g.r[0].body, want);
}

/* A server whose accept queue is full drops the SYN: the connection
 * never completes, and connect_timeout_s ends it as curl would. */
static void test_connect_timeout(void **st)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fill[4], i, way, k;
	cf_http *h = NULL;
	cf_http_opts o;
	cf_http_request rq;
	cf_error err = { 0 };
	char url[96];
	run g[2];

	(void)st;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	for (i = 0; i < 4; i++) {          /* fill the queue; never accepted */
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sa, sizeof sa);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", ntohs(sa.sin_port));
	for (way = 0; way < 2; way++) {
		if (way)
			setenv("CFAUG_HTTP_CLIENT", "curl", 1);
		memset(&o, 0, sizeof o);
		o.concurrency = 1;
		o.timeout_s = 5;
		o.connect_timeout_s = 0.3;
		o.quiet = 1;
		assert_int_equal(cf_http_new(&h, &o, &err), 0);
		memset(&rq, 0, sizeof rq);
		rq.url = url;
		rq.body = "{}";
		rq.body_len = 2;
		memset(&g[way], 0, sizeof g[way]);
		assert_int_equal(cf_http_submit(h, &rq, &err), 0);
		for (k = 0; k < 1000 && g[way].n < 1; k++)
			assert_true(cf_http_poll(h, 20, on_done, &g[way], &err) >= 0);
		cf_http_free(&h);
		unsetenv("CFAUG_HTTP_CLIENT");
	}
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
	assert_int_equal(g[0].r[0].outcome, CF_HTTP_FAILED);
	assert_non_null(strstr(g[0].r[0].error, "Timeout was reached"));
	assert_string_equal(g[0].r[0].error, g[1].r[0].error);
	assert_true(g[0].r[0].attempts == g[1].r[0].attempts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_dead_port),
		cmocka_unit_test(test_proxy_left_to_curl),
		cmocka_unit_test(test_names_and_ipv6),
		cmocka_unit_test(test_bad_transport_name),
		cmocka_unit_test(test_big_body_partial_writes),
		cmocka_unit_test(test_connect_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
