package enginetest

// ConfigScripts are server configuration options (issue 14; Microsoft's
// "sp_configure", "RECONFIGURE" and "sys.configurations" pages): the
// configured value changes with sp_configure, the running value with
// RECONFIGURE, advanced options are visible once 'show advanced options'
// is in use.
var ConfigScripts = []ScriptTest{
	{
		Name: "sp_configure, show advanced options and RECONFIGURE",
		Assertions: []Assertion{
			{Query: "EXEC sp_configure 'backup compression default'", Columns: []string{"name", "minimum", "maximum", "config_value", "run_value"},
				Expected: [][]any{{"backup compression default", 0, 1, 0, 0}}},
			{Query: "EXEC sp_configure 'xp_cmdshell'", ErrNumber: 15123, ErrContains: "The configuration option 'xp_cmdshell' does not exist, or it may be an advanced option."},
			{Query: "EXEC sp_configure 'show advanced options', 1", Exec: true, Affected: -1},
			{Query: "SELECT value, value_in_use FROM sys.configurations WHERE name = 'show advanced options'", Expected: [][]any{{1, 0}}},
			{Query: "RECONFIGURE", Exec: true, Affected: -1},
			{Query: "SELECT value, value_in_use, is_dynamic, is_advanced FROM sys.configurations WHERE configuration_id = 518", Expected: [][]any{{1, 1, true, false}}},
			{Query: "EXEC sp_configure 'xp_cmdshell'", Expected: [][]any{{"xp_cmdshell", 0, 1, 0, 0}}},
			{Query: "EXEC sp_configure 'max server memory', 4096; RECONFIGURE WITH OVERRIDE; SELECT value_in_use FROM sys.configurations WHERE name = 'max server memory (MB)'", Expected: [][]any{{4096}}},
			{Query: "EXEC sp_configure 'backup compression default', 2", ErrNumber: 15129},
			{Query: "EXEC sp_configure 'remote', 1", ErrNumber: 15028},
			// user connections is not dynamic: RECONFIGURE leaves its running value.
			{Query: "EXEC sp_configure 'user connections', 10; RECONFIGURE; EXEC sp_configure 'user connections'", Expected: [][]any{{"user connections", 0, 32767, 10, 0}}},
			{Query: "SELECT COUNT(*) FROM sys.configurations WHERE minimum IS NULL OR maximum IS NULL OR description IS NULL", Expected: [][]any{{0}}},
		},
	},
}
