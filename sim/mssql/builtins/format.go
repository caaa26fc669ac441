package builtins

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatMessage renders a printf-style message as RAISERROR's msg_str
// does (the "type specification" table of its documentation, which
// FORMATMESSAGE shares):
// %d %i %u %s %x %X %o with flags (- + 0 # blank), width and precision
// (* reads the width or precision from an argument), the size prefixes
// h, l, I64 accepted and ignored, %% a percent sign; a missing or NULL
// argument prints (null), an unknown conversion itself.
func FormatMessage(format string, args []Value, types []Type) string {
	var b strings.Builder
	ai := 0
	next := func() (Value, Type, bool) {
		if ai >= len(args) {
			return nil, Type{}, false
		}
		v, t := args[ai], types[ai]
		ai++
		return v, t, true
	}
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			b.WriteRune(rs[i])
			continue
		}
		j := i + 1
		if j < len(rs) && rs[j] == '%' {
			b.WriteByte('%')
			i = j
			continue
		}
		spec := "%"
		for j < len(rs) && strings.ContainsRune("-+ 0#", rs[j]) {
			spec += string(rs[j])
			j++
		}
		readNum := func() {
			if j < len(rs) && rs[j] == '*' {
				v, _, _ := next()
				n, _ := ToInt64(v)
				spec += strconv.FormatInt(n, 10)
				j++
				return
			}
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				spec += string(rs[j])
				j++
			}
		}
		readNum()
		if j < len(rs) && rs[j] == '.' {
			spec += "."
			j++
			readNum()
		}
		for j < len(rs) && (rs[j] == 'h' || rs[j] == 'l' || rs[j] == 'I' || rs[j] == '6' || rs[j] == '4') {
			j++
		}
		if j >= len(rs) {
			b.WriteString(string(rs[i:]))
			break
		}
		conv := rs[j]
		v, t, ok := next()
		switch conv {
		case 'd', 'i', 'u':
			if !ok || v == nil {
				b.WriteString("(null)")
			} else {
				n, _ := ToInt64(v)
				b.WriteString(fmt.Sprintf(spec+"d", n))
			}
		case 'x', 'X', 'o':
			if !ok || v == nil {
				b.WriteString("(null)")
			} else {
				n, _ := ToInt64(v)
				b.WriteString(fmt.Sprintf(spec+string(conv), uint32(n)))
			}
		case 's':
			if !ok || v == nil {
				b.WriteString("(null)")
			} else {
				s, err := ToString(v, t)
				if err != nil {
					s = ""
				}
				b.WriteString(fmt.Sprintf(spec+"s", s))
			}
		default:
			b.WriteString(string(rs[i : j+1]))
		}
		i = j
	}
	return b.String()
}
