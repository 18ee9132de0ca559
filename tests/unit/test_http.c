/*
 * test_http.c - the HTTP client against a tiny keep-alive server in a
 * thread on loopback: a caller that only ever polls with timeout 0 (as the
 * runner does between reads) still gets its answers, and several requests
 * reuse one connection.
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

#define ANSWER "{\"ok\":true}"

typedef struct server {
	int lfd, port, accepted, served;
	pthread_t th;
} server;

/* Accept connections one after another; answer every request on each. */
static void *serve(void *arg)
{
	server *sv = arg;
	char buf[65536];
	int fd;

	while ((fd = accept(sv->lfd, NULL, NULL)) >= 0) {
		size_t len = 0;
		ssize_t n;
		sv->accepted++;
		for (;;) {
			char *he, *cl;
			size_t need;
			n = read(fd, buf + len, sizeof buf - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = '\0';
			while ((he = strstr(buf, "\r\n\r\n"))) {
				cl = strstr(buf, "Content-Length:");
				need = (size_t)(he + 4 - buf) + (cl && cl < he ? strtoul(cl + 15, NULL, 10) : 0);
				if (len < need)
					break;
				dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				        "Content-Length: %zu\r\n\r\n%s", strlen(ANSWER), ANSWER);
				sv->served++;
				memmove(buf, buf + need, len - need);
				len -= need;
				buf[len] = '\0';
			}
		}
		close(fd);
	}
	return NULL;
}

static void server_start(server *sv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;

	memset(sv, 0, sizeof *sv);
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd >= 0);
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

typedef struct got { int n, ok; } got;

static void on_done(void *ctx, const cf_http_result *r)
{
	got *g = ctx;

	g->n++;
	if (r->outcome == CF_HTTP_OK && r->status == 200 && r->body_len == strlen(ANSWER) &&
	    memcmp(r->body, ANSWER, r->body_len) == 0)
		g->ok++;
}

/* Poll only with timeout 0, sleeping 1 ms between polls (a caller busy
 * with other work), until `want` requests are delivered or 5 s passed. */
static void poll_zero(cf_http *h, got *g, int want)
{
	struct timespec ms = { 0, 1000000 };
	cf_error err = { 0 };
	int i;

	for (i = 0; i < 5000 && g->n < want; i++) {
		assert_true(cf_http_poll(h, 0, on_done, g, &err) >= 0);
		nanosleep(&ms, NULL);
	}
}

