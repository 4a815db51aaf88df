"""Regenerates expected/*.out from Debian's PostgreSQL 15:
   /usr/bin/python3 tests/e2e/psql_meta/make_expected.py"""
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import commands  # noqa: E402
import conftest  # noqa: E402


def main():
    srv = conftest.PgReferenceServer(pathlib.Path(tempfile.mkdtemp(prefix="psql-meta-")))
    srv.start()
    try:
        # hcdb has no PL/pgSQL: the reference drops the one PostgreSQL installs
        for sql in ["DROP EXTENSION plpgsql"] + commands.SETUP:
            assert srv.psql(sql=sql).returncode == 0
        out = HERE / "expected"
        out.mkdir(exist_ok=True)
        late_done = False
        for name, cmd, late in commands.COMMANDS:
            if late and not late_done:
                for sql in commands.LATE_SETUP:
                    assert srv.psql(sql=sql).returncode == 0
                late_done = True
            (out / f"{name}.out").write_text(commands.run(srv, cmd))
    finally:
        srv.stop()


if __name__ == "__main__":
    os.environ.setdefault("HCDB_E2E_REFERENCE", "pg15")
    main()
