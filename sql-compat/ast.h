/*
 * ast: hcdb's own syntax tree, what sql-compat makes of libpg_query's
 * protobuf tree. Nothing past sql-compat sees protobuf types; engine/ binds
 * and plans from this. Nodes live in the statement's arena. `loc` is the
 * byte offset into the query text (-1 = none), turned into PostgreSQL's
 * 1-based character position only when an error is reported.
 */
#ifndef HCDB_SQL_COMPAT_AST_H
#define HCDB_SQL_COMPAT_AST_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ast_kind {
    AST_CONST_INT,    /* ival: an integer literal that fits int4 */
    AST_CONST_NUM,    /* str: any other numeric literal ("3000000000", "2.5", "1e3") */
    AST_CONST_STR,    /* str: a string literal, type unknown */
    AST_CONST_BOOL,   /* ival */
    AST_CONST_NULL,
    AST_PARAM,        /* ival: $n */
    AST_COLREF,       /* str: column name, or "*" */
    AST_OP,           /* name, args[0..nargs): 1 prefix, 2 infix */
    AST_AND,          /* args */
    AST_OR,
    AST_NOT,
    AST_IS_NULL,      /* args[0]; negate = IS NOT NULL */
    AST_BOOLTEST,     /* args[0]; ival = 0 TRUE, 1 FALSE, 2 UNKNOWN; negate */
    AST_DISTINCT,     /* args[0..2); negate = IS NOT DISTINCT FROM */
    AST_NULLIF,       /* args[0..2) */
    AST_IN,           /* args[0] IN (args[1..]); negate = NOT IN */
    AST_CASE,         /* args: [arg or NULL, when1, then1, ..., else or NULL] */
    AST_COALESCE,
    AST_GREATEST,
    AST_LEAST,
    AST_FUNC,         /* name, args; star = f(*) */
    AST_CAST,         /* args[0]; type */
    AST_SQLVALUE,     /* ival: ast_sqlvalue */
    AST_DEFAULT,      /* DEFAULT in INSERT ... VALUES */
    AST_SUBLINK,      /* sub; ival: ast_sublink_kind; ANY/ALL: args[0] test expression, name operator */
    AST_ARRAY,        /* ARRAY[args] */
    AST_SCALARARRAY,  /* args[0] name ANY/ALL (args[1]); ival: SUBLINK_ANY or SUBLINK_ALL */
    AST_SUBSCRIPT,    /* args[0][args[1]] */
} ast_kind;

typedef enum ast_sublink_kind { SUBLINK_EXISTS, SUBLINK_ANY, SUBLINK_ALL, SUBLINK_EXPR, SUBLINK_ARRAY } ast_sublink_kind;

typedef enum ast_sqlvalue {
    SQLV_CURRENT_DATE, SQLV_CURRENT_TIMESTAMP, SQLV_LOCALTIMESTAMP, SQLV_CURRENT_USER,
    SQLV_SESSION_USER, SQLV_USER, SQLV_CURRENT_ROLE, SQLV_CURRENT_CATALOG, SQLV_CURRENT_SCHEMA,
} ast_sqlvalue;

typedef struct ast_type {
    const char *name;   /* last component: "int4", "varchar" */
    int32_t *mods;      /* typmod arguments (integer constants) */
    int nmods;
    bool is_array;
    int loc;
} ast_type;

typedef struct ast_expr ast_expr;
struct ast_expr {
    ast_kind kind;
    int loc;
    const char *name;   /* operator or function name */
    const char *str;
    int64_t ival;
    bool negate;
    bool star;
    ast_type type;      /* AST_CAST */
    int nargs;
    ast_expr **args;
    struct ast_select *sub; /* AST_SUBLINK */
    bool distinct;      /* AST_FUNC: agg(DISTINCT x) */
    struct ast_sortby *agg_order; /* AST_FUNC: agg(x ORDER BY ...) */
    ast_expr *agg_filter;         /* AST_FUNC: agg(...) FILTER (WHERE ...) */
    int nagg_order;
};

typedef struct ast_target {
    ast_expr *expr;
    const char *name;   /* AS alias or FigureColname's choice */
} ast_target;

/* A list of names (columns, tables). */
typedef struct ast_names {
    int n;
    const char **v;
    int *locs;          /* where each name is in the text (-1 unknown), or NULL */
} ast_names;

