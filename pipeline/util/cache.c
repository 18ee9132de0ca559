/*
 * cache.c - the response cache: one file per key, written with temp +
 * rename (see cache.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cache.h"
#include "safe_file.h"

struct cf_cache {
	char *dir;
	unsigned long tmp_seq;
};

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(char *path)
{
	char *p;
	struct stat sb;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	if (stat(path, &sb) < 0)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int cf_cache_open(cf_cache **out, const char *dir, cf_error *err)
{
	cf_cache *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c || !(c->dir = strdup(dir))) {
		free(c);
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	}
	if (make_dirs(c->dir) < 0) {
		int rc = cf_error_set(err, CF_EIO, "cache %s: %s", dir, strerror(errno));
		cf_cache_close(&c);
		return rc;
	}
	*out = c;
	return 0;
}

static int entry_path(const cf_cache *c, const char *key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; key[i]; i++)
		if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
			return -1;
	if (i < 8)
		return -1;
	return snprintf(buf, size, "%s/%.2s/%s", c->dir, key, key) < (int)size ? 0 : -1;
}

int cf_cache_get(cf_cache *c, const char *key, char **data, size_t *len)
{
	char path[4096], *buf = NULL;
	struct stat sb;
	ssize_t n;
	size_t got = 0;
	int fd, rc = CF_EIO;

	*data = NULL;
	*len = 0;
	if (entry_path(c, key, path, sizeof path) < 0)
		return CF_EINTERNAL;
	/* never through a symlink, never blocking on a planted FIFO */
	if ((fd = cf_file_open(path, O_RDONLY, 0, NULL)) < 0)
		return errno == ENOENT ? 0 : CF_EIO;
	if (fstat(fd, &sb) < 0 || sb.st_size > (off_t)CF_CACHE_MAX_ENTRY)
		goto done;
	if (!(buf = malloc((size_t)sb.st_size + 1))) {
		rc = CF_ENOMEM;
		goto done;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
	rc = 1;
done:
	free(buf);
	close(fd);
	return rc;
}

int cf_cache_put(cf_cache *c, const char *key, const char *data, size_t len,
                 cf_error *err)
{
	char path[4096], tmp[4200];
	size_t off = 0;
	ssize_t n;
	int fd, rc = 0;

	if (entry_path(c, key, path, sizeof path) < 0)
		return cf_error_set(err, CF_EINTERNAL, "cache: bad key");
	snprintf(tmp, sizeof tmp, "%s/%.2s", c->dir, key);
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return cf_error_set(err, CF_EIO, "cache %s: %s", tmp, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s/%.2s/.tmp.%ld.%lu", c->dir, key, (long)getpid(),
	         c->tmp_seq++);
	if ((fd = cf_file_create(tmp, O_WRONLY, 0600, err)) < 0)
		return fd;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = cf_error_set(err, CF_EIO, "cache %s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && rc == 0)
		rc = cf_error_set(err, CF_EIO, "cache %s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = cf_error_set(err, CF_EIO, "cache %s: %s", path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}

void cf_cache_close(cf_cache **cp)
{
	cf_cache *c = cp ? *cp : NULL;

	if (!c)
		return;
	free(c->dir);
	free(c);
	*cp = NULL;
}
