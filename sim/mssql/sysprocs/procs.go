package sysprocs

import (
	"fmt"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func installSystemProcs(r *engine.Registry) {
	r.Procedure("sp_who2", engine.SystemProc{Params: []engine.ProcParam{{Name: "@loginame", Type: sqltypes.TypeSysname, HasDefault: true}}, Run: spWho2})
	r.Procedure("sp_who", engine.SystemProc{Params: []engine.ProcParam{{Name: "@loginame", Type: sqltypes.TypeSysname, HasDefault: true}}, Run: spWho})
	r.Procedure("sp_reset_connection", engine.SystemProc{Run: func(pc *engine.ProcCall) (int32, error) {
		pc.Session().ResetConnection()
		return 0, nil
	}})
}

// spWhoRows are the sessions sp_who and sp_who2 list: @loginame filters
// by login or session id ('active' lists every one), and whether each is
// the caller.
func spWhoRows(pc *engine.ProcCall) []engine.SessionInfo {
	filter, _ := pc.Arg("@loginame").(string)
	var out []engine.SessionInfo
	for _, ses := range pc.Instance().Sessions() {
		s := ses.Info()
		if filter != "" && !strings.EqualFold(filter, "active") && !strings.EqualFold(filter, s.Login) &&
			filter != fmt.Sprint(s.ID) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func spWho2(pc *engine.ProcCall) (int32, error) {
	char5 := sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}
	cols := []engine.Column{
		engine.Col("SPID", char5, false), engine.Col("Status", sqltypes.VarChar(30), false),
		engine.Col("Login", sqltypes.TypeSysname, false), engine.Col("HostName", sqltypes.TypeSysname, false), engine.Col("BlkBy", char5, false),
		engine.Col("DBName", sqltypes.TypeSysname, true), engine.Col("Command", sqltypes.VarChar(16), false), engine.Col("CPUTime", sqltypes.TypeInt, false),
		engine.Col("DiskIO", sqltypes.TypeBigInt, false), engine.Col("LastBatch", sqltypes.VarChar(14), false),
		engine.Col("ProgramName", sqltypes.TypeSysname, false), engine.Col("SPID", char5, false),
		engine.Col("REQUESTID", sqltypes.TypeInt, false),
	}
	var rows [][]engine.Value
	for _, s := range spWhoRows(pc) {
		status, cmd, db, last := s.Status, s.Command, s.Database, s.LastBatch
		if s.ID == pc.SessionID() {
			status, cmd = "RUNNABLE", "SELECT INTO"
		}
		host := s.Host
		if host == "" {
			host = "  ."
		}
		spid := fmt.Sprintf("%-5d", s.ID)
		lb := engine.WallClock(last).Format("01/02 15:04:05")
		rows = append(rows, []engine.Value{spid, status, s.Login, host, "  .", db, cmd, int64(0), int64(0), lb, s.AppName, spid, int64(0)})
	}
	return 0, pc.Result(cols, rows)
}

func spWho(pc *engine.ProcCall) (int32, error) {
	cols := []engine.Column{
		engine.Col("spid", sqltypes.TypeSmallInt, false), engine.Col("ecid", sqltypes.TypeSmallInt, false),
		engine.Col("status", sqltypes.NVarChar(30), false), engine.Col("loginame", sqltypes.TypeSysname, false),
		engine.Col("hostname", sqltypes.TypeSysname, false), engine.Col("blk", sqltypes.Type{Kind: sqltypes.KindChar, Length: 5}, false),
		engine.Col("dbname", sqltypes.TypeSysname, true), engine.Col("cmd", sqltypes.NVarChar(16), false),
		engine.Col("request_id", sqltypes.TypeInt, false),
	}
	var rows [][]engine.Value
	for _, s := range spWhoRows(pc) {
		status, cmd, db := s.Status, s.Command, s.Database
		if s.ID == pc.SessionID() {
			status, cmd = "runnable", "SELECT"
		}
		rows = append(rows, []engine.Value{int64(s.ID), int64(0), status, s.Login, s.Host, "0    ", db, cmd, int64(0)})
	}
	return 0, pc.Result(cols, rows)
}
