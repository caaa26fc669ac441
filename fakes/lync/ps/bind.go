package ps

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Call is one bound command invocation handed to a Command's Run.
type Call struct {
	Command *Command
	// Text is the command's source text, as typed.
	Text string
	// Args maps canonical parameter names to bound values (switches: bool).
	Args map[string]any
	// Input is the pipeline input (all of it: pipelines run one stage at a
	// time here, which is indistinguishable for the commands we host).
	Input []any
	// Set is the parameter set the binder resolved ("" for a command
	// that declares none).
	Set string

	session *Session
	node    *CommandNode
	out     []any
	errs    []*ErrorRecord
}

// Has reports whether a parameter was bound.
func (c *Call) Has(name string) bool {
	_, ok := c.Args[name]
	return ok
}

// Get returns a bound value (nil if unbound).
func (c *Call) Get(name string) any { return c.Args[name] }

// String returns a bound value as a string.
func (c *Call) String(name string) string { return ToString(c.Args[name]) }

// Switch returns a switch parameter's state.
func (c *Call) Switch(name string) bool { return ToBool(c.Args[name]) }

// WhatIf reports -WhatIf (or $WhatIfPreference) for ShouldProcess commands.
func (c *Call) WhatIf() bool {
	if c.Has("WhatIf") {
		return c.Switch("WhatIf")
	}
	return ToBool(c.session.Var("WhatIfPreference"))
}

// Emit writes an object to the output pipeline.
func (c *Call) Emit(v any) { c.out = append(c.out, v) }

// Host writes a line to the host (console), as WhatIf messages do.
func (c *Call) Host(line string) { c.session.hostLine(line) }

// WriteError records a non-terminating error and lets the command go on.
func (c *Call) WriteError(rec *ErrorRecord) {
	c.errs = append(c.errs, c.decorate(rec))
}

// ShouldProcess mirrors PSCmdlet.ShouldProcess: with -WhatIf it prints the
// "What if:" line and returns false; with -Confirm it fails, because the
// remote powershell.exe has no one to answer the prompt.
func (c *Call) ShouldProcess(target, action string) (bool, error) {
	if c.WhatIf() {
		c.Host(fmt.Sprintf("What if: Performing the operation \"%s\" on target \"%s\".", action, target))
		return false, nil
	}
	if c.Has("Confirm") && c.Switch("Confirm") {
		return false, NewError("InvalidOperation", "PSInvalidOperationException", "HostFunctionNotImplemented",
			"Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.")
	}
	return true, nil
}

// RunScriptBlock runs a script block with $_ set to item and returns its
// output collapsed to a single value.
func (c *Call) RunScriptBlock(ctx context.Context, sb *ScriptBlock, item any) (any, error) {
	return c.session.runBlock(ctx, sb, item)
}

func (c *Call) decorate(rec *ErrorRecord) *ErrorRecord {
	if rec.Activity == "" {
		rec.Activity = c.Command.Name
	}
	if rec.ImplementingType == "" {
		rec.ImplementingType = c.Command.ImplementingType
	}
	return rec.withExtent(c.session.script, c.node)
}

// AmbiguousParameterSet is PowerShell's error when the bound parameters do
// not pick exactly one parameter set.
func AmbiguousParameterSet() *ErrorRecord {
	return NewError("InvalidArgument", "ParameterBindingException", "AmbiguousParameterSet",
		"Parameter set cannot be resolved using the specified named parameters.")
}

func bindError(id, format string, args ...any) *ErrorRecord {
	return NewError("InvalidArgument", "ParameterBindingException", id, format, args...)
}

// findParam resolves -name: exact name or alias first, then an unambiguous
// prefix of names and aliases, all case-insensitive (PowerShell's rules).
func findParam(params []Param, name string) (*Param, *ErrorRecord) {
	ln := strings.ToLower(name)
	for i := range params {
		if strings.ToLower(params[i].Name) == ln {
			return &params[i], nil
		}
		for _, a := range params[i].Aliases {
			if strings.ToLower(a) == ln {
				return &params[i], nil
			}
		}
	}
	var matches []*Param
	seen := map[string]bool{}
	for i := range params {
		cands := append([]string{params[i].Name}, params[i].Aliases...)
		for _, cand := range cands {
			if strings.HasPrefix(strings.ToLower(cand), ln) && !seen[params[i].Name] {
				seen[params[i].Name] = true
				matches = append(matches, &params[i])
			}
		}
	}
	switch len(matches) {
	case 0:
		return nil, bindError("NamedParameterNotFound", "A parameter cannot be found that matches parameter name '%s'.", name)
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "-" + m.Name
	}
	return nil, bindError("AmbiguousParameter", "Parameter cannot be processed because the parameter name '%s' is ambiguous. Possible matches include: %s.", name, strings.Join(names, " "))
}

