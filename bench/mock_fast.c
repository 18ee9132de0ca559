/*
 * mock_fast.c - a small, fast mock OpenAI-compatible Chat Completions
 * server for the llm benchmarks (bench/llm_bench.sh).  Not for the tests:
 * tests/mock_openai.py has the scripted faults; this one has none, and
 * exists so that a throughput figure measures the client, not the server.
 *
 * One thread, epoll, non-blocking sockets, HTTP/1.1 keep-alive, one request
 * at a time per connection (clients here do not pipeline).  A request that
 * is complete gets its deadline (now + latency, or latency * --tail-mult
 * for a --tail-frac share, drawn from --rng-seed) and waits in a binary
 * min-heap of deadlines; epoll_pwait2 sleeps until the earliest one (a
 * nanosecond timeout: no rounding up to whole milliseconds), so a request
 * is answered at its deadline plus the wake-up delay, for O(log n) work.
 *
 * Answer: a chat.completion whose choice j holds
 *     <new>NOT {original} [{seed}.{j}]</new>
 * like the Python mock, where {original} is the text between the last
 * "<text>" and the following "</text>" of the request body (copied as the
 * JSON-escaped bytes it is in the body, so it stays valid JSON), else
 * "x".  n and seed are read from the body.  Usage counts are bytes / 4.
 * GET .../stats answers {"requests": N, "max_inflight": M}.
 *
 * Wire shapes, to test clients (tests/cli/test_llm_wire.sh): --chunked K
 * sends bodies as chunks of K bytes (with an extension and a trailer),
 * --piece N writes every response N bytes per write(), --close-every K
 * answers every K-th response with Connection: close and closes.
 *
 * usage: mock_fast [--port P] [--port-file F] [--latency-ms MS]
 *                  [--tail-frac F] [--tail-mult M] [--rng-seed S]
 *                  [--chunked K] [--piece N] [--close-every K]
 * Build: cmake builds it as bench target mock_fast (build/mock_fast), or
 *   cc -O2 -o mock_fast bench/mock_fast.c
 * On SIGTERM/SIGINT it prints its request count and CPU time to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQ (4u << 20)     /* largest request accepted */
#define MAX_CONNS 65536

typedef struct conn {
	int fd;
	unsigned gen;          /* bumped on close: stale heap entries are skipped */
	char *in;              /* request bytes */
	size_t in_len, in_cap;
	char *out;             /* response bytes not yet written */
	size_t out_len, out_off, out_cap;
	size_t head_len, body_len; /* of the request being read, once known */
	int waiting;           /* a request sits in the heap */
	int want_out;          /* EPOLLOUT registered */
	int close_after;       /* Connection: close was sent */
} conn;

typedef struct timer { double at; int fd; unsigned gen; } timer;

static conn *conns[MAX_CONNS];
static timer *heap;
static size_t nheap, heap_cap;
static int epfd;
static uint64_t rng, nreq;
static long inflight, max_inflight;
static double latency_s, tail_frac, tail_mult = 20;
static long chunk_k, piece_n, close_every;   /* wire shapes; 0: off */
static uint64_t nresp;
static volatile sig_atomic_t stop;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rand_unit(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void heap_push(timer t)
{
	size_t i;

	if (nheap == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 1024;
		if (!(heap = realloc(heap, heap_cap * sizeof *heap)))
			die("realloc");
	}
	i = nheap++;
	while (i && heap[(i - 1) / 2].at > t.at) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = t;
}

static timer heap_pop(void)
{
	timer top = heap[0], last = heap[--nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < nheap) {
		if (c + 1 < nheap && heap[c + 1].at < heap[c].at)
			c++;
		if (last.at <= heap[c].at)
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (nheap)
		heap[i] = last;
	return top;
}

static void reserve(char **p, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 4096;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	if (!(*p = realloc(*p, c)))
		die("realloc");
	*cap = c;
}

static void conn_close(conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->waiting)
		inflight--;
	conns[c->fd] = NULL;
	free(c->in);
	free(c->out);
	free(c);
}

static void set_out(conn *c, int on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0u), .data.fd = c->fd };

	if (c->want_out != on && epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->want_out = on;
}

/* Write what is pending; returns -1 when the connection is gone. */
static int flush_out(conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		size_t k = c->out_len - c->out_off;
		if (piece_n > 0 && k > (size_t)piece_n)
			k = (size_t)piece_n;
		n = write(c->fd, c->out + c->out_off, k);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			set_out(c, 1);
			return 0;
		}
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	set_out(c, 0);
	return c->close_after ? -1 : 0;   /* all written: close as announced */
}

