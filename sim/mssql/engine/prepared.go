package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Prepared statements: sp_prepare, sp_prepexec, sp_execute, sp_unprepare,
// which ODBC and DB-Library drivers (FreeTDS's among them) use for
// parameterized queries. A handle names a statement and its parameter
// declarations in the session; executing it is sp_executesql over them.

type preparedStmt struct {
	stmt, decls string
}

// isPreparedProc reports the four procedures callProc hands to callPrepared.
func isPreparedProc(name string) bool {
	switch strings.ToLower(name) {
	case "sp_prepare", "sp_prepexec", "sp_execute", "sp_unprepare":
		return true
	}
	return false
}

// callPrepared runs one of the prepared-statement procedures. Their
// parameters are positional or named as Microsoft documents them:
// sp_prepare(@handle OUTPUT, @params, @stmt [, @options]),
// sp_prepexec(@handle OUTPUT, @params, @stmt, values...),
// sp_execute(@handle, values...), sp_unprepare(@handle).
func (sc *scope) callPrepared(name string, args []argument) (int32, map[int]outValue, error) {
	name = strings.ToLower(name)
	s := sc.s
	if len(args) == 0 {
		return 0, nil, newErr(sqlerr.ParameterNotSupplied, name, "@handle")
	}
	handleArg := args[0]
	switch name {
	case "sp_prepare", "sp_prepexec":
		if len(args) < 3 {
			return 0, nil, newErr(sqlerr.ParameterNotSupplied, name, "@stmt")
		}
		decls, _ := args[1].val.(string)
		stmt, ok := args[2].val.(string)
		if !ok {
			return 0, nil, newErr(sqlerr.ParameterNotSupplied, name, "@stmt")
		}
		// The declarations must parse now, as SQL Server checks them at
		// prepare time.
		if _, err := sc.parseParamDecls(decls); err != nil {
			return 0, nil, err
		}
		if s.prepared == nil {
			s.prepared = map[int32]preparedStmt{}
		}
		s.nextHandle++
		h := s.nextHandle
		s.prepared[h] = preparedStmt{stmt: stmt, decls: decls}
		outs := map[int]outValue{}
		if handleArg.output {
			outs[handleArg.ord] = outValue{name: handleArg.name, val: int64(h), typ: sqltypes.TypeInt}
		}
		if name == "sp_prepare" {
			return 0, outs, nil
		}
		status, execOuts, err := sc.executePrepared(s.prepared[h], args[3:])
		for k, v := range execOuts {
			outs[k] = v
		}
		return status, outs, err
	case "sp_execute":
		p, ok := s.prepared[handleOf(handleArg)]
		if !ok {
			return 0, nil, newErr(sqlerr.PreparedHandleNotFound, handleOf(handleArg))
		}
		return sc.executePrepared(p, args[1:])
	default: // sp_unprepare
		h := handleOf(handleArg)
		if _, ok := s.prepared[h]; !ok {
			return 0, nil, newErr(sqlerr.PreparedHandleNotFound, h)
		}
		delete(s.prepared, h)
		return 0, nil, nil
	}
}

func handleOf(a argument) int32 {
	n, _ := toInt64(a.val)
	return int32(n)
}

// executePrepared is sp_executesql over a prepared statement.
func (sc *scope) executePrepared(p preparedStmt, values []argument) (int32, map[int]outValue, error) {
	nvmax := sqltypes.NVarChar(sqltypes.MaxLength)
	args := append([]argument{
		{name: "@stmt", val: p.stmt, typ: nvmax, ord: -1},
		{name: "@params", val: p.decls, typ: nvmax, ord: -2},
	}, values...)
	return sc.executeSQL(args)
}
