/*
 * hub-unit.h: what the hub's unit tests that take a database share: the
 * database's URL from HUB_DB_URL (tests/integration/hub-db.sh gives each
 * one an empty PostgreSQL database), or else a temp SQLite file, removed
 * with its -wal and -shm at the end.
 */
#ifndef GATED_HUB_UNIT_H
#define GATED_HUB_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct hub_unit_db {
	char	url[600];
	char	path[64];	/* the SQLite file's, or "" */
};

/* The URL to open: 0, or -1 when no temp file could be made. */
static int __attribute__((unused))
hub_unit_db_url(struct hub_unit_db *u, const char *name)
{
	const char	*env = getenv("HUB_DB_URL");
	int		 fd;

	u->path[0] = '\0';
	if (env != NULL && *env != '\0') {
		snprintf(u->url, sizeof u->url, "%s", env);
		return 0;
	}
	snprintf(u->path, sizeof u->path, "/tmp/%s.XXXXXX", name);
	if ((fd = mkstemp(u->path)) == -1)
		return -1;
	close(fd);
	snprintf(u->url, sizeof u->url, "sqlite:%s", u->path);
	return 0;
}

static void __attribute__((unused))
hub_unit_db_remove(struct hub_unit_db *u)
{
	char	 p[80];

	if (u->path[0] == '\0')
		return;
	unlink(u->path);
	snprintf(p, sizeof p, "%s-wal", u->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", u->path);
	unlink(p);
}

#endif