static void append(conn *c, const char *s, size_t n)
{
	reserve(&c->out, &c->out_cap, c->out_len + n);
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

/* The integer after "key": in body[0..n), or def. */
static long json_int(const char *body, size_t n, const char *key, long def)
{
	const char *p = memmem(body, n, key, strlen(key)), *e = body + n;

	if (!p)
		return def;
	p += strlen(key);
	while (p < e && (*p == ' ' || *p == ':'))
		p++;
	if (p >= e || !((*p >= '0' && *p <= '9') || *p == '-'))
		return def;
	return strtol(p, NULL, 10);
}

static const char *memrmem(const char *h, size_t n, const char *needle, size_t k)
{
	size_t i;

	for (i = n >= k ? n - k + 1 : 0; i-- > 0;)
		if (h[i] == needle[0] && memcmp(h + i, needle, k) == 0)
			return h + i;
	return NULL;
}

static void respond(conn *c, int status, const char *body, size_t blen)
{
	char head[256];
	const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
	int n;
	size_t off, k;

	c->close_after = close_every > 0 && ++nresp % (uint64_t)close_every == 0;
	if (chunk_k <= 0) {
		n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json"
		             "\r\n%sContent-Length: %zu\r\n\r\n", status, reason,
		             c->close_after ? "Connection: close\r\n" : "", blen);
		append(c, head, (size_t)n);
		append(c, body, blen);
		return;
	}
	n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/json"
	             "\r\n%sTransfer-Encoding: chunked\r\n\r\n", status, reason,
	             c->close_after ? "Connection: close\r\n" : "");
	append(c, head, (size_t)n);
	for (off = 0; off < blen; off += k) {
		k = blen - off < (size_t)chunk_k ? blen - off : (size_t)chunk_k;
		n = snprintf(head, sizeof head, "%zx%s\r\n", k, off ? "" : ";mock=1");
		append(c, head, (size_t)n);
		append(c, body + off, k);
		append(c, "\r\n", 2);
	}
	append(c, "0\r\nX-Mock-Trailer: 1\r\n\r\n", 24);
}

/* The answer to the request in c->in (head + body), appended to c->out. */
static void answer(conn *c)
{
	const char *body = c->in + c->head_len, *o, *oe;
	size_t blen = c->body_len, olen, ctot = 0;
	long n = json_int(body, blen, "\"n\"", 1), seed = json_int(body, blen, "\"seed\"", 0), j;
	char *buf = NULL, tmp[128];
	size_t len = 0, cap = 0;
	int k;

	if (n < 1 || n > 128)
		n = 1;
	o = memrmem(body, blen, "<text>", 6);
	oe = o ? memmem(o + 6, blen - (size_t)(o + 6 - body), "</text>", 7) : NULL;
	if (o && oe) {
		o += 6;
		olen = (size_t)(oe - o);
	} else {
		o = "x";
		olen = 1;
	}
#define PUT(s, l) do { reserve(&buf, &cap, len + (l)); memcpy(buf + len, (s), (l)); len += (l); } while (0)
#define PUTS(s) PUT((s), strlen(s))
	k = snprintf(tmp, sizeof tmp, "{\"id\":\"chatcmpl-%llu\",\"object\":\"chat.completion\","
	             "\"created\":%ld,\"model\":\"mock\",\"choices\":[",
	             (unsigned long long)nreq, (long)time(NULL));
	PUT(tmp, (size_t)k);
	for (j = 0; j < n; j++) {
		k = snprintf(tmp, sizeof tmp, "%s{\"index\":%ld,\"message\":{\"role\":\"assistant\","
		             "\"content\":\"<new>NOT ", j ? "," : "", j);
		PUT(tmp, (size_t)k);
		PUT(o, olen);
		k = snprintf(tmp, sizeof tmp, " [%ld.%ld]</new>\"},\"finish_reason\":\"stop\"}",
		             seed, j);
		PUT(tmp, (size_t)k);
		ctot += (olen + 20) / 4;
	}
	k = snprintf(tmp, sizeof tmp, "],\"usage\":{\"prompt_tokens\":%zu,\"completion_tokens\":"
	             "%zu,\"total_tokens\":%zu}}", blen / 4, ctot, blen / 4 + ctot);
	PUT(tmp, (size_t)k);
#undef PUT
#undef PUTS
	respond(c, 200, buf, len);
	free(buf);
}

/* Drop the request just answered from c->in, keeping any bytes after it. */
static void consume(conn *c)
{
	size_t used = c->head_len + c->body_len;

	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->head_len = c->body_len = 0;
}

