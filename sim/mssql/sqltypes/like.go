package sqltypes

// likeToken is one element of a compiled LIKE pattern.
type likeToken struct {
	kind   byte // 'c' literal, '_' any one, '%' any run, '[' set
	r      rune // literal (folded)
	negate bool
	ranges [][2]rune // for sets; single characters are [r,r]
}

func compileLike(pattern string, escape rune) []likeToken {
	p := []rune(pattern)
	var toks []likeToken
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case escape != 0 && c == escape && i+1 < len(p):
			i++
			toks = append(toks, likeToken{kind: 'c', r: foldRune(p[i])})
		case c == '%':
			if len(toks) > 0 && toks[len(toks)-1].kind == '%' {
				continue // %% is %
			}
			toks = append(toks, likeToken{kind: '%'})
		case c == '_':
			toks = append(toks, likeToken{kind: '_'})
		case c == '[':
			end := -1
			for j := i + 2; j < len(p); j++ { // a ']' right after '[' is literal
				if p[j] == ']' {
					end = j
					break
				}
			}
			if end < 0 || i+1 >= len(p) {
				toks = append(toks, likeToken{kind: 'c', r: '['})
				continue
			}
			body := p[i+1 : end]
			t := likeToken{kind: '['}
			if len(body) > 0 && body[0] == '^' {
				t.negate = true
				body = body[1:]
			}
			for k := 0; k < len(body); k++ {
				lo := foldRune(body[k])
				if k+2 < len(body) && body[k+1] == '-' {
					hi := foldRune(body[k+2])
					t.ranges = append(t.ranges, [2]rune{lo, hi})
					k += 2
					continue
				}
				t.ranges = append(t.ranges, [2]rune{lo, lo})
			}
			toks = append(toks, t)
			i = end
		default:
			toks = append(toks, likeToken{kind: 'c', r: foldRune(c)})
		}
	}
	return toks
}

func (t likeToken) matches(r rune) bool {
	switch t.kind {
	case '_':
		return true
	case 'c':
		return t.r == r
	case '[':
		in := false
		for _, rg := range t.ranges {
			if rg[0] <= r && r <= rg[1] {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// Like is s LIKE pattern [ESCAPE escape] under the case-insensitive
// collation: % any run, _ any one character, [abc], [a-z] and [^x] sets;
// escape 0 means no ESCAPE clause. An unclosed '[' matches itself.
// Trailing spaces are significant, as in SQL Server for varchar.
// It runs in O(len(s)*len(pattern)), whatever the pattern.
func Like(s, pattern string, escape rune) bool {
	toks := compileLike(pattern, escape)
	// cur[j] is true when the first j tokens can match the input read so far.
	cur := make([]bool, len(toks)+1)
	next := make([]bool, len(toks)+1)
	cur[0] = true
	closePct := func(st []bool) {
		for j := 0; j < len(toks); j++ {
			if st[j] && toks[j].kind == '%' {
				st[j+1] = true
			}
		}
	}
	closePct(cur)
	for _, r := range s {
		r = foldRune(r)
		clear(next)
		any := false
		for j := 0; j < len(toks); j++ {
			if !cur[j] {
				continue
			}
			if toks[j].kind == '%' {
				next[j] = true
				any = true
			} else if toks[j].matches(r) {
				next[j+1] = true
				any = true
			}
		}
		if !any {
			return false
		}
		closePct(next)
		cur, next = next, cur
	}
	return cur[len(toks)]
}
