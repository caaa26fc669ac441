package ps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Result is what one powershell.exe run produced.
type Result struct {
	// Stdout is the formatted output (CRLF line ends), as the console host
	// writes it.
	Stdout string
	// Output holds the objects written to the output stream, unformatted.
	Output []any
	// Errors are the error records shown on the error stream.
	Errors []*ErrorRecord
	// ExitCode follows powershell.exe -Command: exit N, 1 after a terminating
	// error or when the last statement failed, else 0.
	ExitCode int
}

// Session is one powershell.exe process: fresh variables, one script.
type Session struct {
	reg    *Registry
	hooks  Hooks
	vars   map[string]any
	script []rune
	stdout strings.Builder
	errs   []*ErrorRecord
	out    []any

	under    any
	hasUnder bool
	// stmtFailed is set when a command wrote a non-terminating error, which
	// makes $? false like a failed statement.
	stmtFailed bool
	// tryDepth counts the try blocks being run: inside one, an error that
	// ends a statement goes to the catch instead of the error stream.
	tryDepth int
}

type exitSignal struct{ code int }

func (e *exitSignal) Error() string { return fmt.Sprintf("exit %d", e.code) }

// NewSession starts a session over the registry.
func NewSession(reg *Registry, hooks Hooks) *Session {
	return &Session{reg: reg, hooks: hooks, vars: map[string]any{
		"erroractionpreference": "Continue",
		"progresspreference":    "Continue",
		"whatifpreference":      false,
		"confirmpreference":     "High",
	}}
}

// Var reads a variable (case-insensitive).
func (s *Session) Var(name string) any {
	switch strings.ToLower(name) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	case "_", "psitem":
		return s.under
	}
	return s.vars[strings.ToLower(name)]
}

func (s *Session) setVar(name string, v any) error {
	switch strings.ToLower(name) {
	case "true", "false", "null", "?", "$", "^", "_", "psitem":
		return NewError("WriteError", "SessionStateUnauthorizedAccessException", "VariableNotWritable", "Cannot overwrite variable %s because it is read-only or constant.", name)
	}
	s.vars[strings.ToLower(name)] = v
	return nil
}

func (s *Session) hostLine(line string) {
	s.flushOutput()
	s.stdout.WriteString(line + "\r\n")
}

func (s *Session) flushOutput() {
	if len(s.out) > 0 {
		s.stdout.WriteString(FormatDefault(s.out))
		s.out = nil
	}
}

// Run parses and runs a script in a fresh session.
func Run(ctx context.Context, reg *Registry, hooks Hooks, script string) *Result {
	s := NewSession(reg, hooks)
	return s.Run(ctx, script)
}

// Run parses and runs a script in this session.
func (s *Session) Run(ctx context.Context, script string) *Result {
	s.script = []rune(script)
	res := &Result{}
	stmts, err := Parse(script)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			s.errs = append(s.errs, parseErrorRecord(s.script, pe))
		}
		res.Errors, res.ExitCode = s.errs, 1
		return res
	}
	lastOK := true
	var all []any
	for _, st := range stmts {
		if ctx.Err() != nil {
			s.errs = append(s.errs, NewError("OperationStopped", "PipelineStoppedException", "PipelineStopped", "The pipeline has been stopped."))
			res.ExitCode = 1
			break
		}
		s.stmtFailed = false
		out, err := s.execStatement(ctx, st)
		s.out = append(s.out, out...)
		all = append(all, out...)
		if err == nil {
			lastOK = !s.stmtFailed
			s.vars["?"] = lastOK
			s.vars["?"] = true
			continue
		}
		var ex *exitSignal
		if errors.As(err, &ex) {
			res.ExitCode = ex.code
			s.flushOutput()
			res.Stdout, res.Output, res.Errors = s.stdout.String(), all, s.errs
			return res
		}
		rec := asRecord(err)
		if rec.script == nil {
			rec.withExtent(s.script, st)
		}
		lastOK = false
		s.vars["?"] = false
		stop := rec.Terminating || strings.EqualFold(ToString(s.Var("ErrorActionPreference")), "Stop")
		if !rec.suppressed() || stop {
			s.flushOutput()
			s.errs = append(s.errs, rec)
		}
		if stop {
			res.ExitCode = 1
			break
		}
	}
	if !lastOK && res.ExitCode == 0 {
		res.ExitCode = 1
	}
	s.flushOutput()
	res.Stdout, res.Output, res.Errors = s.stdout.String(), all, s.errs
	return res
}

