package ps

import (
	"context"
	"strings"
)

const utilityModule = "Microsoft.PowerShell.Utility"

// registerBuiltins adds the utility cmdlets the engine pipes into.
func registerBuiltins(r *Registry) {
	r.Register(&Command{
		Name: "ConvertTo-Json", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.ConvertToJsonCommand",
		Params: []Param{
			{Name: "InputObject", Kind: KindAny, Position: 0, Mandatory: true, FromPipeline: true},
			{Name: "Depth", Kind: KindInt, Position: -1},
			{Name: "Compress", Kind: KindSwitch, Position: -1},
		},
		Run: runConvertToJSON,
	})
	r.Register(&Command{
		Name: "Select-Object", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.SelectObjectCommand",
		Params: []Param{
			{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true},
			{Name: "Property", Kind: KindAny, Position: 0},
			{Name: "ExpandProperty", Kind: KindString, Position: -1},
			{Name: "First", Kind: KindInt, Position: -1},
			{Name: "Last", Kind: KindInt, Position: -1},
			{Name: "Skip", Kind: KindInt, Position: -1},
			{Name: "Unique", Kind: KindSwitch, Position: -1},
		},
		Run: runSelectObject,
	})
	whereParams := []Param{
		{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true},
		{Name: "FilterScript", Kind: KindAny, Position: 0},
		{Name: "Value", Kind: KindAny, Position: 1},
	}
	for _, op := range []string{"EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains", "NotContains", "In", "NotIn", "CEQ", "CNE", "CLike", "CMatch"} {
		whereParams = append(whereParams, Param{Name: op, Kind: KindSwitch, Position: -1})
	}
	r.Register(&Command{
		Name: "Where-Object", Module: "Microsoft.PowerShell.Core", ImplementingType: "Microsoft.PowerShell.Commands.WhereObjectCommand",
		Params: whereParams, Run: runWhereObject,
	})
	r.Register(&Command{
		Name: "ForEach-Object", Module: "Microsoft.PowerShell.Core", ImplementingType: "Microsoft.PowerShell.Commands.ForEachObjectCommand",
		Params: []Param{
			{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true},
			{Name: "Process", Kind: KindAny, Position: 0, Mandatory: true},
		},
		Run: func(ctx context.Context, c *Call) error {
			for _, item := range c.Input {
				if sb, ok := c.Get("Process").(*ScriptBlock); ok {
					v, err := c.RunScriptBlock(ctx, sb, item)
					if err != nil {
						return err
					}
					if v != nil {
						for _, e := range Flatten(v) {
							c.Emit(e)
						}
					}
					continue
				}
				if m := member(item, c.String("Process")); m != nil {
					for _, e := range Flatten(m) {
						c.Emit(e)
					}
				}
			}
			return nil
		},
	})
	r.Register(&Command{
		Name: "Write-Output", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.WriteOutputCommand",
		Params: []Param{{Name: "InputObject", Kind: KindAny, Position: 0, FromPipeline: true}, {Name: "NoEnumerate", Kind: KindSwitch, Position: -1}},
		Run: func(_ context.Context, c *Call) error {
			for _, v := range append(c.Input, flattenArg(c, "InputObject")...) {
				c.Emit(v)
			}
			return nil
		},
	})
	r.Register(&Command{
		Name: "Write-Host", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.WriteHostCommand",
		Params: []Param{{Name: "Object", Kind: KindAny, Position: 0, FromPipeline: true}, {Name: "NoNewline", Kind: KindSwitch, Position: -1}},
		Run: func(_ context.Context, c *Call) error {
			c.Host(ToString(c.Get("Object")))
			return nil
		},
	})
	r.Register(&Command{
		Name: "Write-Error", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.WriteErrorCommand",
		Params: []Param{{Name: "Message", Kind: KindString, Position: 0, Mandatory: true}},
		Run: func(_ context.Context, c *Call) error {
			rec := NewError("NotSpecified", "WriteErrorException", "Microsoft.PowerShell.Commands.WriteErrorException", "%s", c.String("Message"))
			rec.Activity = "Write-Error"
			rec.ImplementingType = ""
			return rec
		},
	})
	r.Register(&Command{
		Name: "Out-Null", Module: "Microsoft.PowerShell.Core", ImplementingType: "Microsoft.PowerShell.Commands.OutNullCommand",
		Params: []Param{{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true}},
		Run:    func(context.Context, *Call) error { return nil },
	})
	r.Register(&Command{
		Name: "Out-String", Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands.OutStringCommand",
		Params: []Param{
			{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true},
			// -Width: the fake writes no line longer than its content, so
			// any width is the same text; it is checked and accepted.
			{Name: "Width", Kind: KindInt, Position: -1},
			{Name: "Stream", Kind: KindSwitch, Position: -1},
		},
		Run: func(_ context.Context, c *Call) error {
			if c.Has("Width") && c.Get("Width").(int64) < 2 {
				return NewError("InvalidData", "ParameterBindingValidationException", "ParameterArgumentValidationError",
					"Cannot validate argument on parameter 'Width'. The %d argument is less than the minimum allowed range of 2. Supply an argument that is greater than or equal to 2 and then try the command again.", c.Get("Width").(int64))
			}
			text := FormatDefault(append(c.Input, flattenArg(c, "InputObject")...))
			if !c.Switch("Stream") {
				c.Emit(text)
				return nil
			}
			for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
				c.Emit(line)
			}
			return nil
		},
	})
	for _, f := range []struct {
		name, impl string
		format     func([]any, []string) string
	}{{"Format-List", "FormatListCommand", FormatList}, {"Format-Table", "FormatTableCommand", FormatTable}} {
		params := []Param{
			{Name: "Property", Kind: KindStrings, Position: 0},
			{Name: "InputObject", Kind: KindAny, Position: -1, FromPipeline: true},
		}
		if f.name == "Format-Table" {
			// -AutoSize and -Wrap change nothing here: columns are always
			// as wide as their widest cell and nothing is truncated.
			params = append(params, Param{Name: "AutoSize", Kind: KindSwitch, Position: -1}, Param{Name: "Wrap", Kind: KindSwitch, Position: -1})
		}
		format := f.format
		r.Register(&Command{
			Name: f.name, Module: utilityModule, ImplementingType: "Microsoft.PowerShell.Commands." + f.impl,
			Params: params,
			Run: func(_ context.Context, c *Call) error {
				var props []string
				if c.Has("Property") {
					props = StringList(c.Get("Property"))
				}
				c.Emit(Formatted{Text: format(append(c.Input, flattenArg(c, "InputObject")...), props)})
				return nil
			},
		})
	}
	r.Alias("fl", "Format-List")
	r.Alias("ft", "Format-Table")
	r.Register(&Command{
		Name: "Import-Module", Module: "Microsoft.PowerShell.Core", ImplementingType: "Microsoft.PowerShell.Commands.ImportModuleCommand",
		Params: []Param{
			{Name: "Name", Kind: KindStrings, Position: 0, Mandatory: true},
			{Name: "Force", Kind: KindSwitch, Position: -1},
			{Name: "Global", Kind: KindSwitch, Position: -1},
			{Name: "DisableNameChecking", Kind: KindSwitch, Position: -1},
			{Name: "PassThru", Kind: KindSwitch, Position: -1},
		},
		Run: func(_ context.Context, c *Call) error {
			for _, n := range StringList(c.Get("Name")) {
				if _, ok := c.session.reg.modules[strings.ToLower(n)]; ok {
					continue
				}
				rec := NewError("ResourceUnavailable", "FileNotFoundException", "Modules_ModuleNotFound",
					"The specified module '%s' was not loaded because no valid module file was found in any module directory.", n)
				rec.TargetName, rec.TargetType = n, "String"
				c.WriteError(rec)
			}
			return nil
		},
	})
	r.Alias("select", "Select-Object")
	r.Alias("where", "Where-Object")
	r.Alias("?", "Where-Object")
	r.Alias("foreach", "ForEach-Object")
	r.Alias("%", "ForEach-Object")
	r.Alias("echo", "Write-Output")
	r.Alias("write", "Write-Output")
	r.Alias("ipmo", "Import-Module")
}

