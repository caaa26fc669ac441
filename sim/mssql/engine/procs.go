package engine

import (
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/procbind"
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ProcParam declares one parameter of a system procedure
// (sim/mssql/procbind, which binds a call's arguments to them).
type ProcParam = procbind.Param

// SystemProc is a master/msdb system procedure implemented in Go. Later
// issues (backup history, log shipping, SQL Agent) add theirs to the
// registry with RegisterProc.
type SystemProc struct {
	Params []ProcParam
	// Run executes the call; it returns the procedure's return status.
	Run func(pc *ProcCall) (int32, error)
}

// SessionID is the calling session's spid.
func (pc *ProcCall) SessionID() int { return pc.sc.s.id }

// Database is the calling session's current database.
func (pc *ProcCall) Database() *Database { return pc.sc.s.currentDB() }

// ProcCall is one running system procedure call: its arguments
// (procbind.Call: Arg, Given, SetOutput, Name, Qualifier) and the scope it
// runs in.
type ProcCall struct {
	procbind.Call
	sc *scope
}

// procArg is a parameter's value for one call.
type procArg = procbind.Bound

// Result sends a result set from the procedure.
func (pc *ProcCall) Result(cols []Column, rows [][]Value) error {
	sc := pc.sc
	if err := sc.emit(sc.out.Columns(cols)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := sc.emit(sc.out.Row(r)); err != nil {
			return err
		}
	}
	sc.s.rowcount = int64(len(rows))
	return sc.done(DoneInfo{Count: int64(len(rows)), HasCount: true, CurCmd: 0xC1})
}

// Message sends an informational message from the procedure.
func (pc *ProcCall) Message(e *Error) error { return pc.sc.message(e) }

// Instance returns the instance the procedure runs in (for procedures
// that inspect or change the server).
func (pc *ProcCall) Instance() *Instance { return pc.sc.s.inst }

// RegisterProc adds (or replaces) a system procedure.
func (inst *Instance) RegisterProc(name string, p SystemProc) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	inst.procs[strings.ToLower(name)] = p
}

func (inst *Instance) proc(name string) (SystemProc, bool) {
	inst.mu.RLock()
	defer inst.mu.RUnlock()
	p, ok := inst.procs[strings.ToLower(name)]
	return p, ok
}

// argument is one value passed to a procedure, from EXEC or RPC.
type argument struct {
	name   string // "" positional
	val    Value
	typ    Type
	isDef  bool
	output bool
	target *variable // EXEC ... @v OUTPUT
	ord    int
}

// bindArgs matches arguments to parameters (procbind.Bind: 8144 too
// many, 8145 unknown name, 201 missing).
func bindArgs(procName string, params []ProcParam, args []argument) (map[string]*procArg, error) {
	return procbind.Bind(procName, params, procArgs(args))
}

// procArgs are the arguments as procbind sees them.
func procArgs(args []argument) []procbind.Arg {
	in := make([]procbind.Arg, len(args))
	for i, a := range args {
		in[i] = procbind.Arg{Name: a.name, Val: a.val, Type: a.typ, IsDefault: a.isDef, Output: a.output}
	}
	return in
}

func procNameOf(n *tsql.ObjectName) string { return n.Object().Name }

// execExec runs EXEC proc args (statement form).
func (sc *scope) execExec(x *tsql.ExecStmt) error {
	if x.ProcVar != "" {
		v := sc.lookupVar(x.ProcVar)
		if v == nil {
			return newErr(sqlerr.MustDeclareVariable, x.ProcVar)
		}
		s, _ := v.val.(string)
		n := &tsql.ObjectName{}
		for _, p := range sessionfuncs.SplitObjectName(s) {
			n.Parts = append(n.Parts, tsql.Ident{Name: p})
		}
		x2 := *x
		x2.Proc, x2.ProcVar = n, ""
		x = &x2
	}
	var args []argument
	for i, a := range x.Args {
		arg := argument{name: a.Name, output: a.Output, ord: i}
		if _, ok := a.Value.(*tsql.DefaultExpr); ok {
			arg.isDef = true
		} else {
			if a.Output {
				vr, ok := a.Value.(*tsql.VarRef)
				if !ok {
					return newErr(sqlerr.OutputWithConstant)
				}
				if arg.target = sc.lookupVar(vr.Name); arg.target == nil {
					return newErr(sqlerr.MustDeclareVariable, vr.Name)
				}
			}
			v, t, err := sc.evalScalar(a.Value)
			if err != nil {
				return err
			}
			arg.val, arg.typ = v, t
		}
		args = append(args, arg)
	}
	var retVar *variable
	if x.ReturnVar != "" {
		if retVar = sc.lookupVar(x.ReturnVar); retVar == nil {
			return newErr(sqlerr.MustDeclareVariable, x.ReturnVar)
		}
	}
	status, outs, err := sc.callProc(x.Proc, args)
	if err != nil {
		return err
	}
	for _, a := range args {
		if a.target != nil {
			if o, ok := outs[a.ord]; ok {
				if err := sc.assign(a.target, "=", constExpr(o.val, o.typ), &env{}); err != nil {
					return err
				}
			}
		}
	}
	if retVar != nil {
		retVar.val = int64(status)
	}
	return sc.done(DoneInfo{CurCmd: 0xE0})
}

// outValue is an OUTPUT parameter's value after a call.
type outValue struct {
	name string
	val  Value
	typ  Type
}

