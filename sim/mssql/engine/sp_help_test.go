package engine

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

// TestScriptsSpHelp checks sp_help's last result set in-process: a
// table's columns, a procedure's parameters.
func TestScriptsSpHelp(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{{
		Name: "sp_help",
		Setup: []string{
			"CREATE TABLE dbo.h (id int NOT NULL, name nvarchar(20) NULL, amount decimal(10,2) NULL)",
			"CREATE PROC dbo.hp @a int, @b nvarchar(10) = N'x' OUTPUT AS SELECT 1",
		},
		Assertions: []enginetest.Assertion{
			{Query: "EXEC sp_help 'dbo.h'", Columns: []string{"Column_name", "Type", "Computed", "Length", "Prec", "Scale", "Nullable", "TrimTrailingBlanks", "FixedLenNullInSource", "Collation"},
				Rows: []string{"id|int|no|4|10   |0    |no|(n/a)|(n/a)|NULL", "name|nvarchar|no|40|     |     |yes|no|yes|SQL_Latin1_General_CP1_CI_AS", "amount|decimal|no|9|10   |2    |yes|(n/a)|(n/a)|NULL"}},
			{Query: "EXEC sp_help 'hp'", Columns: []string{"Parameter_name", "Type", "Length", "Prec", "Scale", "Param_order", "Collation"},
				Rows: []string{"@a|int|4|10|0|1|NULL", "@b|nvarchar|20|0|0|2|SQL_Latin1_General_CP1_CI_AS"}},
		},
	}})
}