typedef enum ast_from_kind { FROM_TABLE, FROM_FUNCTION, FROM_SUBQUERY, FROM_JOIN } ast_from_kind;
typedef enum ast_join_type { JOIN_INNER, JOIN_LEFT, JOIN_FULL, JOIN_RIGHT } ast_join_type;

typedef struct ast_fromitem ast_fromitem;
struct ast_fromitem {
    ast_from_kind kind;
    bool is_function;   /* FROM f(...) (kind FROM_FUNCTION) */
    const char *relname;
    const char *schema; /* as written, or NULL */
    int loc;
    ast_expr *func;
    const char *alias;
    ast_names colaliases; /* AS t(a, b) */
    bool ordinality;    /* FROM f(...) WITH ORDINALITY */
    bool lateral;       /* LATERAL (subquery): sees the FROM items before it */
    struct ast_select *sub; /* FROM_SUBQUERY */
    /* FROM_JOIN */
    ast_join_type jointype;
    bool natural, cross;
    ast_fromitem *larg, *rarg;
    ast_expr *quals;    /* ON, or NULL */
    ast_names using_cols;
};

typedef struct ast_sortby {
    ast_expr *expr;
    bool desc;
    int nulls_first;    /* -1 default, 0 NULLS LAST, 1 NULLS FIRST */
} ast_sortby;

typedef enum ast_setop { SETOP_NONE, SETOP_UNION, SETOP_INTERSECT, SETOP_EXCEPT } ast_setop;

typedef struct ast_cte {
    const char *name;
    ast_names colnames;
    struct ast_select *query;
    int loc;
    bool recursive;     /* WITH RECURSIVE: may read itself */
} ast_cte;

typedef struct ast_select ast_select;
struct ast_select {
    int ntargets;
    ast_target *targets;
    int nfrom;
    ast_fromitem *from;
    ast_expr *where;
    ast_expr *limit;    /* NULL = none */
    ast_expr *offset;
    int ngroup;
    ast_expr **group;
    int nsort;
    ast_sortby *sort;
    ast_expr *having;
    bool distinct;      /* SELECT DISTINCT */
    int ndistinct_on;   /* DISTINCT ON (...) */
    ast_expr **distinct_on;
    ast_setop setop;    /* larg op rarg; targets/from unused */
    bool setop_all;
    ast_select *larg, *rarg;
    int nvalues;        /* VALUES rows (each nvalcols long) */
    int nvalcols;
    ast_expr ***values;
    int nctes;          /* WITH */
    ast_cte *ctes;
};

typedef struct ast_insert {
    const char *relname;
    int loc;
    ast_names cols;     /* empty = all columns in order */
    int nrows;          /* VALUES rows; 0 with select set, or DEFAULT VALUES */
    int *rowlen;
    ast_expr ***rows;
    ast_select *select; /* INSERT ... SELECT */
    bool overriding_system; /* OVERRIDING SYSTEM VALUE */
    int nreturning;
    ast_target *returning;
    int on_conflict;    /* 0 none, 1 DO NOTHING, 2 DO UPDATE */
    ast_names conflict_cols;        /* ON CONFLICT (cols) */
    const char *conflict_constraint; /* ON CONFLICT ON CONSTRAINT name */
    int conflict_loc;
    struct ast_update *conflict_set; /* DO UPDATE SET ... WHERE (relname unused) */
} ast_insert;

typedef struct ast_update {
    const char *relname;
    const char *alias;
    int loc;
    int nset;
    const char **set_cols;
    int *set_locs;
    ast_expr **set_exprs;
    ast_expr *where;
    int nreturning;
    ast_target *returning;
    struct ast_select *from; /* UPDATE ... FROM / DELETE ... USING: those FROM items (no targets), or NULL */
} ast_update;

typedef struct ast_coldef {
    const char *name;
    ast_type type;
    bool notnull, primary, unique;
    ast_expr *def;      /* DEFAULT expression or NULL */
    const char *def_text; /* its source text */
    char identity;      /* GENERATED 'a' ALWAYS / 'd' BY DEFAULT AS IDENTITY, or 0 */
    struct ast_seq *idopts; /* the identity's sequence options, or NULL */
    int ncons;          /* the column's CHECK and REFERENCES constraints (cols: the column) */
    struct ast_constraint *cons;
} ast_coldef;

