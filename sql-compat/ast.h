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
    AST_COLREF,       /* str: column name; ival 1: `*` (str NULL) */
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
} ast_kind;

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
};

typedef struct ast_target {
    ast_expr *expr;
    const char *name;   /* AS alias or FigureColname's choice */
} ast_target;

typedef struct ast_fromitem {
    bool is_function;   /* FROM f(...) */
    const char *relname;
    int loc;
    ast_expr *func;
    const char *alias;
} ast_fromitem;

typedef struct ast_select {
    int ntargets;
    ast_target *targets;
    int nfrom;
    ast_fromitem *from;
    ast_expr *where;
    ast_expr *limit;    /* NULL = none */
    ast_expr *offset;
} ast_select;

typedef enum ast_txn_kind { TXN_BEGIN, TXN_START, TXN_COMMIT, TXN_ROLLBACK } ast_txn_kind;

typedef struct ast_txn {
    ast_txn_kind kind;
    const char *isolation;  /* "read committed", ... or NULL */
    int read_only;          /* -1 unspecified, 0 READ WRITE, 1 READ ONLY */
    bool chain;
} ast_txn;

typedef enum ast_set_kind { SET_VALUE, SET_DEFAULT, SET_RESET, SET_RESET_ALL, SET_TXN } ast_set_kind;

typedef struct ast_set {
    ast_set_kind kind;
    const char *name;
    const char *value;      /* flattened argument list (SET_VALUE) */
    bool is_local;
    ast_txn txn;            /* SET TRANSACTION ... */
} ast_set;

typedef enum ast_stmt_kind { STMT_SELECT, STMT_TXN, STMT_SET, STMT_SHOW } ast_stmt_kind;

typedef struct ast_stmt {
    ast_stmt_kind kind;
    const char *tag;        /* command tag for non-SELECT statements */
    union {
        ast_select select;
        ast_txn txn;
        ast_set set;
        const char *show;   /* setting name or "all" */
    };
} ast_stmt;

#endif
