package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Version is @@VERSION: SQL Server 2022's banner as a Windows instance
// prints it. The pool's back ends are Windows servers (UNC shares, service
// accounts, mirroring), and scripts branch on "Windows" in this text, so the
// simulator describes one; it runs in a hypervisor, as its last word says.
func (inst *Instance) Version() string {
	return "Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - " + sessionfuncs.ProductVersion + " (X64) \n" +
		"\tJul 10 2024 14:09:09 \n\tCopyright (C) 2022 Microsoft Corporation\n" +
		"\tDeveloper Edition (64-bit) on Windows Server 2022 Standard 10.0 <X64> (Build 20348: ) (Hypervisor)\n"
}

func (sc *scope) globalVar(x *tsql.GlobalVarRef) (*cexpr, error) {
	name := strings.ToLower(x.Name)
	mk := func(t Type, f func(en *env) Value) (*cexpr, error) {
		return &cexpr{Type: t, Nullable: true, Eval: func(en *env) (Value, error) { return f(en), nil }}, nil
	}
	switch name {
	case "@@servername":
		return mk(sqltypes.TypeSysname, func(en *env) Value { return sc.s.inst.cfg.Name })
	case "@@servicename":
		return mk(sqltypes.TypeSysname, func(en *env) Value {
			if v := sc.s.inst.ServerProperty("InstanceName"); v != nil {
				return v
			}
			return "MSSQLSERVER"
		})
	case "@@version":
		return mk(sqltypes.NVarChar(300), func(en *env) Value { return sc.s.inst.Version() })
	case "@@spid":
		return mk(sqltypes.TypeSmallInt, func(en *env) Value { return int64(sc.s.id) })
	case "@@rowcount":
		return mk(sqltypes.TypeInt, func(en *env) Value { return sc.s.rowcount })
	case "@@trancount":
		return mk(sqltypes.TypeInt, func(en *env) Value { return int64(sc.s.tranCount) })
	case "@@error":
		return mk(sqltypes.TypeInt, func(en *env) Value { return int64(sc.s.lastError) })
	case "@@identity":
		return mk(sqltypes.DecimalType(38, 0), func(en *env) Value { return sessionfuncs.IdentityValue(sc.s.identity) })
	case "@@language":
		return mk(sqltypes.TypeSysname, func(en *env) Value { return sc.s.opts.Language })
	case "@@max_precision":
		return mk(sqltypes.TypeTinyInt, func(*env) Value { return int64(38) })
	case "@@datefirst":
		return mk(sqltypes.TypeTinyInt, func(en *env) Value { return int64(sc.s.opts.DateFirst) })
	case "@@lock_timeout":
		return mk(sqltypes.TypeInt, func(en *env) Value { return sc.s.opts.LockTimeout })
	case "@@textsize":
		return mk(sqltypes.TypeInt, func(en *env) Value { return sc.s.opts.TextSize })
	case "@@nestlevel":
		return mk(sqltypes.TypeInt, func(en *env) Value { return int64(sc.depth) })
	case "@@procid":
		return mk(sqltypes.TypeInt, func(*env) Value { return int64(0) })
	case "@@options":
		return mk(sqltypes.TypeInt, func(en *env) Value { return int64(sc.s.optionBits()) })
	case "@@microsoftversion":
		return mk(sqltypes.TypeInt, func(*env) Value { return int64(0x10000000 | 4135) })
	case "@@dbts":
		return mk(sqltypes.VarBinary(8), func(*env) Value { return []byte{0, 0, 0, 0, 0, 0, 0x07, 0xD1} })
	case "@@connections", "@@cpu_busy", "@@idle", "@@io_busy", "@@pack_received", "@@pack_sent", "@@packet_errors", "@@total_errors", "@@total_read", "@@total_write":
		return mk(sqltypes.TypeInt, func(*env) Value { return int64(0) })
	case "@@fetch_status":
		return mk(sqltypes.TypeInt, func(*env) Value { return int64(-1) })
	}
	return nil, newErr(sqlerr.MustDeclareVariable, x.Name)
}

// optionBits is @@OPTIONS (setopts.Options.Bits).
func (s *Session) optionBits() int { return s.opts.Bits() }
