"""The schema and the psql meta-commands whose output hcdb must print as
PostgreSQL 15 does; shared by test_psql_meta.py and make_expected.py."""

# Run before the commands; the extension is created after the function
# listings, whose expected output would otherwise hold its functions.
SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL, n int DEFAULT 3, code varchar(10) UNIQUE)",
    "CREATE INDEX docs_n_idx ON docs (n)",
    "CREATE TABLE plain_t (a int, b text)",
]
LATE_SETUP = ["CREATE EXTENSION pgcrypto"]

# (file name, meta-command, runs after LATE_SETUP)
COMMANDS = [
    ("dt", r"\dt", False),
    ("dt_plus", r"\dt+", False),
    ("d_docs", r"\d docs", False),
    ("d_plus_docs", r"\d+ docs", False),
    ("d_plain", r"\d plain_t", False),
    ("di", r"\di", False),
    ("ds", r"\ds", False),
    ("dv", r"\dv", False),
    ("df", r"\df", False),
    ("df_hc", r"\df hc_*", False),
    ("dT", r"\dT", False),
    ("dn", r"\dn", False),
    ("du", r"\du", False),
    ("l_postgres", r"\l postgres", False),
    ("conninfo", r"\conninfo", False),
    ("dx", r"\dx", True),
]


def mask(text):
    """What may differ from PostgreSQL: ports and sizes (a listing with sizes
    is compared without its column padding, which their widths change)."""
    import re
    text = re.sub(r'at port "\d+"', 'at port "PORT"', text)
    masked = re.sub(r"\b\d+ (bytes|kB|MB)\b", "SIZE", text)
    if masked != text:
        masked = re.sub(r"-+", "-", re.sub(r" +", " ", masked))
    return masked


def run(srv, cmd):
    """psql -X -c CMD as a user types it (aligned output), stdout + stderr masked."""
    import subprocess
    from conftest import pg_tool
    res = subprocess.run([pg_tool("psql"), "-X", "-h", srv.host, "-p", str(srv.port), "-U", "postgres",
                          "-d", "postgres", "-c", cmd], capture_output=True, text=True, timeout=60,
                         env=srv.client_env(srv.password, None, {"COLUMNS": "200"}))
    return mask(res.stdout + res.stderr)