// callProc runs a procedure by name: sp_executesql or a registered system
// procedure (2812 otherwise). It returns the status and the OUTPUT values
// by argument ordinal.
func (sc *scope) callProc(n *tsql.ObjectName, args []argument) (int32, map[int]outValue, error) {
	name := procNameOf(n)
	if db := n.Database().Name; db != "" && sc.s.inst.DB(db) == nil {
		return 0, nil, newErr(sqlerr.ProcedureNotFound, nameText(n))
	}
	if sc.depth >= 32 {
		return 0, nil, newErr(sqlerr.NestingLimit, 32)
	}
	defer sc.restoreDB(sc.s.currentDB())
	if !strings.EqualFold(name, "sp_reset_connection") {
		defer sc.restoreOptions(sc.s.opts)
	}
	if strings.EqualFold(name, "sp_executesql") {
		return sc.executeSQL(args)
	}
	if isPreparedProc(name) {
		return sc.callPrepared(name, args)
	}
	p, ok := sc.s.inst.proc(name)
	if !ok {
		if status, outs, found, err := sc.callUserProc(n, args); found {
			return status, outs, err
		}
		return 0, nil, newErr(sqlerr.ProcedureNotFound, nameText(n))
	}
	bound, err := bindArgs(name, p.Params, args)
	if err != nil {
		return 0, nil, err
	}
	child := sc.child(name)
	pc := &ProcCall{Call: procbind.NewCall(name, n.Database().Name, bound), sc: child}
	before := sc.s.tranCount
	status, err := p.Run(pc)
	if err != nil {
		if _, ok := asSQLError(err); ok {
			// An error inside the procedure ends it; report it in the
			// procedure's context and give the caller a failure status.
			if ferr := child.fail(&tsql.ExecStmt{}, err); ferr != nil {
				return 0, nil, ferr
			}
			if status == 0 {
				status = 1
			}
		} else {
			return 0, nil, err
		}
	}
	if after := sc.s.tranCount; after != before {
		if err := child.message(newErr(sqlerr.TranCountMismatch, before, after)); err != nil {
			return 0, nil, err
		}
	}
	outs := map[int]outValue{}
	for _, a := range args {
		if !a.output {
			continue
		}
		var pa *procArg
		if a.name != "" {
			pa = bound[strings.ToLower(ensureAt(a.name))]
		} else if a.ord < len(p.Params) {
			pa = bound[strings.ToLower(p.Params[a.ord].Name)]
		}
		if pa != nil {
			outs[a.ord] = outValue{name: a.name, val: pa.Val, typ: pa.Param.Type}
		}
	}
	return status, outs, nil
}

func ensureAt(s string) string { return procbind.EnsureAt(s) }

// paramDecl is one declaration of sp_executesql's @params.
type paramDecl = procbind.Decl

// parseParamDecls parses "@a int, @b nvarchar(10) OUTPUT, @c int = 5".
func (sc *scope) parseParamDecls(text string) ([]paramDecl, error) {
	dc := &sc.s.inst.dcache
	dc.mu.Lock()
	if d, ok := dc.m[text]; ok {
		dc.mu.Unlock()
		return d, nil
	}
	dc.mu.Unlock()
	out, err := sc.parseParamDeclsUncached(text)
	if err != nil {
		return nil, err
	}
	dc.mu.Lock()
	if dc.m == nil || len(dc.m) >= parseCacheMax {
		dc.m = map[string][]paramDecl{}
	}
	dc.m[text] = out
	dc.mu.Unlock()
	return out, nil
}

// declCache keeps parsed sp_executesql declarations (immutable).
type declCache struct {
	mu sync.Mutex
	m  map[string][]paramDecl
}

func (sc *scope) parseParamDeclsUncached(text string) ([]paramDecl, error) {
	return procbind.ParseDecls(text, sc.s.inst.parse)
}

// executeSQL is sp_executesql: @stmt, @params, then the parameters
// (procbind's SplitExecuteSQL and BindDecls), run as a child scope whose
// variables are the declared parameters.
func (sc *scope) executeSQL(args []argument) (int32, map[int]outValue, error) {
	in := procArgs(args)
	call, err := procbind.SplitExecuteSQL(in)
	if err != nil {
		return 0, nil, err
	}
	decls, err := sc.parseParamDecls(call.Params)
	if err != nil {
		return 0, nil, err
	}
	child := sc.child(sc.procName)
	child.procName = ""
	vars := make([]*variable, len(decls))
	for i, d := range decls {
		vars[i] = &variable{name: d.Name, typ: d.Type}
		child.vars[strings.ToLower(d.Name)] = vars[i]
	}
	target, err := procbind.BindDecls(call, decls, in, child.evalScalar, func(k int, v Value) { vars[k].val = v })
	if err != nil {
		return 0, nil, err
	}
	if err := child.runBatch(call.Stmt); err != nil {
		return 0, nil, err
	}
	outs := map[int]outValue{}
	for _, i := range call.Rest {
		if a := args[i]; a.output {
			k := target[i]
			outs[a.ord] = outValue{name: a.name, val: vars[k].val, typ: decls[k].Type}
		}
	}
	return 0, outs, nil
}

// funcTable resolves table-valued functions in FROM (none in the core;
// sys.dm_os_file_exists arrives with issue 3).
func (sc *scope) funcTable(x *tsql.FuncTable) (*source, error) {
	if tf := sc.s.inst.reg.tableFuncs[strings.ToLower(nameText(&x.Call.Name))]; tf != nil {
		return tf(sc, x)
	}
	return nil, newErr(sqlerr.InvalidObject, nameText(&x.Call.Name))
}