// convert applies the parameter's kind to a value.
func convert(p *Param, v any) (any, *ErrorRecord) {
	switch p.Kind {
	case KindSwitch:
		return ToBool(v), nil
	case KindString:
		if v == nil {
			return nil, nil
		}
		if _, ok := v.(*ScriptBlock); ok {
			return nil, bindError("CannotConvertArgument", "Cannot bind parameter '%s'. Cannot convert the \"%s\" value of type \"System.Management.Automation.ScriptBlock\" to type \"%s\".", p.Name, ToString(v), p.typeName())
		}
		return ToString(v), nil
	case KindStrings:
		if v == nil {
			return nil, nil
		}
		list := StringList(v)
		out := make([]any, len(list))
		for i, e := range list {
			out[i] = e
		}
		return out, nil
	case KindInt:
		if n, ok := toNumber(v); ok && v != nil {
			return int64(n), nil
		}
		return nil, bindError("CannotConvertArgumentNoMessage", "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"System.Int32\". Error: \"Input string was not in a correct format.\"", p.Name, ToString(v))
	case KindEnum:
		s := strings.TrimSpace(ToString(v))
		for _, e := range p.Enum {
			if strings.EqualFold(e, s) {
				return e, nil
			}
		}
		return nil, bindError("CannotConvertArgumentNoMessage",
			"Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n%s\"",
			p.Name, ToString(v), p.typeName(), ToString(v), strings.Join(p.Enum, ", "))
	case KindScriptBlock:
		if sb, ok := v.(*ScriptBlock); ok {
			return sb, nil
		}
		return nil, bindError("CannotConvertArgument", "Cannot bind parameter '%s'. Cannot convert the \"%s\" value of type \"%s\" to type \"System.Management.Automation.ScriptBlock\".", p.Name, ToString(v), typeNameOf(v))
	}
	return v, nil
}

func (p *Param) typeName() string {
	if p.TypeName != "" {
		return p.TypeName
	}
	switch p.Kind {
	case KindString:
		return "System.String"
	case KindStrings:
		return "System.String[]"
	case KindInt:
		return "System.Int32"
	case KindSwitch:
		return "System.Management.Automation.SwitchParameter"
	}
	return "System.Object"
}

type boundArg struct {
	node Node
	val  any
}