func flattenArg(c *Call, name string) []any {
	if !c.Has(name) {
		return nil
	}
	return Flatten(c.Get(name))
}

func runConvertToJSON(_ context.Context, c *Call) error {
	depth := 2
	if c.Has("Depth") {
		depth = int(c.Get("Depth").(int64))
		if depth < 1 || depth > 100 {
			return NewError("InvalidData", "ParameterBindingValidationException", "ParameterArgumentValidationError",
				"Cannot validate argument on parameter 'Depth'. The %d argument is %s than the %s allowed range of %s. Supply an argument that is %s than or equal to %s and then try the command again.",
				depth, map[bool]string{true: "less", false: "greater"}[depth < 1], map[bool]string{true: "minimum", false: "maximum"}[depth < 1],
				map[bool]string{true: "1", false: "100"}[depth < 1], map[bool]string{true: "greater", false: "less"}[depth < 1], map[bool]string{true: "1", false: "100"}[depth < 1])
		}
	}
	var items []any
	if c.Has("InputObject") {
		items = []any{c.Get("InputObject")}
	} else {
		items = c.Input
	}
	switch len(items) {
	case 0:
		return nil
	case 1:
		c.Emit(ToJSON(items[0], depth, c.Switch("Compress")))
	default:
		c.Emit(ToJSON(items, depth, c.Switch("Compress")))
	}
	return nil
}

