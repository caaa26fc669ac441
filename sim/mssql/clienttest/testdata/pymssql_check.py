"""pymssql (FreeTDS DB-Library) against the simulator.

argv: host port password. Prints one line per check; exits non-zero with
the failing check's message.
"""
import sys

import pymssql

host, port, password = sys.argv[1:4]


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg)
        sys.exit(1)
    print("ok: " + msg)


conn = pymssql.connect(server=host, port=int(port), user="sa", password=password, database="master", tds_version="7.3")
cur = conn.cursor()
cur.execute("CREATE TABLE dbo.pym (id int PRIMARY KEY, s nvarchar(20), d datetime2(3))")
conn.commit()

# Parameters (pymssql quotes them into the statement text).
cur.execute("INSERT INTO dbo.pym VALUES (%d, %s, %s)", (1, "één", "2024-01-02 03:04:05.678"))
conn.commit()
cur.execute("INSERT INTO dbo.pym VALUES (%d, %s, NULL)", (2, "two"))
conn.rollback()
cur.execute("SELECT id, s, CONVERT(varchar(30), d, 121) FROM dbo.pym WHERE id >= %d ORDER BY id", (0,))
rows = cur.fetchall()
check(rows == [(1, "één", "2024-01-02 03:04:05.678")], "commit kept row 1, rollback removed row 2, values round-trip: %r" % (rows,))

cur.execute("SELECT @@VERSION")
check("Windows" in cur.fetchone()[0], "@@VERSION describes a Windows server")

try:
    cur.execute("SELECT * FROM dbo.no_such_table")
    check(False, "a missing table raises an error")
except (pymssql.OperationalError, pymssql.ProgrammingError) as e:
    check(e.args[0] == 208, "a missing table raises error 208: %s" % (e,))
conn.close()