func (e *ErrorRecord) suppressed() bool { return e.quiet }

// execStatement runs one statement, returning what it wrote to output.
func (s *Session) execStatement(ctx context.Context, st Node) ([]any, error) {
	switch n := st.(type) {
	case *AssignStmt:
		v, err := s.evalStatementValue(ctx, n.Value)
		if err != nil {
			return nil, err
		}
		if n.Op != "" {
			// $x += v is $x = $x + v (array append, string concatenation,
			// arithmetic); $x -= v is $x = $x - v.
			nv, rec := s.binaryValue(n.Op, s.Var(n.Name), v)
			if rec != nil {
				return nil, rec.withExtent(s.script, n)
			}
			v = nv
		}
		if err := s.setVar(n.Name, v); err != nil {
			return nil, asRecord(err).withExtent(s.script, n)
		}
		return nil, nil
	case *IfStmt:
		for _, cl := range n.Clauses {
			c, err := s.evalStatementValue(ctx, cl.Cond)
			if err != nil {
				return nil, err
			}
			if ToBool(c) {
				return s.runBody(ctx, cl.Body)
			}
		}
		if n.HasElse {
			return s.runBody(ctx, n.Else)
		}
		return nil, nil
	case *ForeachStmt:
		coll, err := s.evalStatementValue(ctx, n.Coll)
		if err != nil {
			return nil, err
		}
		var out []any
		if coll == nil {
			return nil, nil // foreach over $null runs no iteration (PowerShell 3.0 and later)
		}
		for _, item := range Flatten(coll) {
			if err := s.setVar(n.Var, item); err != nil {
				return out, asRecord(err).withExtent(s.script, n)
			}
			o, err := s.runBody(ctx, n.Body)
			out = append(out, o...)
			if err != nil {
				return out, err
			}
		}
		return out, nil
	case *TryStmt:
		return s.runTry(ctx, n)
	case *ExitStmt:
		code := 0
		if n.Value != nil {
			v, err := s.evalStatementValue(ctx, n.Value)
			if err != nil {
				return nil, err
			}
			if f, ok := toNumber(v); ok {
				code = int(f)
			}
		}
		return nil, &exitSignal{code}
	case *ThrowStmt:
		msg := "ScriptHalted"
		if n.Value != nil {
			v, err := s.evalStatementValue(ctx, n.Value)
			if err != nil {
				return nil, err
			}
			msg = ToString(v)
		}
		rec := &ErrorRecord{Message: msg, Category: "OperationStopped", TargetName: msg, TargetType: "String", Reason: "RuntimeException", ErrorID: msg, Terminating: true}
		return nil, rec.withExtent(s.script, n)
	case *PipelineStmt:
		return s.runPipeline(ctx, n)
	}
	v, err := s.eval(ctx, st)
	if err != nil {
		return nil, err
	}
	return Flatten(v), nil
}

// evalStatementValue runs a statement used as a value (right of '=', hash
// values, parentheses) and collapses its output like PowerShell does.
func (s *Session) evalStatementValue(ctx context.Context, n Node) (any, error) {
	switch n.(type) {
	case *PipelineStmt, *AssignStmt, *IfStmt, *ForeachStmt, *TryStmt:
		out, err := s.execStatement(ctx, n)
		if err != nil {
			return nil, err
		}
		v := collapse(out)
		if err := checkSize(v); err != nil {
			return nil, asRecord(err).withExtent(s.script, n)
		}
		return v, nil
	}
	return s.eval(ctx, n)
}