/* A whole request in c->in?  Then start it: answer now or schedule it. */
static int try_request(conn *c)
{
	const char *he, *cl;
	size_t i;

	if (c->waiting || c->in_len == 0)
		return 0;
	if (!c->head_len) {
		if (!(he = memmem(c->in, c->in_len, "\r\n\r\n", 4)))
			return c->in_len > 65536 ? -1 : 0;
		c->head_len = (size_t)(he - c->in) + 4;
		c->body_len = 0;
		for (i = 0; i + 16 < c->head_len; i++) {
			cl = c->in + i;
			if ((cl[0] == '\n') && strncasecmp(cl + 1, "content-length:", 15) == 0) {
				c->body_len = strtoul(cl + 16, NULL, 10);
				break;
			}
		}
		if (c->body_len > MAX_REQ)
			return -1;
	}
	if (c->in_len < c->head_len + c->body_len)
		return 0;
	nreq++;
	if (strncmp(c->in, "GET ", 4) == 0) {
		char b[128];
		int n = snprintf(b, sizeof b, "{\"requests\":%llu,\"max_inflight\":%ld}",
		                 (unsigned long long)(nreq - 1), max_inflight);
		nreq--;
		respond(c, memmem(c->in, c->head_len, "/stats", 6) ? 200 : 404, b, (size_t)n);
		consume(c);
		return flush_out(c);
	}
	{
		double lat = latency_s;
		if (tail_frac > 0 && rand_unit() < tail_frac)
			lat *= tail_mult;
		c->waiting = 1;
		if (++inflight > max_inflight)
			max_inflight = inflight;
		heap_push((timer){ now_s() + lat, c->fd, c->gen });
	}
	return 0;
}

static void fire(timer t)
{
	conn *c = conns[t.fd];

	if (!c || c->gen != t.gen || !c->waiting)
		return;
	answer(c);
	c->waiting = 0;
	inflight--;
	consume(c);
	if (flush_out(c) < 0 || try_request(c) < 0)
		conn_close(c);
}

static void on_read(conn *c)
{
	ssize_t n;

	for (;;) {
		reserve(&c->in, &c->in_cap, c->in_len + 16384);
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
		if (c->in_len > MAX_REQ + 65536) {
			conn_close(c);
			return;
		}
	}
	if (try_request(c) < 0)
		conn_close(c);
}

static void on_accept(int lfd)
{
	static unsigned gen;
	struct epoll_event ev;
	int fd, one = 1;
	conn *c;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (fd >= MAX_CONNS || !(c = calloc(1, sizeof *c))) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->fd = fd;
		c->gen = ++gen;
		conns[fd] = c;
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			conn_close(c);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	int port = 0, lfd, i, n, one = 1;
	struct timespec wait_ts, *wait;
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	struct epoll_event ev, evs[256];
	struct rusage ru;
	double t;

	rng = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "mock_fast: %s wants a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--port")) port = atoi(v);
		else if (!strcmp(a, "--port-file")) port_file = v;
		else if (!strcmp(a, "--latency-ms")) latency_s = atof(v) / 1000;
		else if (!strcmp(a, "--tail-frac")) tail_frac = atof(v);
		else if (!strcmp(a, "--tail-mult")) tail_mult = atof(v);
		else if (!strcmp(a, "--rng-seed")) rng = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--chunked")) chunk_k = atol(v);
		else if (!strcmp(a, "--piece")) piece_n = atol(v);
		else if (!strcmp(a, "--close-every")) close_every = atol(v);
		else {
			fprintf(stderr, "mock_fast: unknown option %s\n", a);
			return 2;
		}
		i++;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 4096) < 0)
		die("bind/listen");
	if (getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
		die("getsockname");
	if (port_file) {
		char tmp[4096];
		FILE *f;
		snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
		if (!(f = fopen(tmp, "w")))
			die(tmp);
		fprintf(f, "%d\n", ntohs(sa.sin_port));
		if (fclose(f) != 0 || rename(tmp, port_file) < 0)
			die(port_file);
	}
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	while (!stop) {
		wait = NULL;
		t = now_s();
		while (nheap && heap[0].at <= t)
			fire(heap_pop());
		if (nheap) {
			double w = heap[0].at - t;
			wait_ts.tv_sec = (time_t)w;
			wait_ts.tv_nsec = (long)((w - (double)wait_ts.tv_sec) * 1e9);
			wait = &wait_ts;
		}
		n = epoll_pwait2(epfd, evs, 256, wait, NULL);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			conn *c = fd == lfd ? NULL : conns[fd];
			if (fd == lfd) {
				on_accept(lfd);
				continue;
			}
			if (!c)
				continue;
			if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				conn_close(c);
				continue;
			}
			if ((evs[i].events & EPOLLOUT) && flush_out(c) < 0) {
				conn_close(c);
				continue;
			}
			if (evs[i].events & EPOLLIN)
				on_read(c);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "mock_fast: %llu requests, max in flight %ld, CPU %.3f s\n",
	        (unsigned long long)nreq, max_inflight,
	        (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	        (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
	return 0;
}
