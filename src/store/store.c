/* store.c - opening the project file, schema and migrations, transactions
 * and the small tables (settings, classes, caches). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/mem.h"
#include "store_int.h"

/* store_migrate's answer for an older project opened read-only. */
#define STORE_NEEDS_UPGRADE (-2)

/* "RLBL": marks a SQLite file as a relabel project. */
#define STORE_APP_ID 0x524c424c

/* Schema version N is reached by running migrations[N-1] on version N-1.
 * A migration is only ever appended, never edited. */
static const char *const migrations[] = {
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE classes(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE items("
	" id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE,"
	" kind INTEGER NOT NULL, path TEXT, text TEXT,"
	" given INTEGER REFERENCES classes(id),"
	" label INTEGER REFERENCES classes(id),"
	" split INTEGER NOT NULL DEFAULT 0,"
	" meta TEXT,"
	" reviewed INTEGER NOT NULL DEFAULT 0,"
	" last_review INTEGER REFERENCES reviews(id));"
	"CREATE TABLE annotators(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE annotations("
	" id INTEGER PRIMARY KEY,"
	" item INTEGER NOT NULL REFERENCES items(id),"
	" annotator INTEGER NOT NULL REFERENCES annotators(id),"
	" label INTEGER NOT NULL REFERENCES classes(id));"
	"CREATE INDEX annotations_item ON annotations(item);"
	"CREATE TABLE reviews("
	" id INTEGER PRIMARY KEY,"
	" item INTEGER NOT NULL REFERENCES items(id),"
	" reviewer TEXT NOT NULL, action INTEGER NOT NULL,"
	" old_label INTEGER, new_label INTEGER, reviewed_after INTEGER NOT NULL,"
	" at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	" queue TEXT, score REAL, target INTEGER REFERENCES reviews(id));"
	"CREATE INDEX reviews_item ON reviews(item);"
	"CREATE TRIGGER reviews_append_only_u BEFORE UPDATE ON reviews"
	" BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;"
	"CREATE TRIGGER reviews_append_only_d BEFORE DELETE ON reviews"
	" BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;"
	"CREATE TABLE runs("
	" id INTEGER PRIMARY KEY,"
	" started TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
	" method TEXT NOT NULL, params TEXT NOT NULL, metrics TEXT,"
	" seconds REAL, nclass INTEGER NOT NULL,"
	" noise_rate REAL, noise BLOB);"
	"CREATE TABLE scores("
	" run INTEGER NOT NULL REFERENCES runs(id),"
	" item INTEGER NOT NULL REFERENCES items(id),"
	" probs BLOB NOT NULL, oos INTEGER NOT NULL,"
	" suspicion REAL, issue INTEGER, suggested INTEGER,"
	" PRIMARY KEY(run, item)) WITHOUT ROWID;"
	"CREATE INDEX scores_suspicion ON scores(run, suspicion);"
	"CREATE TABLE models(run INTEGER PRIMARY KEY REFERENCES runs(id),"
	" blob BLOB NOT NULL);"
	"CREATE TABLE caches(key TEXT PRIMARY KEY, blob BLOB NOT NULL);",
	/* 2: leases on the items on reviewers' screens. */
	"CREATE TABLE leases(item INTEGER PRIMARY KEY REFERENCES items(id),"
	" reviewer TEXT NOT NULL, expires REAL NOT NULL);",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* What to do about the errors a user can fix. */
static const char *store_hint(struct store *st)
{
	switch (sqlite3_errcode(st->db) & 0xff) {
	case SQLITE_FULL:
		return "; free some disk space and try again";
	case SQLITE_BUSY:
		return "; another relabel is writing to the project, try again "
		       "when it is done";
	}
	return "";
}

int store_fail(struct store *st, const char *what, struct err *e)
{
	return err_set(e, "%s: %s: %s%s", st->path, what,
		       sqlite3_errmsg(st->db), store_hint(st));
}

int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		  struct err *e)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_fail(st, "cannot prepare a query", e);
	return 0;
}

int store_cached(struct store *st, enum store_stmt which, const char *sql,
		 sqlite3_stmt **stmt, struct err *e)
{
	if (!st->stmt[which] &&
	    sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &st->stmt[which], NULL) != SQLITE_OK)
		return store_fail(st, "cannot prepare a query", e);
	sqlite3_reset(st->stmt[which]);
	sqlite3_clear_bindings(st->stmt[which]);
	*stmt = st->stmt[which];
	return 0;
}

int store_exec(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, "%s: %s%s", st->path, msg ? msg : "query failed",
			store_hint(st));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

char *store_col_str(sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	return v ? xstrdup((const char *)v) : NULL;
}

int store_bind_str(sqlite3_stmt *s, int col, const char *v)
{
	if (!v)
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_text(s, col, v, -1, SQLITE_TRANSIENT);
}

/* Makes the file with mode 0600 before SQLite sees it: the project may hold
 * medical or moderation data. */