func collapse(out []any) any {
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (s *Session) runPipeline(ctx context.Context, n *PipelineStmt) ([]any, error) {
	var input []any
	for i, el := range n.Elems {
		if cmd, ok := el.(*CommandNode); ok {
			out, err := s.invoke(ctx, cmd, input, i > 0)
			if err != nil {
				return nil, err
			}
			input = out
			continue
		}
		v, err := s.eval(ctx, el)
		if err != nil {
			return nil, err
		}
		input = Flatten(v)
		if v == nil {
			input = []any{nil}
		}
	}
	return input, nil
}

// invoke resolves, binds and runs one command.
func (s *Session) invoke(ctx context.Context, n *CommandNode, input []any, piped bool) ([]any, error) {
	cmd, ok := s.reg.Lookup(n.Name)
	if !ok {
		rec := &ErrorRecord{
			Message:  fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.", n.Name),
			Category: "ObjectNotFound", TargetName: n.Name, TargetType: "String",
			Reason: "CommandNotFoundException", ErrorID: "CommandNotFoundException", Prefix: n.Name,
		}
		return nil, rec.withExtent(s.script, n)
	}
	start := time.Now()
	call := &Call{Command: cmd, Text: string(s.script[n.start:n.end]), Args: map[string]any{}, session: s, node: n}
	if piped {
		call.Input = input
	}
	var result *ErrorRecord
	defer func() {
		if s.hooks.After != nil {
			s.hooks.After(Invocation{Name: cmd.Name, Module: cmd.Module, Text: call.Text, Params: call.renderParams(), Err: result, Start: start, Duration: time.Since(start)})
		}
	}()
	if rec := s.bind(ctx, call, n); rec != nil {
		result = call.decorate(rec)
		return nil, result
	}
	if piped {
		for _, p := range cmd.Params {
			if p.FromPipeline {
				if _, bound := call.Args[p.Name]; bound && len(input) > 0 {
					result = call.decorate(NewError("InvalidArgument", "ParameterBindingException", "InputObjectNotBound",
						"The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input."))
					return nil, result
				}
			}
		}
	}
	var err error
	if s.hooks.Before != nil {
		err = s.hooks.Before(ctx, call)
	}
	if err == nil {
		err = cmd.Run(ctx, call)
	}
	action := strings.ToLower(call.String("ErrorAction"))
	if !call.Has("ErrorAction") {
		action = strings.ToLower(ToString(s.Var("ErrorActionPreference")))
	}
	if err == nil && len(call.errs) > 0 {
		s.stmtFailed = true
		switch action {
		case "stop":
			result = call.errs[0]
			result.Terminating = true
			return call.out, result
		case "silentlycontinue", "ignore":
		default:
			s.errs = append(s.errs, call.errs...)
		}
		return call.out, nil
	}
	if err != nil {
		var ex *exitSignal
		if errors.As(err, &ex) {
			return nil, err
		}
		result = call.decorate(asRecord(err))
		switch strings.ToLower(call.String("ErrorAction")) {
		case "stop":
			result.Terminating = true
		case "silentlycontinue", "ignore":
			result.quiet = true
		}
		return call.out, result
	}
	return call.out, nil
}

// runBlock runs a script block with $_ bound.
func (s *Session) runBlock(ctx context.Context, sb *ScriptBlock, item any) (any, error) {
	saved, savedHas := s.under, s.hasUnder
	s.under, s.hasUnder = item, true
	defer func() { s.under, s.hasUnder = saved, savedHas }()
	var out []any
	for _, st := range sb.stmts {
		o, err := s.execStatement(ctx, st)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return collapse(out), nil
}

func (s *Session) runStatements(ctx context.Context, stmts []Node) ([]any, error) {
	var out []any
	for _, st := range stmts {
		o, err := s.execStatement(ctx, st)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return out, nil
}

// eval evaluates an expression node.
func (s *Session) eval(ctx context.Context, n Node) (any, error) {
	switch x := n.(type) {
	case *StringLit:
		if x.Parts == nil {
			return x.Value, nil
		}
		var b strings.Builder
		for _, part := range x.Parts {
			v, err := s.eval(ctx, part)
			if err != nil {
				return nil, err
			}
			b.WriteString(ToString(v))
			if b.Len() > 64*maxValueNodes {
				return nil, checkSize(b.String())
			}
		}
		return b.String(), nil
	case *NumberLit:
		return x.Value, nil
	case *VarRef:
		if strings.HasPrefix(strings.ToLower(x.Name), "env:") {
			return nil, nil
		}
		return s.Var(x.Name), nil
	case *ArrayLit:
		out := make([]any, 0, len(x.Elems))
		for _, e := range x.Elems {
			v, err := s.eval(ctx, e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if err := checkSize(out); err != nil {
			return nil, asRecord(err).withExtent(s.script, x)
		}
		return out, nil
	case *ArrayExpr:
		out, err := s.runStatements(ctx, x.Stmts)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = []any{}
		}
		if err := checkSize(out); err != nil {
			return nil, asRecord(err).withExtent(s.script, x)
		}
		return out, nil
	case *SubExpr:
		out, err := s.runStatements(ctx, x.Stmts)
		if err != nil {
			return nil, err
		}
		return collapse(out), nil
	case *ParenExpr:
		if a, ok := x.Inner.(*AssignStmt); ok {
			if _, err := s.execStatement(ctx, a); err != nil {
				return nil, err
			}
			return s.Var(a.Name), nil
		}
		return s.evalStatementValue(ctx, x.Inner)
	case *HashLit:
		h := NewHashtable()
		for _, e := range x.Entries {
			v, err := s.evalStatementValue(ctx, e.Value)
			if err != nil {
				return nil, err
			}
			if _, dup := h.Get(e.Key); dup {
				return nil, NewError("InvalidOperation", "RuntimeException", "DuplicateKeyInHashLiteral", "Duplicate keys '%s' are not allowed in hash literals.", e.Key).withExtent(s.script, x)
			}
			h.Set(e.Key, v)
		}
		if err := checkSize(h); err != nil {
			return nil, asRecord(err).withExtent(s.script, x)
		}
		return h, nil
	case *ScriptBlockLit:
		return &ScriptBlock{Text: x.Text, stmts: x.Stmts}, nil
	case *UnaryExpr:
		v, err := s.eval(ctx, x.X)
		if err != nil {
			return nil, err
		}
		if x.Op == "not" {
			return !ToBool(v), nil
		}
		f, ok := toNumber(v)
		if !ok {
			return nil, NewError("InvalidOperation", "RuntimeException", "OperatorFailed", "Cannot negate a value of type %s.", typeNameOf(v)).withExtent(s.script, x)
		}
		if i, isInt := v.(int64); isInt {
			return -i, nil
		}
		return -f, nil
	case *BinaryExpr:
		return s.evalBinary(ctx, x)
	case *MemberExpr:
		v, err := s.eval(ctx, x.X)
		if err != nil {
			return nil, err
		}
		return member(v, x.Name), nil
	case *IndexExpr:
		v, err := s.eval(ctx, x.X)
		if err != nil {
			return nil, err
		}
		i, err := s.eval(ctx, x.Index)
		if err != nil {
			return nil, err
		}
		return index(v, i), nil
	case *PipelineStmt, *AssignStmt:
		return s.evalStatementValue(ctx, n)
	}
	return nil, NewError("NotImplemented", "NotSupportedException", "NotSupported", "This expression is not supported by this PowerShell subset.").withExtent(s.script, n)
}

func (s *Session) evalBinary(ctx context.Context, x *BinaryExpr) (any, error) {
	l, err := s.eval(ctx, x.Left)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "and":
		if !ToBool(l) {
			return false, nil
		}
		r, err := s.eval(ctx, x.Right)
		if err != nil {
			return nil, err
		}
		return ToBool(r), nil
	case "or":
		if ToBool(l) {
			return true, nil
		}
		r, err := s.eval(ctx, x.Right)
		if err != nil {
			return nil, err
		}
		return ToBool(r), nil
	}
	r, err := s.eval(ctx, x.Right)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "xor":
		return ToBool(l) != ToBool(r), nil
	case "+", "-":
		v, rec := arith(x.Op, l, r)
		if rec != nil {
			return nil, rec.withExtent(s.script, x)
		}
		if err := checkSize(v); err != nil {
			return nil, asRecord(err).withExtent(s.script, x)
		}
		return v, nil
	}
	v, rec := Compare(x.Op, l, r)
	if rec != nil {
		return nil, rec.withExtent(s.script, x)
	}
	return v, nil
}

func arith(op string, l, r any) (any, *ErrorRecord) {
	switch lv := l.(type) {
	case string:
		if op == "+" {
			return lv + ToString(r), nil
		}
	case []any:
		if op == "+" {
			return append(append([]any{}, lv...), Flatten(r)...), nil
		}
	case nil:
		if op == "+" {
			return r, nil
		}
	}
	lf, ok1 := toNumber(l)
	rf, ok2 := toNumber(r)
	if !ok1 || !ok2 {
		return nil, NewError("InvalidOperation", "RuntimeException", "OperatorFailed", "Method invocation failed because [%s] does not contain a method named 'op_%s'.", typeNameOf(l), map[string]string{"+": "Addition", "-": "Subtraction"}[op])
	}
	res := lf + rf
	if op == "-" {
		res = lf - rf
	}
	_, li := l.(int64)
	_, ri := r.(int64)
	if li && (ri || isIntString(r)) {
		return int64(res), nil
	}
	return res, nil
}

func isIntString(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, isInt := parseNumber(strings.TrimSpace(s))
	return isInt && !strings.Contains(s, ".")
}

// member reads a property, enumerating arrays (member enumeration).
func member(v any, name string) any {
	switch x := v.(type) {
	case *Object:
		p, _ := x.Get(name)
		return p
	case *Hashtable:
		if p, ok := x.Get(name); ok {
			return p
		}
		switch strings.ToLower(name) {
		case "count":
			return int64(x.Len())
		case "keys":
			ks := x.Keys()
			out := make([]any, len(ks))
			for i, k := range ks {
				out[i] = k
			}
			return out
		}
		return nil
	case string:
		if strings.EqualFold(name, "Length") {
			return int64(len([]rune(x)))
		}
		return nil
	case []any:
		switch strings.ToLower(name) {
		case "count", "length":
			return int64(len(x))
		}
		var out []any
		for _, e := range x {
			m := member(e, name)
			if m != nil {
				out = append(out, Flatten(m)...)
			}
		}
		return collapse(out)
	case nil:
		return nil
	}
	if strings.EqualFold(name, "Count") || strings.EqualFold(name, "Length") {
		return int64(1)
	}
	return nil
}

func index(v, i any) any {
	switch x := v.(type) {
	case []any:
		f, ok := toNumber(i)
		if !ok {
			return nil
		}
		n := int(f)
		if n < 0 {
			n += len(x)
		}
		if n < 0 || n >= len(x) {
			return nil
		}
		return x[n]
	case *Hashtable:
		r, _ := x.Get(ToString(i))
		return r
	case string:
		f, ok := toNumber(i)
		rs := []rune(x)
		n := int(f)
		if n < 0 {
			n += len(rs)
		}
		if !ok || n < 0 || n >= len(rs) {
			return nil
		}
		return string(rs[n])
	case *Object:
		r, _ := x.Get(ToString(i))
		return r
	}
	return nil
}

// runBody runs the statements of a block (if, foreach, try, catch,
// finally) as the script's own statements run: an error that ends a
// statement is written to the error stream and the block goes on, unless
// it is terminating (throw, -ErrorAction Stop, $ErrorActionPreference
// Stop) or a try is running, when it ends the block and goes up.
func (s *Session) runBody(ctx context.Context, stmts []Node) ([]any, error) {
	var out []any
	for _, st := range stmts {
		if ctx.Err() != nil {
			return out, &ErrorRecord{Message: "The pipeline has been stopped.", Category: "OperationStopped", Reason: "PipelineStoppedException", ErrorID: "PipelineStopped", Terminating: true}
		}
		s.stmtFailed = false
		o, err := s.execStatement(ctx, st)
		out = append(out, o...)
		if err == nil {
			s.vars["?"] = !s.stmtFailed
			continue
		}
		var ex *exitSignal
		if errors.As(err, &ex) {
			return out, err
		}
		rec := asRecord(err)
		if rec.script == nil {
			rec.withExtent(s.script, st)
		}
		s.vars["?"] = false
		if rec.Terminating || s.tryDepth > 0 || strings.EqualFold(ToString(s.Var("ErrorActionPreference")), "Stop") {
			return out, rec
		}
		if !rec.suppressed() {
			s.errs = append(s.errs, rec)
		}
		s.stmtFailed = true
	}
	return out, nil
}

// runTry runs try/catch/finally: an error that ends a statement of the try
// block (a cmdlet's error, throw, a non-terminating error made terminating
// by -ErrorAction Stop) runs the first catch whose type matches, with $_
// the error record; the error is then not written. finally runs whatever
// happened, exit included.
func (s *Session) runTry(ctx context.Context, n *TryStmt) ([]any, error) {
	s.tryDepth++
	out, err := s.runBody(ctx, n.Body)
	s.tryDepth--
	var ex *exitSignal
	if err != nil && !errors.As(err, &ex) && ctx.Err() == nil {
		rec := asRecord(err)
		for _, cc := range n.Catches {
			ok, rerr := catches(cc.Types, rec)
			if rerr != nil {
				err = rerr
				break
			}
			if !ok {
				continue
			}
			saved, savedHas := s.under, s.hasUnder
			s.under, s.hasUnder = errorObject(rec), true
			o, cerr := s.runBody(ctx, cc.Body)
			s.under, s.hasUnder = saved, savedHas
			out = append(out, o...)
			err = cerr
			break
		}
	}
	if n.HasFinally {
		o, ferr := s.runBody(ctx, n.Finally)
		out = append(out, o...)
		if ferr != nil {
			err = ferr
		}
	}
	return out, err
}

// runtimeExceptions are the PowerShell exceptions derived from
// System.Management.Automation.RuntimeException that the fake raises.
var runtimeExceptions = map[string]bool{
	"RuntimeException": true, "ParameterBindingException": true, "CommandNotFoundException": true,
	"ItemNotFoundException": true, "PSInvalidOperationException": true, "ParentContainsErrorRecordException": true,
	"ParameterBindingValidationException": true, "PipelineStoppedException": true, "ParseException": true,
	"SessionStateUnauthorizedAccessException": true, "MethodInvocationException": true,
}

// catches reports whether a catch clause with these types takes rec. No
// type takes everything; [Exception] and [SystemException] take everything
// the fake raises; [RuntimeException] takes PowerShell's own errors; any
// other exception type takes errors of exactly that type. A name that is
// no exception type is PowerShell's "Unable to find type".
func catches(types []string, rec *ErrorRecord) (bool, error) {
	if len(types) == 0 {
		return true, nil
	}
	for _, t := range types {
		short := t[strings.LastIndexByte(t, '.')+1:]
		if !strings.HasSuffix(short, "Exception") {
			return false, &ErrorRecord{Message: fmt.Sprintf("Unable to find type [%s].", t), Category: "InvalidOperation",
				TargetName: t, TargetType: "TypeName", Reason: "RuntimeException", ErrorID: "TypeNotFound", Terminating: true}
		}
		switch {
		case strings.EqualFold(short, "Exception"), strings.EqualFold(short, "SystemException"):
			return true, nil
		case strings.EqualFold(short, "RuntimeException") && runtimeExceptions[rec.Reason]:
			return true, nil
		case strings.EqualFold(short, rec.Reason):
			return true, nil
		}
	}
	return false, nil
}

// errorObject is $_ in a catch block: the error record's properties a
// script reads ($_.Exception.Message, $_.FullyQualifiedErrorId, ...).
func errorObject(rec *ErrorRecord) *Object {
	exc := NewObject("System."+rec.Reason, "Message", rec.Message)
	exc.Display = rec.Message
	cat := NewObject("System.Management.Automation.ErrorCategoryInfo", "Category", rec.Category, "Reason", rec.Reason,
		"TargetName", rec.TargetName, "TargetType", rec.TargetType, "Activity", rec.Activity)
	cat.Display = rec.categoryInfo()
	o := NewObject("System.Management.Automation.ErrorRecord",
		"Exception", exc, "FullyQualifiedErrorId", rec.fqid(), "CategoryInfo", cat, "TargetObject", rec.TargetName)
	o.Display = rec.Message
	return o
}

// binaryValue applies + or - to two values as the operators do (the
// compound assignments' arithmetic).
func (s *Session) binaryValue(op string, l, r any) (any, *ErrorRecord) {
	v, rec := arith(op, l, r)
	if rec != nil {
		return nil, rec
	}
	if err := checkSize(v); err != nil {
		return nil, asRecord(err)
	}
	return v, nil
}
