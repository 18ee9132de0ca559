/*
 * test_safe_file.c - files cfaug creates never follow a symlink nor block
 * on a FIFO (safe_file.c, and the cache's use of it); texts are cut on
 * UTF-8 boundaries (utf8_cut.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "cache.h"
#include "safe_file.h"
#include "utf8_cut.h"

static char dir[64];

static int setup(void **st)
{
	(void)st;
	strcpy(dir, "/tmp/cfaug-safe-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path(char *buf, const char *name)
{
	snprintf(buf, 256, "%s/%s", dir, name);
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void read_file(const char *p, char *buf, size_t n)
{
	FILE *f = fopen(p, "r");
	size_t k;
	assert_non_null(f);
	k = fread(buf, 1, n - 1, f);
	buf[k] = '\0';
	fclose(f);
}

static void test_create_refuses_symlink(void **st)
{
	char victim[256], link_[256], got[64];
	cf_error err = { 0 };

	(void)st;
	path(victim, "victim");
	path(link_, "x.part");
	write_file(victim, "precious");
	assert_int_equal(symlink(victim, link_), 0);
	assert_int_equal(cf_file_create(link_, O_WRONLY, 0600, &err), CF_EIO);
	assert_non_null(strstr(err.msg, "is a symbolic link, not a regular file"));
	assert_non_null(strstr(err.msg, link_));
	read_file(victim, got, sizeof got);
	assert_string_equal(got, "precious");
	/* open (not create) through it: refused as well */
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_file_open(link_, O_WRONLY | O_CREAT, 0600, &err), CF_EIO);
	assert_non_null(strstr(err.msg, "symbolic link"));
}

static void test_fifo_does_not_block(void **st)
{
	char fifo[256];
	cf_error err = { 0 };

	(void)st;
	path(fifo, "f.part");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(cf_file_open(fifo, O_RDONLY, 0, &err), CF_EIO);   /* no hang */
	assert_non_null(strstr(err.msg, "is a FIFO"));
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_file_open(fifo, O_WRONLY, 0, &err), CF_EIO);   /* ENXIO */
	assert_non_null(strstr(err.msg, "is a FIFO"));
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_file_create(fifo, O_WRONLY, 0600, &err), CF_EIO);
	assert_non_null(strstr(err.msg, "is a FIFO"));
}

static void test_create_replaces_stale_regular(void **st)
{
	char p[256];
	cf_error err = { 0 };
	struct stat sb;
	int fd;

	(void)st;
	path(p, "stale.part");
	write_file(p, "old run");
	fd = cf_file_create(p, O_WRONLY, 0600, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	errno = 0;
	assert_int_equal(cf_file_open("/nonexistent/x", O_RDONLY, 0, NULL), CF_EIO);
	assert_int_equal(errno, ENOENT);
}

/* A FIFO planted as a cache entry used to hang the run (open blocked
 * waiting for a writer, past SIGTERM): now it is a read failure. */
static void test_cache_fifo_and_symlink(void **st)
{
	const char *key = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
	char cdir[256], sub[300], entry[400], tmp[400], victim[256], got[64], *data;
	cf_cache *c = NULL;
	cf_error err = { 0 };
	size_t len;

	(void)st;
	path(cdir, "cache");
	assert_int_equal(cf_cache_open(&c, cdir, &err), 0);
	snprintf(sub, sizeof sub, "%s/ab", cdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(entry, sizeof entry, "%s/%s", sub, key);
	assert_int_equal(mkfifo(entry, 0600), 0);
	assert_int_equal(cf_cache_get(c, key, &data, &len), CF_EIO);
	/* a symlinked entry is not read through either */
	unlink(entry);
	path(victim, "secret");
	write_file(victim, "secret");
	assert_int_equal(symlink(victim, entry), 0);
	assert_int_equal(cf_cache_get(c, key, &data, &len), CF_EIO);
	/* a symlink planted at the next temporary name: refused, target kept */
	snprintf(tmp, sizeof tmp, "%s/.tmp.%ld.0", sub, (long)getpid());
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(cf_cache_put(c, key, "{}", 2, &err), CF_EIO);
	assert_non_null(strstr(err.msg, "symbolic link"));
	read_file(victim, got, sizeof got);
	assert_string_equal(got, "secret");
	/* the next put (another temporary name) replaces the symlinked entry */
	memset(&err, 0, sizeof err);
	assert_int_equal(cf_cache_put(c, key, "{}", 2, &err), 0);
	assert_int_equal(cf_cache_get(c, key, &data, &len), 1);
	assert_string_equal(data, "{}");
	free(data);
	read_file(victim, got, sizeof got);
	assert_string_equal(got, "secret");
	cf_cache_close(&c);
}

static void test_utf8_cut(void **st)
{
	const char *s = "ab\xC3\xA9" "cd\xE2\x82\xAC" "e\xF0\x9F\x98\x80";  /* é € 😀 */
	char buf[32], *v;

	(void)st;
	assert_int_equal(cf_utf8_cut(s, strlen(s), 3), 2);    /* not inside é */
	assert_int_equal(cf_utf8_cut(s, strlen(s), 4), 4);
	assert_int_equal(cf_utf8_cut(s, strlen(s), 7), 6);    /* not inside € */
	assert_int_equal(cf_utf8_cut(s, strlen(s), 8), 6);
	assert_int_equal(cf_utf8_cut(s, strlen(s), 12), 10);  /* not inside 😀 */
	assert_int_equal(cf_utf8_cut(s, strlen(s), 100), strlen(s));
	snprintf(buf, sizeof buf, "%.12s", s);
	cf_utf8_trim(buf);
	assert_string_equal(buf, "ab\xC3\xA9" "cd\xE2\x82\xAC" "e");
	snprintf(buf, sizeof buf, "%.10s", s);
	cf_utf8_trim(buf);
	assert_int_equal(strlen(buf), 10);
	v = cf_utf8_valid_dup("a\xFF" "b\xE2\x82", 5);
	assert_string_equal(v, "a\xEF\xBF\xBD" "b");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_replaces_stale_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_fifo_and_symlink, setup, teardown),
		cmocka_unit_test(test_utf8_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