static int store_create_file(const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0 && errno != EEXIST)
		return err_set(e, "%s: cannot create the project file: %s", path,
			       strerror(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Zero bytes, and no write-ahead log that could hold the project. */
static int store_file_empty(const char *path, const struct stat *sb)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat ws;
	int empty = sb->st_size == 0 && (stat(wal, &ws) != 0 || ws.st_size == 0);

	free(wal);
	return empty;
}

static int store_empty(const char *path, struct err *e)
{
	return err_set(e, "%s: empty, not a relabel project yet; relabel import "
		       "creates the project in it", path);
}

static int store_pragma_int(struct store *st, const char *sql, int *v,
			    struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, sql, &s, e))
		return -1;
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read the file", e);
	return 0;
}

/* Brings the schema to STORE_SCHEMA_VERSION under an exclusive lock, so
 * two processes never migrate the same file at once. */
static int store_migrate(struct store *st, int flags, struct err *e)
{
	int readonly = flags & STORE_READONLY;
	int version, app, tables;

	if (store_exec(st, readonly ? "BEGIN" : "BEGIN EXCLUSIVE", e))
		return -1;
	if (store_pragma_int(st, "PRAGMA user_version", &version, e) ||
	    store_pragma_int(st, "PRAGMA application_id", &app, e) ||
	    store_pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables, e))
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		err_set(e, "%s: written by a newer relabel (project version %d, "
			"this relabel reads up to %d); use a newer relabel",
			st->path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (app != STORE_APP_ID && (tables > 0 || app != 0)) {
		err_set(e, "%s: an SQLite file but not a relabel project; give a "
			"new file name to create a project", st->path);
		goto fail;
	}

	/* An empty file becomes a project only through import. */
	if (version == 0 && app == 0 && !(flags & STORE_CREATE)) {
		store_empty(st->path, e);
		goto fail;
	}
	if (version < STORE_SCHEMA_VERSION && readonly) {
		err_set(e, "%s: the project needs upgrading and is opened read-only; "
			"open it once with write access", st->path);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return STORE_NEEDS_UPGRADE;
	}
	for (; version < STORE_SCHEMA_VERSION; version++) {
		char sql[64];

		if (store_exec(st, migrations[version], e))
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version=%d", version + 1);
		if (store_exec(st, sql, e))
			goto fail;
	}
	if (app != STORE_APP_ID && !readonly &&
	    store_exec(st, "PRAGMA application_id=1380729420", e))
		goto fail;
	return store_exec(st, "COMMIT", e);
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int store_configure(struct store *st, int flags, struct err *e)
{
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	if (store_exec(st, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536", e))
		return -1;
	if (flags & STORE_READONLY)
		return 0;

	/* A bulk file is private until renamed, so a crash loses only it;
	 * its rows refer only to classes the same import wrote, so foreign
	 * keys are not looked up row by row. */
	if (flags & STORE_BULK)
		return store_exec(st, "PRAGMA journal_mode=OFF;"
				  "PRAGMA synchronous=OFF;"
				  "PRAGMA foreign_keys=OFF", e);
	return store_exec(st, "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=NORMAL", e);
}

static int fsync_path(const char *path, int dir, struct err *e)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY);

	if (fd < 0 || fsync(fd) != 0) {
		err_set(e, "%s: cannot sync to disk: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int store_publish(const char *bulk_path, const char *path, struct err *e)
{
	struct store *st;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash)
		slash[slash == dir] = '\0';
	int rc = fsync_path(bulk_path, 0, e);

	if (rc == 0 && rename(bulk_path, path) != 0)
		rc = err_set(e, "%s: cannot create the project: %s", path,
			     strerror(errno));
	if (rc == 0)
		rc = fsync_path(slash ? dir : ".", 1, e);
	free(dir);
	if (rc == 0 && (rc = store_open(path, 0, &st, e)) == 0)
		store_close(st);
	return rc;
}

static int store_open_once(const char *path, int flags, struct store **out,
			   struct err *e)
{
	int readonly = flags & STORE_READONLY;
	int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	struct store *st;
	struct stat sb;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (lstat(path, &sb) == 0)
			return err_set(e, "%s: a symbolic link to a missing file; "
				       "point it at a project or remove it", path);
		if (!(flags & STORE_CREATE))
			return err_set(e, "%s: no such project file; create it with "
				       "relabel import", path);
		if (store_create_file(path, e))
			return -1;
	} else if (!S_ISREG(sb.st_mode)) {
		return err_set(e, "%s: not a regular file%s", path,
			       S_ISDIR(sb.st_mode) ? " but a directory; give the "
			       "project's file inside it" : "");
	} else if (store_file_empty(path, &sb) && !(flags & STORE_CREATE)) {
		return store_empty(path, e);
	}
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		store_fail(st, "cannot open", e);
		store_close(st);
		return -1;
	}
	if (!readonly && sqlite3_db_readonly(st->db, "main") == 1) {
		err_set(e, "%s: the project file is read-only (check its "
			"permissions); info, rank, audit and export can still read it",
			path);
		store_close(st);
		return -1;
	}
	int rc = store_configure(st, flags, e);

	if (rc == 0)
		rc = store_migrate(st, flags, e);
	if (rc) {
		if (strstr(e->msg, "file is not a database"))
			err_set(e, "%s: not a relabel project (not an SQLite "
				"database)", path);
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* SQLite's memory statistics take a global mutex on every allocation,
 * a few per row of a bulk import; relabel never reads them.  This must
 * run before SQLite initializes, hence once, from the first open. */
static void store_sqlite_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, struct store **out,
	       struct err *e)
{
	static pthread_once_t config = PTHREAD_ONCE_INIT;
	struct store *rw;
	int rc;

	pthread_once(&config, store_sqlite_config);
	rc = store_open_once(path, flags, out, e);

	/* A project from an older relabel is upgraded even by a reader,
	 * when the file may be written. */
	if (rc != STORE_NEEDS_UPGRADE)
		return rc ? -1 : 0;
	if (access(path, W_OK) != 0 ||
	    store_open_once(path, flags & ~STORE_READONLY, &rw, e) != 0)
		return -1;
	store_close(rw);
	return store_open_once(path, flags, out, e) ? -1 : 0;
}

int store_set_cache(struct store *st, int kib, struct err *e)
{
	char sql[48];

	snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", kib > 0 ? -kib : -1);
	return store_exec(st, sql, e);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

int store_begin(struct store *st, struct err *e)
{
	if (st->depth++ > 0)
		return 0;
	if (store_exec(st, "BEGIN IMMEDIATE", e)) {
		st->depth = 0;
		return -1;
	}
	return 0;
}

int store_commit(struct store *st, struct err *e)
{
	if (st->depth == 0 || --st->depth > 0)
		return 0;
	if (store_exec(st, "COMMIT", e)) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->depth == 0)
		return;
	st->depth = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_write_begin(struct store *st, int *own, struct err *e)
{
	*own = st->depth == 0;
	return *own ? store_begin(st, e) : 0;
}

int store_write_end(struct store *st, int own, int rc, struct err *e)
{
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, e);
}

int store_meta_get(struct store *st, const char *key, char **value,
		   struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*value = NULL;
	if (store_prepare(st, "SELECT value FROM meta WHERE key=?", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = store_col_str(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read settings", e);
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_meta_set(struct store *st, const char *key, const char *value,
		   struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "INSERT INTO meta(key, value) VALUES(?, ?) "
			  "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
			  &s, e))
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot save a setting", e);
}

int store_classes(struct store *st, struct class_list *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	out->n = 0;
	out->name = NULL;
	if (store_prepare(st, "SELECT name FROM classes ORDER BY id", &s, e))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->name = xreallocarray(out->name, (size_t)out->n + 1,
					  sizeof *out->name);
		out->name[out->n++] = store_col_str(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		class_list_free(out);
		return store_fail(st, "cannot read classes", e);
	}
	return 0;
}

void class_list_free(struct class_list *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->name);
	c->name = NULL;
	c->n = 0;
}

int class_list_find(const struct class_list *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return i;
	return -1;
}

int store_class_add(struct store *st, const char *name, struct err *e)
{
	sqlite3_stmt *s;
	int n, rc;

	if (store_pragma_int(st, "SELECT count(*) FROM classes", &n, e))
		return -1;
	if (n >= STORE_MAX_CLASSES)
		return err_set(e, "%s: more than %d classes", st->path,
			       STORE_MAX_CLASSES);
	if (store_prepare(st, "INSERT INTO classes(id, name) VALUES(?, ?)", &s, e))
		return -1;
	sqlite3_bind_int(s, 1, n);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot add a class", e);
	return n;
}

int store_cache_get(struct store *st, const char *key, unsigned char **blob,
		    size_t *len, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*blob = NULL;
	*len = 0;
	if (store_prepare(st, "SELECT blob FROM caches WHERE key=?", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(s, 0);
		*blob = xmalloc(*len);
		memcpy(*blob, sqlite3_column_blob(s, 0), *len);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read a cache", e);
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_cache_put(struct store *st, const char *key,
		    const unsigned char *blob, size_t len, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "INSERT OR REPLACE INTO caches(key, blob) "
			  "VALUES(?, ?)", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 2, blob, len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot save a cache", e);
}

const char *item_split_name(enum item_split s)
{
	switch (s) {
	case SPLIT_TRAIN: return "train";
	case SPLIT_TEST: return "test";
	case SPLIT_HOLDOUT: return "holdout";
	}
	return "?";
}

int item_split_parse(const char *s)
{
	if (!*s || !strcmp(s, "train"))
		return SPLIT_TRAIN;
	if (!strcmp(s, "test"))
		return SPLIT_TEST;
	if (!strcmp(s, "holdout"))
		return SPLIT_HOLDOUT;
	return -1;
}

const char *review_action_name(enum review_action a)
{
	static const char *const names[] = {
		"relabel", "confirm", "skip", "undo", "redo"
	};

	return (unsigned)a < 5 ? names[a] : "?";
}