typedef struct ast_constraint {
    bool primary;       /* else UNIQUE (kind 'p' / 'u') */
    char kind;          /* 'p', 'u', 'c' CHECK, 'f' FOREIGN KEY */
    const char *name;   /* CONSTRAINT name or NULL */
    ast_names cols;     /* key columns; FOREIGN KEY: the referencing ones */
    const char *check;  /* CHECK: the expression's source text ... */
    int check_pos;      /* ... and the characters of the query before it (for error positions) */
    const char *reftable; /* FOREIGN KEY: REFERENCES reftable (refcols), empty = its primary key */
    ast_names refcols;
    char on_delete, on_update; /* 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT */
    bool not_valid;     /* NOT VALID: existing rows are not checked */
} ast_constraint;

typedef struct ast_create_table {
    const char *relname;
    bool if_not_exists;
    int ncols;
    ast_coldef *cols;
    int ncons;
    ast_constraint *cons;
    struct ast_select *as_query; /* CREATE TABLE ... AS query: columns from its targets */
    ast_names as_cols;  /* CREATE TABLE t (a, b) AS ...: names for the first targets */
    bool with_no_data;  /* ... WITH NO DATA: the columns only */
    bool temp;          /* CREATE TEMP TABLE: the session's own (engine/temp.h) */
    bool on_commit_drop; /* ... ON COMMIT DROP */
    bool on_commit_delete; /* ... ON COMMIT DELETE ROWS */
} ast_create_table;

typedef struct ast_index {
    const char *idxname; /* NULL = chosen */
    const char *relname;
    bool unique, if_not_exists;
    ast_names cols;
    const char *method;        /* USING name; NULL for btree/hash (key indexes) */
    const char **opclass;      /* per column: the operator class named, or NULL */
    ast_names optnames;        /* WITH (name = value, ...), values as text */
    const char **optvals;
} ast_index;

typedef enum ast_copy_fmt { COPY_TEXT, COPY_CSV, COPY_BINARY } ast_copy_fmt;

typedef struct ast_copy {
    const char *relname; /* NULL for COPY (query) TO */
    int loc;
    ast_select *query;
    ast_names cols;
    bool is_from;
    ast_copy_fmt format;
    bool header;
    char delim, quote, escape;
    const char *null_str;
    bool force_quote_all;   /* FORCE_QUOTE *: quote every non-NULL csv field */
    ast_names force_quote;  /* FORCE_QUOTE (cols) */
} ast_copy;

typedef enum ast_txn_kind {
    TXN_BEGIN, TXN_START, TXN_COMMIT, TXN_ROLLBACK, TXN_SAVEPOINT, TXN_RELEASE, TXN_ROLLBACK_TO
} ast_txn_kind;

typedef struct ast_txn {
    ast_txn_kind kind;
    const char *isolation;  /* "read committed", ... or NULL */
    int read_only;          /* -1 unspecified, 0 READ WRITE, 1 READ ONLY */
    bool chain;
    const char *savepoint;  /* SAVEPOINT / RELEASE / ROLLBACK TO name */
} ast_txn;

typedef enum ast_set_kind { SET_VALUE, SET_DEFAULT, SET_RESET, SET_RESET_ALL, SET_TXN } ast_set_kind;

typedef struct ast_set {
    ast_set_kind kind;
    const char *name;
    const char *value;      /* flattened argument list (SET_VALUE) */
    bool is_local;
    ast_txn txn;            /* SET TRANSACTION ... */
} ast_set;

typedef enum ast_stmt_kind {
    STMT_SELECT, STMT_TXN, STMT_SET, STMT_SHOW,
    STMT_INSERT, STMT_UPDATE, STMT_DELETE, STMT_CREATE_TABLE, STMT_DROP, STMT_TRUNCATE,
    STMT_ALTER_ADD, STMT_CREATE_INDEX, STMT_REINDEX, STMT_COPY, STMT_NOOP, STMT_CHECKPOINT, STMT_EXPLAIN,
    STMT_CREATE_EXT, STMT_DROP_EXT, STMT_ROLE, STMT_GRANT, STMT_ALTER_SYSTEM,
    STMT_CREATE_SEQ, STMT_DROP_SEQ, STMT_RENAME, STMT_ADD_COLUMN, /* ALTER SYSTEM uses `set` */
    STMT_ALTER_TABLE, /* rename.alter: ADD CONSTRAINT CHECK / FOREIGN KEY, DROP CONSTRAINT, DROP COLUMN */
} ast_stmt_kind;

