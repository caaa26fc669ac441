package ps

import (
	"regexp"
	"strings"
)

// Compare applies a comparison operator ("eq", "ceq", "like", "in", ...)
// with PowerShell's rules: case-insensitive unless the c- form is used, the
// right operand converted to the left operand's type, and an array on the
// left filtering its elements.
func Compare(op string, l, r any) (any, *ErrorRecord) {
	base, cs, _ := splitComparison(op)
	switch base {
	case "contains", "notcontains":
		found := false
		for _, e := range Flatten(l) {
			if equal(e, r, cs) {
				found = true
				break
			}
		}
		return found == (base == "contains"), nil
	case "in", "notin":
		found := false
		for _, e := range Flatten(r) {
			if equal(e, l, cs) {
				found = true
				break
			}
		}
		return found == (base == "in"), nil
	}
	var re *regexp.Regexp
	if base == "match" || base == "notmatch" {
		pat := ToString(r)
		if !cs {
			pat = "(?i)" + pat
		}
		var err error
		re, err = regexp.Compile(pat)
		if err != nil {
			return nil, NewError("InvalidOperation", "RuntimeException", "InvalidRegularExpression", "The regular expression pattern %s is not valid.", ToString(r))
		}
	}
	test := func(e any) bool {
		switch base {
		case "eq":
			return equal(e, r, cs)
		case "ne":
			return !equal(e, r, cs)
		case "gt":
			return order(e, r, cs) > 0
		case "ge":
			return order(e, r, cs) >= 0
		case "lt":
			return order(e, r, cs) < 0
		case "le":
			return order(e, r, cs) <= 0
		case "like":
			return WildcardMatch(ToString(r), ToString(e), cs)
		case "notlike":
			return !WildcardMatch(ToString(r), ToString(e), cs)
		case "match":
			return re.MatchString(ToString(e))
		case "notmatch":
			return !re.MatchString(ToString(e))
		}
		return false
	}
	if arr, ok := l.([]any); ok {
		out := []any{}
		for _, e := range arr {
			if test(e) {
				out = append(out, e)
			}
		}
		return out, nil
	}
	return test(l), nil
}

func equal(l, r any, cs bool) bool {
	switch lv := l.(type) {
	case nil:
		return r == nil
	case string:
		if r == nil {
			return false
		}
		rs := ToString(r)
		if cs {
			return lv == rs
		}
		return strings.EqualFold(lv, rs)
	case bool:
		return lv == ToBool(r)
	case int64, int, float64:
		lf, _ := toNumber(lv)
		rf, ok := toNumber(r)
		return ok && r != nil && lf == rf
	case Enum:
		if f, ok := r.(int64); ok {
			return lv.Value == f
		}
		if f, ok := r.(float64); ok {
			return float64(lv.Value) == f
		}
		if re, ok := r.(Enum); ok {
			return lv.Type == re.Type && lv.Value == re.Value
		}
		return r != nil && strings.EqualFold(lv.Name, strings.TrimSpace(ToString(r)))
	case *Object, *Hashtable, *ScriptBlock:
		return l == r
	}
	return false
}

func order(l, r any, cs bool) int {
	if lf, ok := toNumber(l); ok {
		if _, isStr := l.(string); !isStr {
			rf, ok2 := toNumber(r)
			if ok2 {
				switch {
				case lf < rf:
					return -1
				case lf > rf:
					return 1
				}
				return 0
			}
		}
	}
	ls, rs := ToString(l), ToString(r)
	if !cs {
		ls, rs = strings.ToLower(ls), strings.ToLower(rs)
	}
	return strings.Compare(ls, rs)
}

// WildcardMatch implements PowerShell wildcards: * ? [abc] [a-z], with `
// escaping the next character.
func WildcardMatch(pattern, s string, caseSensitive bool) bool {
	if !caseSensitive {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	return wild([]rune(pattern), []rune(s))
}

type wildTok struct {
	kind byte // '*', '?', '[' or 'l' (literal)
	lit  rune
	set  []rune
}

func wildTokens(p []rune) []wildTok {
	var out []wildTok
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			if len(out) == 0 || out[len(out)-1].kind != '*' {
				out = append(out, wildTok{kind: '*'})
			}
		case '?':
			out = append(out, wildTok{kind: '?'})
		case '[':
			end := -1
			for j := i + 1; j < len(p); j++ {
				if p[j] == ']' {
					end = j
					break
				}
			}
			if end < 0 {
				out = append(out, wildTok{kind: 'l', lit: '['})
				continue
			}
			out = append(out, wildTok{kind: '[', set: p[i+1 : end]})
			i = end
		case '`':
			if i+1 < len(p) {
				i++
			}
			out = append(out, wildTok{kind: 'l', lit: p[i]})
		default:
			out = append(out, wildTok{kind: 'l', lit: p[i]})
		}
	}
	return out
}

func (t wildTok) matches(r rune) bool {
	switch t.kind {
	case '?':
		return true
	case 'l':
		return t.lit == r
	case '[':
		set := t.set
		for i := 0; i < len(set); i++ {
			if i+2 < len(set) && set[i+1] == '-' {
				if r >= set[i] && r <= set[i+2] {
					return true
				}
				i += 2
				continue
			}
			if set[i] == r {
				return true
			}
		}
	}
	return false
}

// wild is the classic greedy matcher with one backtrack point, O(len(p)*len(s)).
func wild(p, s []rune) bool {
	toks := wildTokens(p)
	ti, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case ti < len(toks) && toks[ti].kind == '*':
			star, mark = ti, si
			ti++
		case ti < len(toks) && toks[ti].matches(s[si]):
			ti++
			si++
		case star >= 0:
			ti = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].kind == '*' {
		ti++
	}
	return ti == len(toks)
}
