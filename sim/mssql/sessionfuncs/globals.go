package sessionfuncs

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Version is @@VERSION: SQL Server 2022's banner as a Windows instance
// prints it. The pool's back ends are Windows servers (UNC shares, service
// accounts, mirroring), and scripts branch on "Windows" in this text, so the
// simulator describes one; it runs in a hypervisor, as its last word says.
const Version = "Microsoft SQL Server 2022 (RTM-CU14) (KB5038325) - " + ProductVersion + " (X64) \n" +
	"\tJul 10 2024 14:09:09 \n\tCopyright (C) 2022 Microsoft Corporation\n" +
	"\tDeveloper Edition (64-bit) on Windows Server 2022 Standard 10.0 <X64> (Build 20348: ) (Hypervisor)\n"

// Global compiles the global variable name (@@SPID, @@ROWCOUNT, ...: any
// case, '@@' included) for s; 137 for a name that is none. Like the
// functions, each reads s when the expression runs.
func Global(s Session, name string) (*query.Expr, error) {
	mk := func(t sqltypes.Type, f func() sqltypes.Value) (*query.Expr, error) {
		return &query.Expr{Type: t, Nullable: true, Eval: func(*query.Env) (sqltypes.Value, error) { return f(), nil }}, nil
	}
	switch strings.ToLower(name) {
	case "@@servername":
		return mk(sqltypes.TypeSysname, func() sqltypes.Value { return s.InstanceName() })
	case "@@servicename":
		return mk(sqltypes.TypeSysname, func() sqltypes.Value {
			if v := ServerProperty(s.InstanceName(), "InstanceName"); v != nil {
				return v
			}
			return "MSSQLSERVER"
		})
	case "@@version":
		return mk(sqltypes.NVarChar(300), func() sqltypes.Value { return Version })
	case "@@spid":
		return mk(sqltypes.TypeSmallInt, func() sqltypes.Value { return int64(s.SPID()) })
	case "@@rowcount":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return s.RowCount() })
	case "@@trancount":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { n, _ := s.TxState(); return int64(n) })
	case "@@error":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(s.LastError()) })
	case "@@identity":
		return mk(sqltypes.DecimalType(38, 0), func() sqltypes.Value { return IdentityValue(s.Identity()) })
	case "@@language":
		return mk(sqltypes.TypeSysname, func() sqltypes.Value { return s.Options().Language })
	case "@@max_precision":
		return mk(sqltypes.TypeTinyInt, func() sqltypes.Value { return int64(38) })
	case "@@datefirst":
		return mk(sqltypes.TypeTinyInt, func() sqltypes.Value { return int64(s.Options().DateFirst) })
	case "@@lock_timeout":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return s.Options().LockTimeout })
	case "@@textsize":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return s.Options().TextSize })
	case "@@nestlevel":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(s.NestLevel()) })
	case "@@procid":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(0) })
	case "@@options":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(s.Options().Bits()) })
	case "@@microsoftversion":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(0x10000000 | 4135) })
	case "@@dbts":
		return mk(sqltypes.VarBinary(8), func() sqltypes.Value { return []byte{0, 0, 0, 0, 0, 0, 0x07, 0xD1} })
	case "@@connections", "@@cpu_busy", "@@idle", "@@io_busy", "@@pack_received", "@@pack_sent", "@@packet_errors", "@@total_errors", "@@total_read", "@@total_write":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(0) })
	case "@@fetch_status":
		return mk(sqltypes.TypeInt, func() sqltypes.Value { return int64(-1) })
	}
	return nil, sqlerr.New(sqlerr.MustDeclareVariable, name)
}

// srvRoleMember is IS_SRVROLEMEMBER('role' [, 'login']): 1 or 0, NULL
// when the role or the login is not valid. A login that is not sysadmin
// asking about another login gets NULL ("you do not have permission to
// view the role membership"; stricter than a server that granted VIEW
// DEFINITION on the login).
func srvRoleMember(s Session, role, login sqltypes.Value, loginGiven bool) sqltypes.Value {
	rs, ok := role.(string)
	if !ok {
		return nil
	}
	if _, ok := principals.FixedRole(rs); !ok {
		return nil
	}
	who := s.Login()
	if loginGiven {
		l, ok := login.(string)
		if !ok || !s.LoginExists(l) {
			return nil
		}
		if !strings.EqualFold(l, who) && !s.IsServerRoleMember(principals.RoleSysadmin, who) {
			return nil
		}
		who = l
	}
	if s.IsServerRoleMember(rs, who) {
		return int64(1)
	}
	return int64(0)
}
