package ps

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formatted is the output of Format-List and Format-Table: text that
// Out-Default writes as it is and Out-String returns (PowerShell's format
// objects, which only the Out- cmdlets understand).
type Formatted struct{ Text string }

// String is the formatted text.
func (f Formatted) String() string { return f.Text }

// listViewType reports whether objects of a type show in list view
// whatever their property count: the Lync/Skype for Business types, whose
// format data (Lync's *.format.ps1xml) gives them list views, as the
// cmdlet pages' sample outputs show.
func listViewType(o *Object) bool {
	for _, t := range o.TypeNames {
		if strings.HasPrefix(t, "Microsoft.Rtc.") {
			return true
		}
	}
	return false
}

// tableView is PowerShell's default view rule for an object with no
// registered view: a table for four or fewer properties, a list for more.
func tableView(o *Object) bool { return !listViewType(o) && len(o.Props) > 0 && len(o.Props) <= 4 }

// shape says whether two objects go in one table: same type and property
// names (PowerShell starts a new table when the shape changes).
func sameShape(a, b *Object) bool {
	if len(a.Props) != len(b.Props) || firstType(a) != firstType(b) {
		return false
	}
	for i := range a.Props {
		if !strings.EqualFold(a.Props[i].Name, b.Props[i].Name) {
			return false
		}
	}
	return true
}

// FormatDefault renders output objects as Out-Default does on the console:
// scalars one per line; objects by PowerShell's default view rule (a table
// for four or fewer properties, consecutive objects of one shape in one
// table; a list otherwise, and always for the product's own types); CRLF
// line ends.
func FormatDefault(vals []any) string {
	var b strings.Builder
	inList := false
	for i := 0; i < len(vals); i++ {
		v := vals[i]
		switch x := v.(type) {
		case *Object:
			if tableView(x) {
				if inList {
					b.WriteString("\r\n")
					inList = false
				}
				group := []*Object{x}
				for i+1 < len(vals) {
					next, ok := vals[i+1].(*Object)
					if !ok || !sameShape(x, next) {
						break
					}
					group = append(group, next)
					i++
				}
				writeTable(&b, group, nil)
				continue
			}
			if !inList {
				b.WriteString("\r\n")
				inList = true
			}
			writeList(&b, x, nil)
			b.WriteString("\r\n")
		case *Hashtable:
			if inList {
				b.WriteString("\r\n")
				inList = false
			}
			writeHashTable(&b, x)
		case Formatted:
			if inList {
				b.WriteString("\r\n")
				inList = false
			}
			b.WriteString(x.Text)
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

// FormatList is Format-List: every object in list view (only the named
// properties when props is not nil), scalars as they are.
func FormatList(vals []any, props []string) string {
	var b strings.Builder
	b.WriteString("\r\n")
	for _, v := range vals {
		if o, ok := v.(*Object); ok {
			writeList(&b, o, props)
			b.WriteString("\r\n")
			continue
		}
		if v != nil {
			b.WriteString(ToString(v) + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// FormatTable is Format-Table: consecutive objects of one shape in one
// table (the named properties when props is not nil), scalars as they are.
func FormatTable(vals []any, props []string) string {
	var b strings.Builder
	for i := 0; i < len(vals); i++ {
		o, ok := vals[i].(*Object)
		if !ok {
			if vals[i] != nil {
				b.WriteString("\r\n" + ToString(vals[i]) + "\r\n")
			}
			continue
		}
		group := []*Object{o}
		for i+1 < len(vals) {
			next, ok := vals[i+1].(*Object)
			if !ok || (props == nil && !sameShape(o, next)) {
				break
			}
			group = append(group, next)
			i++
		}
		writeTable(&b, group, props)
	}
	return b.String()
}

// cell is one table cell: numbers are right-aligned, as PowerShell aligns
// them.
func cell(v any) (string, bool) {
	switch v.(type) {
	case int64, int, float64:
		return ToString(v), true
	}
	return displayValue(v), false
}

// writeTable writes one table: a header of property names, a dashed rule,
// a row per object; columns as wide as their widest cell, one space apart,
// the last column unpadded; a blank line before and after.
func writeTable(b *strings.Builder, objs []*Object, props []string) {
	if props == nil {
		for _, p := range objs[0].Props {
			props = append(props, p.Name)
		}
	}
	width := make([]int, len(props))
	rows := make([][]string, len(objs))
	right := make([]bool, len(props))
	for i, name := range props {
		width[i] = utf8.RuneCountInString(name)
	}
	for r, o := range objs {
		rows[r] = make([]string, len(props))
		for i, name := range props {
			v, _ := o.Get(name)
			s, num := cell(v)
			rows[r][i] = s
			right[i] = right[i] || num
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	line := func(cells []string, rightAlign bool) {
		var parts []string
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case rightAlign && right[i]:
				parts = append(parts, pad+c)
			case i == len(cells)-1:
				parts = append(parts, c)
			default:
				parts = append(parts, c+pad)
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, " "), " ") + "\r\n")
	}
	b.WriteString("\r\n")
	rule := make([]string, len(props))
	for i, name := range props {
		rule[i] = strings.Repeat("-", utf8.RuneCountInString(name))
	}
	line(props, true)
	line(rule, true)
	for _, r := range rows {
		line(r, true)
	}
	b.WriteString("\r\n")
}

func writeList(b *strings.Builder, o *Object, names []string) {
	props := o.Props
	if names != nil {
		props = nil
		for _, n := range names {
			v, _ := o.Get(n)
			props = append(props, Prop{Name: n, Value: v})
		}
	}
	width := 0
	for _, p := range props {
		if n := utf8.RuneCountInString(p.Name); n > width {
			width = n
		}
	}
	for _, p := range props {
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
