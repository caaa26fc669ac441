package ps

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ParamKind says how an argument is converted when it is bound.
type ParamKind int

// Parameter kinds.
const (
	KindAny ParamKind = iota
	KindString
	KindStrings
	KindSwitch
	KindInt
	KindEnum
	KindScriptBlock
)

// Param declares one parameter of a command.
type Param struct {
	Name    string
	Aliases []string
	Kind    ParamKind
	// TypeName is the .NET type shown in binding errors.
	TypeName string
	// Enum lists the valid names for KindEnum, in declaration order.
	Enum []string
	// Position is the 0-based positional slot, or -1 for named only.
	Position  int
	Mandatory bool
	// FromPipeline marks the parameter that receives pipeline input.
	FromPipeline bool
	// Sets names the parameter sets the parameter belongs to, as a
	// cmdlet's help page lists them; nil means every set
	// (__AllParameterSets). Mandatory applies within these sets.
	Sets []string
	// OptionalIn names sets of Sets in which a Mandatory parameter is
	// optional (Test-CsDatabase -SqlServerFqdn: optional in ByCMS only).
	OptionalIn []string
	// AllowNull lets a Mandatory parameter take $null ([AllowNull()]).
	AllowNull bool
}

// Command is a cmdlet registered into a Registry. The parser knows nothing
// about any command: everything Lync-specific registers through this.
type Command struct {
	Name   string
	Module string
	Params []Param
	// ShouldProcess adds -WhatIf and -Confirm.
	ShouldProcess bool
	// ImplementingType is appended to FullyQualifiedErrorId.
	ImplementingType string
	// DefaultSet is the set the binder picks when the bound parameters
	// leave several (the help page's "(Default)"); "" for none.
	DefaultSet string
	Run        func(ctx context.Context, c *Call) error
}

// Invocation describes one command call after it finished, for recording.
type Invocation struct {
	Name     string
	Module   string
	Text     string
	Params   map[string]string
	Err      *ErrorRecord
	Start    time.Time
	Duration time.Duration
}

// Hooks let the host observe and perturb command calls (fault injection,
// event recording) without the commands knowing.
type Hooks struct {
	// Before runs after binding and before the command; an error fails the
	// call as if the command had returned it.
	Before func(ctx context.Context, c *Call) error
	// After runs once per resolved command call, also when binding failed.
	After func(inv Invocation)
}

// Registry holds the commands and modules a session can use.
type Registry struct {
	cmds    map[string]*Command
	aliases map[string]string
	modules map[string]string
}

// NewRegistry returns a registry with the built-in utility commands.
func NewRegistry() *Registry {
	r := &Registry{cmds: map[string]*Command{}, aliases: map[string]string{}, modules: map[string]string{}}
	registerBuiltins(r)
	return r
}

// Register adds or replaces a command.
func (r *Registry) Register(c *Command) {
	r.cmds[strings.ToLower(c.Name)] = c
}

// Alias makes alias resolve to the command name.
func (r *Registry) Alias(alias, name string) {
	r.aliases[strings.ToLower(alias)] = name
}

// AddModule makes Import-Module accept the given module names.
func (r *Registry) AddModule(names ...string) {
	for _, n := range names {
		r.modules[strings.ToLower(n)] = n
	}
}

// Lookup resolves a command name or alias case-insensitively.
func (r *Registry) Lookup(name string) (*Command, bool) {
	ln := strings.ToLower(name)
	if i := strings.LastIndexByte(ln, '\\'); i >= 0 {
		if _, ok := r.modules[ln[:i]]; ok || ln[:i] == "microsoft.powershell.utility" || ln[:i] == "microsoft.powershell.core" {
			ln = ln[i+1:]
		}
	}
	if a, ok := r.aliases[ln]; ok {
		ln = strings.ToLower(a)
	}
	c, ok := r.cmds[ln]
	return c, ok
}

// Commands lists registered command names, sorted.
func (r *Registry) Commands() []string {
	var out []string
	for _, c := range r.cmds {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// commonParams are PowerShell's CommonParameters, present on every cmdlet.
var commonParams = []Param{
	{Name: "Verbose", Aliases: []string{"vb"}, Kind: KindSwitch, Position: -1},
	{Name: "Debug", Aliases: []string{"db"}, Kind: KindSwitch, Position: -1},
	{Name: "ErrorAction", Aliases: []string{"ea"}, Kind: KindEnum, TypeName: "System.Management.Automation.ActionPreference", Enum: actionPreferences, Position: -1},
	{Name: "WarningAction", Aliases: []string{"wa"}, Kind: KindEnum, TypeName: "System.Management.Automation.ActionPreference", Enum: actionPreferences, Position: -1},
	{Name: "InformationAction", Aliases: []string{"infa"}, Kind: KindEnum, TypeName: "System.Management.Automation.ActionPreference", Enum: actionPreferences, Position: -1},
	{Name: "ErrorVariable", Aliases: []string{"ev"}, Kind: KindString, TypeName: "System.String", Position: -1},
	{Name: "WarningVariable", Aliases: []string{"wv"}, Kind: KindString, TypeName: "System.String", Position: -1},
	{Name: "InformationVariable", Aliases: []string{"iv"}, Kind: KindString, TypeName: "System.String", Position: -1},
	{Name: "OutVariable", Aliases: []string{"ov"}, Kind: KindString, TypeName: "System.String", Position: -1},
	{Name: "OutBuffer", Aliases: []string{"ob"}, Kind: KindInt, TypeName: "System.Int32", Position: -1},
	{Name: "PipelineVariable", Aliases: []string{"pv"}, Kind: KindString, TypeName: "System.String", Position: -1},
}

var actionPreferences = []string{"SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"}

var shouldProcessParams = []Param{
	{Name: "WhatIf", Aliases: []string{"wi"}, Kind: KindSwitch, Position: -1},
	{Name: "Confirm", Aliases: []string{"cf"}, Kind: KindSwitch, Position: -1},
}

// allParams is the command's own parameters plus the common ones.
func (c *Command) allParams() []Param {
	out := append([]Param(nil), c.Params...)
	if c.ShouldProcess {
		out = append(out, shouldProcessParams...)
	}
	return append(out, commonParams...)
}

// Render formats a bound value for event records, PowerShell-literal style.
func Render(v any) string {
	switch x := v.(type) {
	case nil:
		return "$null"
	case bool:
		if x {
			return "$true"
		}
		return "$false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Render(e)
		}
		return strings.Join(parts, ",")
	case *Hashtable:
		var parts []string
		for _, k := range x.Keys() {
			v, _ := x.Get(k)
			parts = append(parts, k+"="+Render(v))
		}
		return "@{" + strings.Join(parts, "; ") + "}"
	case *ScriptBlock:
		return "{" + x.Text + "}"
	}
	return ToString(v)
}

func (c *Call) renderParams() map[string]string {
	out := map[string]string{}
	for k, v := range c.Args {
		out[k] = Render(v)
	}
	return out
}

func typeNameOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "System.String"
	case int64:
		return "System.Int32"
	case float64:
		return "System.Double"
	case bool:
		return "System.Boolean"
	case []any:
		return "System.Object[]"
	case *Hashtable:
		return "System.Collections.Hashtable"
	case *ScriptBlock:
		return "System.Management.Automation.ScriptBlock"
	case *Object:
		return "System.Management.Automation.PSCustomObject"
	case Enum:
		return v.Type
	}
	return fmt.Sprintf("%T", v)
}
