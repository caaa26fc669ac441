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
# with the statement text as NTEXT.
cur.execute("INSERT INTO dbo.odbc_t VALUES (?, ?)", 3, "three")
cur.execute("SELECT s FROM dbo.odbc_t WHERE id = ?", 3)
check(cur.fetchone()[0] == "three", "parameterized insert and select")

# An error reaches the client as an exception with SQL Server's number.
try:
    cur.execute("SELECT * FROM dbo.no_such_table")
    check(False, "a missing table raises an error")
except pyodbc.ProgrammingError as e:
    check("(208)" in str(e), "a missing table raises error 208: %s" % e)

# varchar under a non-Latin collation round-trips through its code page,
# and money is money (issue 14). The driver converts the column's bytes by
# the COLLATION of its metadata (code page 1251) to the client charset.
import decimal

u = pyodbc.connect(conn_str + ";ClientCharset=UTF-8", autocommit=True)
uc = u.cursor()
uc.execute("CREATE TABLE dbo.odbc_cp (id int, v varchar(20) COLLATE Cyrillic_General_CI_AS, m money, sm smallmoney)")
uc.execute("INSERT INTO dbo.odbc_cp VALUES (1, N'привет', $1234.5678, 12.34)")
uc.execute("INSERT INTO dbo.odbc_cp VALUES (?, ?, ?, ?)", 2, "мир", decimal.Decimal("-12.3456"), decimal.Decimal("7.5"))
uc.execute("SELECT id, v, m, sm, CAST(v AS varbinary(20)) FROM dbo.odbc_cp ORDER BY id")
rows = [tuple(r) for r in uc.fetchall()]
want = [
    (1, "привет", decimal.Decimal("1234.5678"), decimal.Decimal("12.3400"), b"\xef\xf0\xe8\xe2\xe5\xf2"),
    (2, "мир", decimal.Decimal("-12.3456"), decimal.Decimal("7.5000"), b"\xec\xe8\xf0"),
]
check(rows == want, "a Cyrillic varchar and money round-trip: %r" % (rows,))
uc.execute("SELECT v FROM dbo.odbc_cp WHERE v = ?", "ПРИВЕТ")
check([tuple(r) for r in uc.fetchall()] == [("привет",)], "a Cyrillic varchar compares case-insensitively with a parameter")
uc.execute("SELECT CAST($1234.5678 AS varchar(20))")
check(uc.fetchone()[0] == "1234.57", "money converts to varchar with two decimal places")
d = uc.execute("SELECT m FROM dbo.odbc_cp WHERE id = 1").description[0]
check(d[1] == decimal.Decimal, "a money column describes itself as a decimal type to ODBC: %r" % (d,))
