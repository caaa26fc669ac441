package sqlerr

import (
	"fmt"
	"strconv"
	"strings"
)

// Format renders a SQL Server message template (the printf dialect of
// sys.messages) with args. Each conversion consumes one argument:
//
//	%ls %s %hs %S_MSG %.*ls %.*s  string (for %.*ls SQL Server passes a length
//	                              and a pointer; callers pass only the string)
//	%d %i %ld %I64d %u %x         integer, with optional flags/width (%03d)
//	%f                            float, six decimals as C prints it
//	%%                            a literal percent sign
//
// A missing argument renders as an empty string (or 0 for numbers) rather than
// failing: a message must always be produced, even from a sloppy call site.
func Format(template string, args ...any) string {
	var b strings.Builder
	b.Grow(len(template) + 16)
	next := 0
	arg := func() (any, bool) {
		if next >= len(args) {
			return nil, false
		}
		next++
		return args[next-1], true
	}
	for i := 0; i < len(template); i++ {
		c := template[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(template) && template[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if strings.HasPrefix(template[i:], "%S_MSG") {
			a, _ := arg()
			b.WriteString(str(a))
			i += len("%S_MSG") - 1
			continue
		}
		// flags and width, e.g. %03d or %-10s
		j := i + 1
		flags := ""
		for j < len(template) && strings.IndexByte("-+ #0", template[j]) >= 0 {
			flags += string(template[j])
			j++
		}
		width := ""
		for j < len(template) && template[j] >= '0' && template[j] <= '9' {
			width += string(template[j])
			j++
		}
		// RAISERROR templates come from users: a width like %999999999d
		// must not allocate without bound (SQL Server's messages stop at
		// 2047 characters anyway).
		if n, err := strconv.Atoi(width); err != nil && width != "" || n > maxWidth {
			width = strconv.Itoa(maxWidth)
		}
		if strings.HasPrefix(template[j:], ".*") {
			j += 2
		}
		// length modifiers
		for _, m := range []string{"I64", "ll", "l", "h"} {
			if strings.HasPrefix(template[j:], m) {
				j += len(m)
				break
			}
		}
		if j >= len(template) {
			b.WriteString(template[i:])
			break
		}
		verb := template[j]
		a, ok := arg()
		switch verb {
		case 's':
			b.WriteString(pad(str(a), flags, width))
		case 'd', 'i', 'u':
			if !ok {
				a = 0
			}
			if s, isStr := a.(string); isStr {
				b.WriteString(pad(s, flags, width))
			} else {
				b.WriteString(fmt.Sprintf("%"+flags+width+"d", a))
			}
		case 'x', 'X':
			if !ok {
				a = 0
			}
			b.WriteString(fmt.Sprintf("%"+flags+width+string(verb), a))
		case 'f':
			if !ok {
				a = 0.0
			}
			b.WriteString(fmt.Sprintf("%"+flags+width+"f", a))
		default:
			// Unknown conversion: keep it literally so the text stays readable.
			b.WriteString(template[i : j+1])
			if ok {
				next--
			}
		}
		i = j
	}
	return b.String()
}

func str(a any) string {
	switch v := a.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case fmt.Stringer:
		return v.String()
	case int:
		return strconv.Itoa(v)
	default:
		return fmt.Sprint(v)
	}
}

// maxWidth bounds a conversion's field width.
const maxWidth = 2047

func pad(s, flags, width string) string {
	n, _ := strconv.Atoi(width)
	if len(s) >= n {
		return s
	}
	if strings.Contains(flags, "-") {
		return s + strings.Repeat(" ", n-len(s))
	}
	return strings.Repeat(" ", n-len(s)) + s
}
