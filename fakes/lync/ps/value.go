package ps

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Values in this subset are plain Go values so cmdlets need no wrapper types:
// nil, bool, int64, float64, string, []any (a PowerShell array), *Hashtable,
// *Object (a PSObject with ordered properties) and *ScriptBlock.

// Hashtable is PowerShell's @{} literal: keys compare case-insensitively, as
// PowerShell's default hashtable comparer does. Insertion order is kept so
// output is deterministic.
type Hashtable struct {
	keys []string
	vals map[string]any
}

// NewHashtable returns an empty hashtable.
func NewHashtable() *Hashtable { return &Hashtable{vals: map[string]any{}} }

// Set stores v under key, keeping the first spelling of the key.
func (h *Hashtable) Set(key string, v any) {
	lk := strings.ToLower(key)
	if _, ok := h.vals[lk]; !ok {
		h.keys = append(h.keys, key)
	}
	h.vals[lk] = v
}

// Get looks a key up case-insensitively.
func (h *Hashtable) Get(key string) (any, bool) {
	v, ok := h.vals[strings.ToLower(key)]
	return v, ok
}

// Keys returns the keys in insertion order.
func (h *Hashtable) Keys() []string { return append([]string(nil), h.keys...) }

// Len is the number of entries.
func (h *Hashtable) Len() int { return len(h.keys) }

// Prop is one named property of an Object.
type Prop struct {
	Name  string
	Value any
}

// Object is a PSObject: a type name list (most derived first) and ordered
// properties. Cmdlets build these for their output so that formatting,
// ConvertTo-Json, Select-Object and member access all work the same way.
type Object struct {
	TypeNames []string
	Props     []Prop
	// Display, when set, is what ToString returns (e.g. an identity).
	Display string
}

// NewObject builds an object from alternating name, value pairs.
func NewObject(typeName string, nameValues ...any) *Object {
	o := &Object{}
	if typeName != "" {
		o.TypeNames = []string{typeName}
	}
	for i := 0; i+1 < len(nameValues); i += 2 {
		o.Props = append(o.Props, Prop{Name: fmt.Sprint(nameValues[i]), Value: nameValues[i+1]})
	}
	return o
}

// Get returns a property case-insensitively.
func (o *Object) Get(name string) (any, bool) {
	for _, p := range o.Props {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return nil, false
}

// Set replaces or appends a property.
func (o *Object) Set(name string, v any) {
	for i, p := range o.Props {
		if strings.EqualFold(p.Name, name) {
			o.Props[i].Value = v
			return
		}
	}
	o.Props = append(o.Props, Prop{Name: name, Value: v})
}

// Enum is a .NET enum value. It prints as its name, compares equal to its
// name or number, and ConvertTo-Json writes its number, as Windows
// PowerShell 5.1 does (the engine must cope with that on a real server).
type Enum struct {
	Type  string
	Name  string
	Value int64
}

func (e Enum) String() string { return e.Name }

// ScriptBlock is a { ... } literal; it runs in the session that created it.
type ScriptBlock struct {
	Text  string
	stmts []Node
}

// String returns the script block's text without braces, as PowerShell does.
func (s *ScriptBlock) String() string { return s.Text }

// ToString converts a value the way PowerShell converts to [string].
func ToString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'G', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = ToString(e)
		}
		return strings.Join(parts, " ")
	case *Hashtable:
		return "System.Collections.Hashtable"
	case *Object:
		if x.Display != "" {
			return x.Display
		}
		if len(x.TypeNames) > 0 && x.TypeNames[0] != "System.Management.Automation.PSCustomObject" {
			return x.TypeNames[0]
		}
		parts := make([]string, len(x.Props))
		for i, p := range x.Props {
			parts[i] = p.Name + "=" + ToString(p.Value)
		}
		return "@{" + strings.Join(parts, "; ") + "}"
	case *ScriptBlock:
		return x.Text
	case Enum:
		return x.Name
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// ToBool is PowerShell's truthiness: $null, $false, 0, "" and empty arrays
// are false; a one-element array is the truth of its element.
func ToBool(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		switch len(x) {
		case 0:
			return false
		case 1:
			return ToBool(x[0])
		}
		return true
	}
	return true
}

// Flatten enumerates a value as PowerShell's pipeline does: arrays yield their
// elements, anything else (including $null) yields itself.
func Flatten(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

// StringList converts a scalar or array to strings, dropping $null elements.
func StringList(v any) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, e := range Flatten(v) {
		if e == nil {
			continue
		}
		if inner, ok := e.([]any); ok {
			out = append(out, StringList(inner)...)
			continue
		}
		out = append(out, ToString(e))
	}
	return out
}

// toNumber converts for numeric comparison; ok is false when v is not numeric.
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// maxValueNodes bounds the size of any value a script builds. Arrays share
// their elements, so "$a = $a,$a" doubles the size of $a at no cost until
// something walks it; refusing oversized values at construction keeps every
// later walk (ToString, JSON, member enumeration) bounded.
const maxValueNodes = 1 << 17

// weigh counts nodes up to limit+1.
func weigh(v any, limit int) int {
	n := 1
	switch x := v.(type) {
	case string:
		n += len(x) / 64
	case []any:
		for _, e := range x {
			if n > limit {
				return n
			}
			n += weigh(e, limit-n)
		}
	case *Hashtable:
		for _, k := range x.keys {
			if n > limit {
				return n
			}
			n += weigh(x.vals[strings.ToLower(k)], limit-n)
		}
	case *Object:
		for _, p := range x.Props {
			if n > limit {
				return n
			}
			n += weigh(p.Value, limit-n)
		}
	}
	return n
}

// checkSize refuses values larger than maxValueNodes.
func checkSize(v any) error {
	if weigh(v, maxValueNodes) > maxValueNodes {
		return NewError("LimitsExceeded", "RuntimeException", "ValueTooLarge",
			"The value has more than %d elements, which this PowerShell subset does not support.", maxValueNodes)
	}
	return nil
}
