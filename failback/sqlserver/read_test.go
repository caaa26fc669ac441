package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
)

func TestReadSQLText(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"state", DatabaseStateSQL("mgc"),
			"SELECT d.state_desc, d.recovery_model_desc, d.user_access_desc, d.is_read_only, d.is_in_standby FROM sys.databases AS d WHERE d.name = N'mgc'"},
		{"state hostile", DatabaseStateSQL("x'; DROP DATABASE mgc; --"),
			"SELECT d.state_desc, d.recovery_model_desc, d.user_access_desc, d.is_read_only, d.is_in_standby FROM sys.databases AS d WHERE d.name = N'x''; DROP DATABASE mgc; --'"},
		{"mirroring", MirroringInfoSQL("mgccomp"),
			"SELECT m.mirroring_role_desc, m.mirroring_state_desc, m.mirroring_partner_name, m.mirroring_partner_instance, m.mirroring_safety_level_desc, m.mirroring_witness_name FROM sys.database_mirroring AS m JOIN sys.databases AS d ON d.database_id = m.database_id WHERE d.name = N'mgccomp'"},
		{"sessions", SessionsSQL("mgc", ""),
			"SELECT s.session_id, s.login_name, s.program_name, s.host_name FROM sys.dm_exec_sessions AS s WHERE s.is_user_process = 1 AND s.session_id <> @@SPID AND s.database_id = DB_ID(N'mgc') ORDER BY s.session_id"},
		{"sessions program", SessionsSQL("mgc", "Persistent Chat's"),
			"SELECT s.session_id, s.login_name, s.program_name, s.host_name FROM sys.dm_exec_sessions AS s WHERE s.is_user_process = 1 AND s.session_id <> @@SPID AND s.database_id = DB_ID(N'mgc') AND s.program_name = N'Persistent Chat''s' ORDER BY s.session_id"},
		{"file", FileExistsSQL(`\\fs01\ls'share\mgc.bak`), `EXEC master.dbo.xp_fileexist N'\\fs01\ls''share\mgc.bak'`},
		{"services", ServiceAccountsSQL, "SELECT servicename, service_account, status_desc, startup_type_desc FROM sys.dm_server_services"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.name, c.got, c.want)
		}
	}
	q, err := TableChecksumSQL("mgc", "dbo", "tbl]Node")
	if err != nil || q != "SELECT COUNT_BIG(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM [mgc].[dbo].[tbl]]Node]" {
		t.Errorf("checksum sql %q %v", q, err)
	}
	q, err = UserTablesSQL("m]gc")
	if err != nil || q != "SELECT s.name, t.name FROM [m]]gc].sys.tables AS t JOIN [m]]gc].sys.schemas AS s ON s.schema_id = t.schema_id WHERE t.is_ms_shipped = 0 ORDER BY s.name, t.name" {
		t.Errorf("tables sql %q %v", q, err)
	}
	if _, err := TableChecksumSQL("mgc", "dbo", strings.Repeat("x", 129)); !errors.Is(err, ErrBadName) {
		t.Errorf("long table name: %v", err)
	}
}

func TestDatabaseState(t *testing.T) {
	db, srv, seen := newFakeDB(t, map[string]answer{
		DatabaseStateSQL("mgc"):  {cols: []string{"a", "b", "c", "d", "e"}, rows: [][]driver.Value{{"RESTORING", "FULL", "MULTI_USER", false, int64(0)}}},
		DatabaseStateSQL("gone"): {cols: []string{"a", "b", "c", "d", "e"}},
	})
	ctx := context.Background()
	st, err := DatabaseState(ctx, db, "mgc")
	if err != nil || st != (DatabaseStatus{Name: "mgc", State: "RESTORING", RecoveryModel: "FULL", UserAccess: "MULTI_USER"}) {
		t.Errorf("state %+v %v", st, err)
	}
	if _, err := DatabaseState(ctx, db, "gone"); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("missing: %v", err)
	}
	_, err = DatabaseState(ctx, db, "other")
	if err == nil || errors.Is(err, ErrNoDatabase) {
		t.Errorf("server error: %v", err)
	}
	if got := srv.statements(); len(got) != 3 || got[0] != DatabaseStateSQL("mgc") {
		t.Errorf("sent %q", got)
	}
	if len(*seen) != 3 || (*seen)[0].Kind != "query" || (*seen)[0].RowsAffected != 1 || (*seen)[0].Err != nil ||
		(*seen)[2].Err == nil || (*seen)[0].Server != "sql1.contoso.com:1433" {
		t.Errorf("observer %+v", *seen)
	}
}

func TestMirroringInfo(t *testing.T) {
	cols := []string{"a", "b", "c", "d", "e", "f"}
	db, _, _ := newFakeDB(t, map[string]answer{
		MirroringInfoSQL("mgc"):     {cols: cols, rows: [][]driver.Value{{"PRINCIPAL", "SYNCHRONIZED", "TCP://sql2b.contoso.com:5022", "SQL2B", "FULL", nil}}},
		MirroringInfoSQL("mgccomp"): {cols: cols, rows: [][]driver.Value{{nil, nil, nil, nil, nil, nil}}},
		MirroringInfoSQL("nope"):    {cols: cols},
	})
	ctx := context.Background()
	m, err := MirroringInfo(ctx, db, "mgc")
	if err != nil || !m.Mirrored || m.Role != "PRINCIPAL" || m.Partner != "TCP://sql2b.contoso.com:5022" || m.Witness != "" {
		t.Errorf("mgc %+v %v", m, err)
	}
	m, err = MirroringInfo(ctx, db, "mgccomp")
	if err != nil || m != (Mirroring{}) {
		t.Errorf("not mirrored %+v %v", m, err)
	}
	if _, err := MirroringInfo(ctx, db, "nope"); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("missing %v", err)
	}
}

