package tsql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseModules(t *testing.T) {
	ok := []struct{ src, want string }{
		{"CREATE PROC p AS RETURN 2", "CREATE PROCEDURE p AS RETURN 2;"},
		{"create procedure dbo.p @a int = 1, @b nvarchar(10) = N'x' OUTPUT AS BEGIN SELECT @a END", "CREATE PROCEDURE dbo.p @a INT = 1, @b NVARCHAR(10) = N'x' OUTPUT AS"},
		{"CREATE OR ALTER PROCEDURE p (@a int OUT) WITH RECOMPILE AS SET @a = 1; SELECT 2", "CREATE OR ALTER PROCEDURE p @a INT OUTPUT AS"},
		{"ALTER PROC p AS SELECT 1", "ALTER PROCEDURE p AS"},
		{"/* c */ CREATE VIEW dbo.v (a, b) AS SELECT 1, 2 WITH CHECK OPTION", "CREATE VIEW dbo.v (a, b) AS"},
		{"CREATE OR ALTER VIEW v AS WITH c AS (SELECT 1 AS x) SELECT x FROM c", "CREATE OR ALTER VIEW v AS"},
		{"DROP PROC IF EXISTS p, dbo.q", "DROP PROCEDURE IF EXISTS p, dbo.q"},
		{"IF OBJECT_ID('v') IS NOT NULL DROP VIEW v", "DROP VIEW v"},
	}
	for _, c := range ok {
		st, err := Parse(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := st[len(st)-1].String(); !strings.Contains(got, c.want) {
			t.Errorf("%q: got %q, want it to contain %q", c.src, got, c.want)
		}
	}
	bad := []struct {
		src    string
		number int
		msg    string
	}{
		{"SELECT 1; CREATE PROC p AS SELECT 1", 111, "'CREATE/ALTER PROCEDURE' must be the first statement in a query batch."},
		{"DROP VIEW IF EXISTS v; CREATE VIEW v AS SELECT 1", 111, "'CREATE VIEW' must be the first statement in a query batch."},
		{"PRINT 1\nALTER VIEW v AS SELECT 1", 111, "'ALTER VIEW' must be the first statement in a query batch."},
		{"IF 1 = 1 CREATE PROCEDURE p AS SELECT 1", 156, "Incorrect syntax near the keyword 'PROCEDURE'."},
		{"CREATE VIEW v AS SELECT 1 SELECT 2", 156, "Incorrect syntax near the keyword 'SELECT'."},
		{"CREATE PROC p AS", 156, "Incorrect syntax near the keyword 'AS'."},
	}
	for _, c := range bad {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Number != c.number || se.Msg != c.msg {
			t.Errorf("%q: got %v, want %d %s", c.src, err, c.number, c.msg)
		}
	}
}