func runSelectObject(_ context.Context, c *Call) error {
	items := c.Input
	if c.Has("InputObject") {
		items = []any{c.Get("InputObject")}
	}
	if c.Has("Skip") {
		n := int(c.Get("Skip").(int64))
		if n > len(items) {
			n = len(items)
		}
		items = items[max(n, 0):]
	}
	if c.Has("First") || c.Has("Last") {
		var sel []any
		if c.Has("First") {
			n := min(max(int(c.Get("First").(int64)), 0), len(items))
			sel = append(sel, items[:n]...)
		}
		if c.Has("Last") {
			n := min(max(int(c.Get("Last").(int64)), 0), len(items))
			sel = append(sel, items[len(items)-n:]...)
		}
		items = sel
	}
	var props []string
	if c.Has("Property") {
		for _, p := range Flatten(c.Get("Property")) {
			if _, isHash := p.(*Hashtable); isHash {
				return NewError("NotImplemented", "NotSupportedException", "CalculatedPropertyNotSupported", "Calculated properties are not supported by this PowerShell subset.")
			}
			props = append(props, ToString(p))
		}
	}
	expand := c.String("ExpandProperty")
	seen := map[string]bool{}
	for _, item := range items {
		var out any = item
		if len(props) > 0 {
			o := &Object{TypeNames: []string{"Selected." + firstType(item), "System.Management.Automation.PSCustomObject"}}
			for _, pat := range props {
				matched := false
				for _, name := range propertyNames(item) {
					if WildcardMatch(pat, name, false) {
						o.Set(name, member(item, name))
						matched = true
					}
				}
				if !matched && !strings.ContainsAny(pat, "*?[") {
					o.Set(pat, nil)
				}
			}
			out = o
		}
		if expand != "" {
			names := propertyNames(item)
			found := false
			for _, n := range names {
				if strings.EqualFold(n, expand) {
					found = true
				}
			}
			if !found {
				rec := NewError("InvalidArgument", "PSArgumentException", "ExpandPropertyNotFound", "Property \"%s\" cannot be found.", expand)
				rec.TargetName, rec.TargetType = ToString(item), "PSObject"
				c.WriteError(rec)
				continue
			}
			v := member(item, expand)
			for _, e := range Flatten(v) {
				emitUnique(c, e, seen)
			}
			continue
		}
		emitUnique(c, out, seen)
	}
	return nil
}

func emitUnique(c *Call, v any, seen map[string]bool) {
	if c.Switch("Unique") {
		k := Render(v)
		if seen[k] {
			return
		}
		seen[k] = true
	}
	c.Emit(v)
}

func firstType(v any) string {
	if o, ok := v.(*Object); ok && len(o.TypeNames) > 0 {
		return o.TypeNames[0]
	}
	return typeNameOf(v)
}

func propertyNames(v any) []string {
	switch x := v.(type) {
	case *Object:
		out := make([]string, len(x.Props))
		for i, p := range x.Props {
			out[i] = p.Name
		}
		return out
	case *Hashtable:
		return append(x.Keys(), "Count", "Keys")
	case string:
		return []string{"Length"}
	}
	return nil
}

func runWhereObject(ctx context.Context, c *Call) error {
	items := c.Input
	if c.Has("InputObject") {
		items = []any{c.Get("InputObject")}
	}
	filter := c.Get("FilterScript")
	sb, isBlock := filter.(*ScriptBlock)
	var op string
	if !isBlock {
		for _, p := range c.Command.Params[3:] {
			if c.Switch(p.Name) {
				if op != "" {
					return AmbiguousParameterSet()
				}
				op = strings.ToLower(p.Name)
			}
		}
		if filter == nil {
			return NewError("InvalidArgument", "ParameterBindingException", "MissingMandatoryParameter", "Cannot process command because of one or more missing mandatory parameters: FilterScript.")
		}
		if op == "" {
			if c.Has("Value") {
				return AmbiguousParameterSet()
			}
			op = "truthy"
		}
	}
	for _, item := range items {
		var keep bool
		if isBlock {
			v, err := c.RunScriptBlock(ctx, sb, item)
			if err != nil {
				return err
			}
			keep = ToBool(v)
		} else {
			pv := member(item, ToString(filter))
			if op == "truthy" {
				keep = ToBool(pv)
			} else {
				res, rec := Compare(op, pv, c.Get("Value"))
				if rec != nil {
					return rec
				}
				keep = ToBool(res)
			}
		}
		if keep {
			c.Emit(item)
		}
	}
	return nil
}