func TestSessionsServicesFile(t *testing.T) {
	db, _, _ := newFakeDB(t, map[string]answer{
		SessionsSQL("mgc", "ChatServer"): {cols: []string{"a", "b", "c", "d"}, rows: [][]driver.Value{
			{int64(53), `CONTOSO\pchatsvc`, "ChatServer", "PC1"}, {int64(61), `CONTOSO\pchatsvc`, "ChatServer", nil}}},
		ServiceAccountsSQL: {cols: []string{"a", "b", "c", "d"}, rows: [][]driver.Value{
			{"SQL Server (MSSQLSERVER)", `NT Service\MSSQLSERVER`, "Running", "Automatic"},
			{"SQL Server Agent (MSSQLSERVER)", `CONTOSO\sqlagent`, "Running", "Automatic"}}},
		FileExistsSQL(`\\fs01\ls\mgc.bak`): {cols: []string{"File Exists", "File is a Directory", "Parent Directory Exists"}, rows: [][]driver.Value{{int64(1), int64(0), int64(1)}}},
		FileExistsSQL(`\\fs01\ls`):         {cols: []string{"File Exists", "File is a Directory", "Parent Directory Exists"}, rows: [][]driver.Value{{false, true, true}}},
	})
	ctx := context.Background()
	ss, err := Sessions(ctx, db, "mgc", "ChatServer")
	if err != nil || len(ss) != 2 || ss[0] != (Session{53, `CONTOSO\pchatsvc`, "ChatServer", "PC1"}) || ss[1].Host != "" {
		t.Errorf("sessions %+v %v", ss, err)
	}
	sv, err := ServiceAccounts(ctx, db)
	if err != nil || len(sv) != 2 || sv[1].Account != `CONTOSO\sqlagent` || sv[1].Status != "Running" {
		t.Errorf("services %+v %v", sv, err)
	}
	fi, err := FileExists(ctx, db, `\\fs01\ls\mgc.bak`)
	if err != nil || fi != (FileInfo{Exists: true, ParentExists: true}) {
		t.Errorf("file %+v %v", fi, err)
	}
	fi, err = FileExists(ctx, db, `\\fs01\ls`)
	if err != nil || fi != (FileInfo{IsDirectory: true, ParentExists: true}) {
		t.Errorf("dir %+v %v", fi, err)
	}
}

func TestTableChecksums(t *testing.T) {
	q1, _ := UserTablesSQL("mgc")
	c1, _ := TableChecksumSQL("mgc", "dbo", "tblChat")
	c2, _ := TableChecksumSQL("mgc", "dbo", "tblEmpty]x")
	db, srv, seen := newFakeDB(t, map[string]answer{
		q1: {cols: []string{"s", "t"}, rows: [][]driver.Value{{"dbo", "tblChat"}, {"dbo", "tblEmpty]x"}}},
		c1: {cols: []string{"n", "c"}, rows: [][]driver.Value{{int64(1200), int64(-1234567)}}},
		c2: {cols: []string{"n", "c"}, rows: [][]driver.Value{{int64(0), nil}}},
	})
	got, err := TableChecksums(context.Background(), db, "mgc")
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if got[0].Rows != 1200 || !got[0].Checksum.Valid || got[0].Checksum.Int64 != -1234567 || got[1].Rows != 0 || got[1].Checksum.Valid {
		t.Errorf("checksums %+v", got)
	}
	if s := srv.statements(); strings.Join(s, "\n") != strings.Join([]string{q1, c1, c2}, "\n") {
		t.Errorf("sent %q", s)
	}
	if len(*seen) != 3 {
		t.Errorf("observed %d statements", len(*seen))
	}
}

func TestExecObserved(t *testing.T) {
	backup := "BACKUP DATABASE [mgc] TO DISK = N'\\\\fs01\\ls\\mgc.bak' WITH INIT, CHECKSUM"
	db, _, seen := newFakeDB(t, map[string]answer{
		backup:                                 {n: 0},
		"ALTER DATABASE [mgc] SET PARTNER OFF": {err: sqlErr(1416)},
	})
	ctx := context.Background()
	if _, err := db.Exec(ctx, backup); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(ctx, "ALTER DATABASE [mgc] SET PARTNER OFF")
	if !HasNumber(err, 1416) || !strings.Contains(err.Error(), "sql1.contoso.com:1433") {
		t.Errorf("exec error %v", err)
	}
	if len(*seen) != 2 || (*seen)[0].Text != backup || (*seen)[0].Kind != "exec" || (*seen)[0].Err != nil || !HasNumber((*seen)[1].Err, 1416) {
		t.Errorf("observer %+v", *seen)
	}
	// A DB without observer still works.
	if _, err := OpenDB(db.SQL(), "x").Exec(ctx, backup); err != nil {
		t.Error(err)
	}
}
