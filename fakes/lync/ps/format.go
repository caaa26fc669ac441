package ps

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatDefault renders output objects as Out-Default does on the console:
// scalars one per line, objects in list view ("Name : Value"), CRLF ends.
func FormatDefault(vals []any) string {
	var b strings.Builder
	inList := false
	for _, v := range vals {
		switch x := v.(type) {
		case *Object:
			if !inList {
				b.WriteString("\r\n")
				inList = true
			}
			writeList(&b, x)
			b.WriteString("\r\n")
		case *Hashtable:
			if inList {
				b.WriteString("\r\n")
				inList = false
			}
			writeHashTable(&b, x)
		case nil:
			continue
		default:
			if inList {
				b.WriteString("\r\n")
				inList = false
			}
			b.WriteString(ToString(v))
			b.WriteString("\r\n")
		}
	}
	if inList {
		b.WriteString("\r\n")
	}
	return b.String()
}

func writeList(b *strings.Builder, o *Object) {
	width := 0
	for _, p := range o.Props {
		if n := utf8.RuneCountInString(p.Name); n > width {
			width = n
		}
	}
	for _, p := range o.Props {
		b.WriteString(p.Name)
		b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(p.Name)))
		b.WriteString(" : ")
		b.WriteString(displayValue(p.Value))
		b.WriteString("\r\n")
	}
}

// displayValue is how list view shows a property: collections in braces.
func displayValue(v any) string {
	if a, ok := v.([]any); ok {
		parts := make([]string, len(a))
		for i, e := range a {
			parts[i] = ToString(e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	if ss, ok := v.([]string); ok {
		return "{" + strings.Join(ss, ", ") + "}"
	}
	return ToString(v)
}

func writeHashTable(b *strings.Builder, h *Hashtable) {
	width := len("Name")
	for _, k := range h.Keys() {
		if n := utf8.RuneCountInString(k); n > width {
			width = n
		}
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-utf8.RuneCountInString(s)) }
	b.WriteString("\r\n" + pad("Name") + " Value\r\n" + pad("----") + " -----\r\n")
	for _, k := range h.Keys() {
		v, _ := h.Get(k)
		b.WriteString(pad(k) + " " + displayValue(v) + "\r\n")
	}
	b.WriteString("\r\n")
}

// ToJSON converts a value as ConvertTo-Json does: objects and hashtables to
// JSON objects (property order kept), arrays to arrays, and anything nested
// deeper than depth to its string form.
func ToJSON(v any, depth int, compress bool) string {
	var b strings.Builder
	writeJSON(&b, v, 0, depth, compress, 0)
	return b.String()
}

func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

func writeJSON(b *strings.Builder, v any, level, depth int, compress bool, indent int) {
	nl := func(ind int) {
		if !compress {
			b.WriteString("\r\n")
			b.WriteString(strings.Repeat("  ", ind))
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			b.WriteString(jsonString(ToString(x)))
		} else {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		b.WriteString(jsonString(x))
	case Enum:
		b.WriteString(strconv.FormatInt(x.Value, 10))
	case []string:
		arr := make([]any, len(x))
		for i, s := range x {
			arr[i] = s
		}
		writeJSON(b, arr, level, depth, compress, indent)
	case []any:
		if level > depth {
			b.WriteString(jsonString(ToString(x)))
			return
		}
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			nl(indent + 1)
			writeJSON(b, e, level+1, depth, compress, indent+1)
		}
		nl(indent)
		b.WriteString("]")
	case *Hashtable, *Object:
		if level >= depth+1 {
			b.WriteString(jsonString(ToString(x)))
			return
		}
		var names []string
		var vals []any
		if h, ok := x.(*Hashtable); ok {
			for _, k := range h.Keys() {
				val, _ := h.Get(k)
				names, vals = append(names, k), append(vals, val)
			}
		} else {
			for _, p := range x.(*Object).Props {
				names, vals = append(names, p.Name), append(vals, p.Value)
			}
		}
		if len(names) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i := range names {
			if i > 0 {
				b.WriteString(",")
			}
			nl(indent + 1)
			b.WriteString(jsonString(names[i]))
			if compress {
				b.WriteString(":")
			} else {
				b.WriteString(": ")
			}
			writeJSON(b, vals[i], level+1, depth, compress, indent+1)
		}
		nl(indent)
		b.WriteString("}")
	default:
		b.WriteString(jsonString(ToString(v)))
	}
}