/* GRANT / REVOKE privileges ON TABLE t, ... | ALL TABLES IN SCHEMA s |
 * SCHEMA s | DATABASE d TO / FROM roles. */
typedef enum ast_grant_on { GRANT_ON_TABLE, GRANT_ON_ALL_TABLES, GRANT_ON_SCHEMA, GRANT_ON_DATABASE } ast_grant_on;

typedef struct ast_grant {
    bool is_grant;
    ast_grant_on on;
    ast_names objects;      /* table, schema or database names */
    uint32_t privs;         /* ENG_PRIV_* bits; ALL gives every bit of the object kind */
    ast_names grantees;     /* role names; "public" for PUBLIC */
} ast_grant;

/* CREATE ROLE / USER, ALTER ROLE / USER, DROP ROLE / USER [IF EXISTS]. */
typedef enum ast_role_kind { ROLE_CREATE, ROLE_ALTER, ROLE_DROP } ast_role_kind;

typedef struct ast_role {
    ast_role_kind kind;
    ast_names names;        /* one, except for DROP */
    int superuser, login;   /* -1 not given, else 0 / 1 (CREATE USER: login 1) */
    const char *password;   /* PASSWORD '...'; NULL = not given or NULL */
    bool password_null;     /* PASSWORD NULL */
    bool missing_ok;        /* DROP ... IF EXISTS */
} ast_role;

/* CREATE EXTENSION [IF NOT EXISTS] name [WITH SCHEMA s] [VERSION v] [CASCADE],
 * DROP EXTENSION [IF EXISTS] a, b [CASCADE | RESTRICT]. */
typedef struct ast_ext {
    ast_names names;        /* one for CREATE */
    const char *schema;     /* NULL = public */
    const char *version;    /* NULL = the default version */
    bool if_not_exists;     /* CREATE; DROP's IF EXISTS */
    bool cascade;
} ast_ext;

/* CREATE [TEMP] SEQUENCE [IF NOT EXISTS] name [AS type] [INCREMENT n] [MINVALUE n | NO MINVALUE]
 * [MAXVALUE n | NO MAXVALUE] [START n] [CACHE n] [[NO] CYCLE]; DROP SEQUENCE [IF EXISTS] a, b. */
typedef struct ast_seq {
    ast_names names;        /* one for CREATE */
    bool missing_ok;        /* IF NOT EXISTS / IF EXISTS */
    const char *type;       /* AS type, NULL = bigint */
    int64_t incr, minv, maxv, start, cache;
    bool has_incr, has_min, has_max, has_start, has_cache, cycle;
} ast_seq;

/* ALTER TABLE [IF EXISTS] t RENAME [COLUMN] c TO n | RENAME TO n. */
typedef struct ast_rename {
    const char *relname;
    const char *column;     /* NULL: the table itself */
    const char *newname;
    bool missing_ok;
    ast_coldef *add;        /* STMT_ADD_COLUMN: ALTER TABLE relname ADD COLUMN [IF NOT EXISTS] add */
    bool add_if_not_exists;
    char alter;             /* STMT_ALTER_TABLE: 'a' ADD CONSTRAINT con, 'd' DROP CONSTRAINT column,
                             * 'c' DROP COLUMN column */
    struct ast_constraint *con;
    bool drop_if_exists, cascade; /* DROP ... IF EXISTS name [CASCADE] */
} ast_rename;

typedef struct ast_drop {
    bool is_index;      /* DROP INDEX, else DROP TABLE */
    bool missing_ok, cascade;
    ast_names names;
} ast_drop;

typedef struct ast_explain {
    ast_select *query;
    bool analyze, verbose, costs, json;
} ast_explain;

typedef struct ast_stmt {
    ast_stmt_kind kind;
    const char *tag;        /* command tag for non-SELECT statements */
    union {
        ast_select select;
        ast_txn txn;
        ast_set set;
        const char *show;   /* setting name or "all" */
        ast_insert insert;
        ast_update update;  /* DELETE uses relname, alias, where, returning */
        ast_create_table create;
        ast_drop drop;
        ast_names truncate;
        ast_index index;    /* CREATE INDEX, and ALTER TABLE ADD PRIMARY KEY / UNIQUE;
                             * REINDEX INDEX idxname / REINDEX TABLE relname */
        ast_copy copy;
        ast_explain explain;
        ast_ext ext;
        ast_role role;
        ast_grant grant;
        ast_seq seq;
        ast_rename rename;
    };
} ast_stmt;

#endif
