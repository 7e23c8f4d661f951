/* store_int.h - what the files of the store share; not for other modules. */
#ifndef RELABEL_STORE_INT_H
#define RELABEL_STORE_INT_H

#include <sqlite3.h>

#include "relabel/store.h"

/* Statements kept prepared because they run once per imported row. */
enum store_stmt {
	STMT_ITEM_ADD,
	STMT_ITEM_FIND,
	STMT_ANNOTATOR_ADD,
	STMT_VOTE_ADD,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	int depth;		/* open store_begin calls */
	sqlite3_stmt *stmt[STMT_COUNT];
};

/* Prepares sql; -1 with e naming the statement's problem. */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
		  struct err *e);
/* A kept statement, reset and with its bindings cleared; do not
 * finalize it. */
int store_cached(struct store *st, enum store_stmt which, const char *sql,
		 sqlite3_stmt **stmt, struct err *e);
/* Fills e with the database's last message, prefixed by what; -1. */
int store_fail(struct store *st, const char *what, struct err *e);
/* Runs one statement without results. */
int store_exec(struct store *st, const char *sql, struct err *e);
/* Begins a write unless one is open; *own is 1 when this call began it. */
int store_write_begin(struct store *st, int *own, struct err *e);
/* Ends what store_write_begin began: commits when rc is 0, else rolls
 * back.  Returns rc (or -1 if the commit failed). */
int store_write_end(struct store *st, int own, int rc, struct err *e);
/* A column as a new string, or NULL for NULL. */
char *store_col_str(sqlite3_stmt *s, int col);
/* Binds text, or NULL when s is NULL. */
int store_bind_str(sqlite3_stmt *s, int col, const char *v);

#endif
