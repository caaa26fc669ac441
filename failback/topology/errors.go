package topology

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every problem Parse reports.
var ErrInvalid = errors.New("topology: invalid")

// Error is one problem in a topology file.
type Error struct {
	File string
	Line int    // 0 when unknown (a Topology built in code)
	Key  string // key path, e.g. pool.servers[3].fqdn; empty for the whole file
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Errors is every problem found, in line order. errors.As finds each *Error.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// problems collects Errors while decoding or validating.
type problems struct {
	file  string
	lines map[string]int
	errs  Errors
}

// at reports a problem at an explicit line.
func (p *problems) at(line int, key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// key reports a problem at the line the key path was read from, falling back
// to its closest recorded parent (a missing key points at its mapping).
func (p *problems) key(key, format string, args ...any) {
	p.at(p.lineOf(key), key, format, args...)
}

func (p *problems) lineOf(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if l, ok := p.lines[k]; ok {
			return l
		}
	}
	return 0
}

func parentKey(k string) string {
	if strings.HasSuffix(k, "]") {
		if i := strings.LastIndexByte(k, '['); i >= 0 {
			return k[:i]
		}
	}
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
	return p.errs
}