// bind matches the command's elements to parameters.
func (s *Session) bind(ctx context.Context, call *Call, n *CommandNode) *ErrorRecord {
	params := call.Command.allParams()
	var positional []boundArg
	at := func(rec *ErrorRecord, node Node) *ErrorRecord {
		return rec.withExtent(s.script, node)
	}
	for i := 0; i < len(n.Elems); i++ {
		el := n.Elems[i]
		if el.Splat != "" {
			// @name: a hashtable's entries bind as -Key value, an array's
			// elements as positional arguments ($null: nothing).
			elNode := &el
			switch x := s.Var(el.Splat).(type) {
			case nil:
			case *Hashtable:
				for _, k := range x.Keys() {
					val, _ := x.Get(k)
					if rec := bindNamed(call, params, k, val); rec != nil {
						return at(rec, elNode)
					}
				}
			default:
				for _, v := range Flatten(x) {
					positional = append(positional, boundArg{elNode, v})
				}
			}
			continue
		}
		if el.Param == "" {
			v, err := s.eval(ctx, el.Arg)
			if err != nil {
				return asRecord(err).withExtent(s.script, el.Arg)
			}
			positional = append(positional, boundArg{el.Arg, v})
			continue
		}
		elNode := &el
		p, rec := findParam(params, el.Param)
		if rec != nil {
			return at(rec, elNode)
		}
		if _, dup := call.Args[p.Name]; dup {
			return at(bindError("ParameterAlreadyBound", "Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.Name), elNode)
		}
		var raw any
		switch {
		case el.Colon:
			v, err := s.eval(ctx, el.Arg)
			if err != nil {
				return asRecord(err).withExtent(s.script, el.Arg)
			}
			raw = v
		case p.Kind == KindSwitch:
			raw = true
		default:
			if i+1 >= len(n.Elems) || n.Elems[i+1].Param != "" {
				return at(bindError("MissingArgument", "Missing an argument for parameter '%s'. Specify a parameter of type '%s' and try again.", p.Name, p.typeName()), elNode)
			}
			i++
			v, err := s.eval(ctx, n.Elems[i].Arg)
			if err != nil {
				return asRecord(err).withExtent(s.script, n.Elems[i].Arg)
			}
			raw = v
		}
		v, rec := convert(p, raw)
		if rec != nil {
			return at(rec, elNode)
		}
		if raw == nil && p.Mandatory && !p.AllowNull {
			return at(bindError("ParameterArgumentValidationErrorNullNotAllowed", "Cannot bind argument to parameter '%s' because it is null.", p.Name), elNode)
		}
		call.Args[p.Name] = v
	}
	// Positional arguments fill unbound positional parameters in order.
	var slots []*Param
	for i := range params {
		if params[i].Position >= 0 {
			slots = append(slots, &params[i])
		}
	}
	sort.SliceStable(slots, func(a, b int) bool { return slots[a].Position < slots[b].Position })
	for _, arg := range positional {
		var target *Param
		for _, sl := range slots {
			if _, bound := call.Args[sl.Name]; !bound {
				target = sl
				break
			}
		}
		if target == nil {
			return at(bindError("PositionalParameterNotFound", "A positional parameter cannot be found that accepts argument '%s'.", ToString(arg.val)), arg.node)
		}
		v, rec := convert(target, arg.val)
		if rec != nil {
			return at(rec, arg.node)
		}
		call.Args[target.Name] = v
	}
	set, rec := resolveSet(call, params)
	if rec != nil {
		return at(rec, n)
	}
	call.Set = set
	if missing := missingMandatory(call, params, set); len(missing) > 0 {
		return at(bindError("MissingMandatoryParameter", "Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(missing, " ")), n)
	}
	return nil
}

// inSet reports whether p belongs to the parameter set (every parameter
// does when the command declares no sets).
func (p *Param) inSet(set string) bool {
	if len(p.Sets) == 0 || set == "" {
		return true
	}
	for _, s := range p.Sets {
		if strings.EqualFold(s, set) {
			return true
		}
	}
	return false
}

// missingMandatory lists the set's mandatory parameters left unbound.
func missingMandatory(call *Call, params []Param, set string) []string {
	var missing []string
	for i := range params {
		p := &params[i]
		if !p.Mandatory || !p.inSet(set) || slices.ContainsFunc(p.OptionalIn, func(o string) bool { return strings.EqualFold(o, set) }) {
			continue
		}
		if _, ok := call.Args[p.Name]; ok {
			continue
		}
		if p.FromPipeline && len(call.Input) > 0 {
			continue
		}
		missing = append(missing, p.Name)
	}
	return missing
}

// resolveSet picks the parameter set as PowerShell's binder does: the sets
// every bound parameter belongs to; of several, the ones whose mandatory
// parameters are all bound; of several still, the default set. No set
// left, or several and no default among them, is AmbiguousParameterSet.
func resolveSet(call *Call, params []Param) (string, *ErrorRecord) {
	var all []string
	seen := map[string]bool{}
	for i := range params {
		for _, s := range params[i].Sets {
			if k := strings.ToLower(s); !seen[k] {
				seen[k] = true
				all = append(all, s)
			}
		}
	}
	if len(all) == 0 {
		return "", nil
	}
	cands := all
	for i := range params {
		p := &params[i]
		if _, bound := call.Args[p.Name]; !bound || len(p.Sets) == 0 {
			continue
		}
		var keep []string
		for _, s := range cands {
			if p.inSet(s) {
				keep = append(keep, s)
			}
		}
		cands = keep
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	if len(cands) == 0 {
		return "", AmbiguousParameterSet()
	}
	var complete []string
	for _, s := range cands {
		if len(missingMandatory(call, params, s)) == 0 {
			complete = append(complete, s)
		}
	}
	if len(complete) == 1 {
		return complete[0], nil
	}
	def := call.Command.DefaultSet
	for _, s := range cands {
		if def != "" && strings.EqualFold(s, def) {
			return s, nil
		}
	}
	return "", AmbiguousParameterSet()
}

// bindNamed binds a value to the parameter called name, as -name:value
// does (splatting).
func bindNamed(call *Call, params []Param, name string, raw any) *ErrorRecord {
	p, rec := findParam(params, name)
	if rec != nil {
		return rec
	}
	if _, dup := call.Args[p.Name]; dup {
		return bindError("ParameterAlreadyBound", "Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", p.Name)
	}
	v, rec := convert(p, raw)
	if rec != nil {
		return rec
	}
	if raw == nil && p.Mandatory && !p.AllowNull {
		return bindError("ParameterArgumentValidationErrorNullNotAllowed", "Cannot bind argument to parameter '%s' because it is null.", p.Name)
	}
	call.Args[p.Name] = v
	return nil
}