static void test_poll_zero_reads_answers(void **st)
{
	server sv;
	cf_http *h = NULL;
	cf_http_opts o;
	cf_http_request rq;
	cf_error err = { 0 };
	char url[64];
	got g = { 0, 0 };
	int i;

	(void)st;
	server_start(&sv);
	memset(&o, 0, sizeof o);
	o.concurrency = 1;
	o.max_retries = 0;
	o.timeout_s = 30;
	assert_int_equal(cf_http_new(&h, &o, &err), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", sv.port);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.body = "{\"x\":1}";
	rq.body_len = 7;
	/* one at a time: each must finish before the next starts */
	for (i = 1; i <= 3; i++) {
		assert_int_equal(cf_http_submit(h, &rq, &err), 0);
		poll_zero(h, &g, i);
		assert_int_equal(g.n, i);
	}
	assert_int_equal(g.ok, 3);
	assert_int_equal(cf_http_pending(h), 0);
	cf_http_free(&h);
	server_stop(&sv);
	assert_int_equal(sv.accepted, 1);     /* keep-alive: one connection */
	assert_int_equal(sv.served, 3);
}

#define KEY "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd"

static void test_scrub_pieces(void **st)
{
	cf_http *h = NULL;
	cf_http_opts o;
	cf_error err = { 0 };
	char s[512];

	(void)st;
	memset(&o, 0, sizeof o);
	o.api_key = KEY;
	o.quiet = 1;
	assert_int_equal(cf_http_new(&h, &o, &err), 0);
	/* the whole key, twice, in a header echo */
	snprintf(s, sizeof s, "Authorization: Bearer %s, again %s.", KEY, KEY);
	cf_http_scrub(h, s);
	assert_string_equal(s, "Authorization: Bearer ***, again ***.");
	/* a message cut inside the key: its first 43 characters */
	snprintf(s, sizeof s, "Incorrect API key provided: %.43s", KEY);
	cf_http_scrub(h, s);
	assert_string_equal(s, "Incorrect API key provided: ***");
	/* a piece of 8 from the middle goes; 7 bytes of it stay */
	snprintf(s, sizeof s, "a %.8s b %.7s c", KEY + 20, KEY + 30);
	cf_http_scrub(h, s);
	assert_string_equal(s, "a *** b WXYZ012 c");
	/* not NUL-ended: the length shrinks, the bytes after stay */
	memcpy(s, "xx" KEY "yy|tail", strlen(KEY) + 9);
	assert_int_equal(cf_http_scrub_n(h, s, strlen(KEY) + 4), 7);
	assert_memory_equal(s, "xx***yy", 7);
	cf_http_free(&h);
	/* CR/LF in a key would inject a header: refused */
	o.api_key = "abc\r\nX-Evil: 1";
	assert_int_equal(cf_http_new(&h, &o, &err), CF_ECONFIG);
	assert_null(h);
}

static void test_urls(void **st)
{
	char b[256];

	(void)st;
	cf_http_redact_url("https://user:pw@api.example.com:8443/v1/chat/completions?"
	                   "api-version=2024&sig=SECRET#frag", b, sizeof b);
	assert_string_equal(b, "https://api.example.com:8443/v1/chat/completions?"
	                    "api-version=***&sig=***");
	cf_http_redact_url("http://127.0.0.1:8000/v1", b, sizeof b);
	assert_string_equal(b, "http://127.0.0.1:8000/v1");
	cf_http_redact_url("http://h/p?flag&k=v", b, sizeof b);
	assert_string_equal(b, "http://h/p?flag&k=***");
	assert_null(cf_http_check_url("http://127.0.0.1:8000/v1"));
	assert_null(cf_http_check_url("https://api.openai.com/v1?x=1"));
	assert_non_null(cf_http_check_url("htp:/oops"));
	assert_non_null(cf_http_check_url("file:///etc/passwd"));
	assert_non_null(cf_http_check_url("http:///v1"));
	assert_non_null(cf_http_check_url("http://user@/v1"));
	assert_non_null(cf_http_check_url("http://127.0.0.1:/v1"));
	assert_null(cf_http_check_url("http://[::1]:8000/v1"));
	assert_non_null(cf_http_check_url("http://h/v1 x"));
	assert_non_null(cf_http_check_url(""));
}

typedef struct res1 { int n, outcome; long status; size_t len; } res1;

static void on_one(void *ctx, const cf_http_result *r)
{
	res1 *g = ctx;

	g->n++;
	g->outcome = r->outcome;
	g->status = r->status;
	g->len = r->body_len;
}

/* The client fetches http(s) only: a file:// URL (a judge's url is not
 * checked at load) fails without reading the file. */
static void test_file_url_refused(void **st)
{
	cf_http *h = NULL;
	cf_http_opts o;
	cf_http_request rq;
	cf_error err = { 0 };
	res1 g = { 0, -1, 0, 0 };
	int i;

	(void)st;
	memset(&o, 0, sizeof o);
	o.max_retries = 0;
	o.quiet = 1;
	assert_int_equal(cf_http_new(&h, &o, &err), 0);
	memset(&rq, 0, sizeof rq);
	rq.url = "file:///etc/passwd";
	rq.body = "{}";
	rq.body_len = 2;
	assert_int_equal(cf_http_submit(h, &rq, &err), 0);
	for (i = 0; i < 100 && !g.n; i++)
		assert_true(cf_http_poll(h, 50, on_one, &g, &err) >= 0);
	assert_int_equal(g.n, 1);
	assert_int_not_equal(g.outcome, CF_HTTP_OK);
	assert_int_equal(g.len, 0);
	cf_http_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_zero_reads_answers),
		cmocka_unit_test(test_scrub_pieces),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_file_url_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
