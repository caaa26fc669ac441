"""pyodbc through the FreeTDS ODBC driver against the simulator.

argv: host port password. Prints one line per check; exits non-zero with
the failing check's message. Manual-commit mode (autocommit off) is what
ODBC applications use: SQLEndTran commits or rolls back with a
transaction-manager request that begins the next transaction at once.
"""
import sys

import pyodbc

host, port, password = sys.argv[1:4]
conn_str = (
    "DRIVER={FreeTDS};SERVER=%s;PORT=%s;UID=sa;PWD=%s;DATABASE=master;TDS_Version=7.4"
    % (host, port, password)
)


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg)
        sys.exit(1)
    print("ok: " + msg)


c = pyodbc.connect(conn_str, autocommit=True)
cur = c.cursor()
cur.execute("CREATE TABLE dbo.odbc_t (id int PRIMARY KEY, s nvarchar(20))")

# Manual commit: the first statement opens a transaction, commit keeps one
# open (ODBC's "begin a new transaction" flag), rollback undoes only what
# came after the commit.
c.autocommit = False
cur.execute("INSERT INTO dbo.odbc_t VALUES (1, N'one')")
c.commit()
cur.execute("SELECT @@TRANCOUNT")
check(cur.fetchone()[0] == 1, "after commit in manual-commit mode a new transaction is open")
cur.execute("INSERT INTO dbo.odbc_t VALUES (2, N'two')")
c.rollback()
cur.execute("SELECT @@TRANCOUNT")
check(cur.fetchone()[0] == 1, "after rollback in manual-commit mode a new transaction is open")
c.commit()
c.autocommit = True
cur.execute("SELECT id, s FROM dbo.odbc_t ORDER BY id")
rows = [tuple(r) for r in cur.fetchall()]
check(rows == [(1, "one")], "commit kept row 1, rollback removed row 2: %r" % (rows,))

# Parameterized queries: FreeTDS's ODBC driver sends them as sp_prepexec
# with the statement text as NTEXT. NTEXT parameters decode (issue 14,
# h14b); sp_prepexec is not modelled and is refused with 2812 (a real
# error, no hang); anything else is a failure.
try:
    cur.execute("INSERT INTO dbo.odbc_t VALUES (?, ?)", 3, "three")
    cur.execute("SELECT s FROM dbo.odbc_t WHERE id = ?", 3)
    check(cur.fetchone()[0] == "three", "parameterized insert and select")
except pyodbc.Error as e:
    check("(2812)" in str(e) and "sp_prepexec" in str(e), "parameters refused only for sp_prepexec (2812): %s" % e)

# An error reaches the client as an exception with SQL Server's number.
try:
    cur.execute("SELECT * FROM dbo.no_such_table")
    check(False, "a missing table raises an error")
except pyodbc.ProgrammingError as e:
    check("(208)" in str(e), "a missing table raises error 208: %s" % e)
