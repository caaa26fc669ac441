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
	// Name is what the key's list item is called, when it has a name:
	// "instance sql-primary" for instances[0], so a reader need not count.
	Name string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	switch {
	case e.Name != "" && e.Key != "":
		fmt.Fprintf(&b, "%s (%s): ", e.Name, e.Key)
	case e.Key != "":
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

// name gives every problem under a named list item the item's name
// (instances[0] is instance sql-primary, pool.servers[2] is server
// pc3.dc1.contoso.test).
func (p *problems) name(t *Topology) {
	for _, e := range p.errs {
		if e.Name == "" {
			e.Name = t.itemName(e.Key)
		}
	}
}

// itemName names the list item a key path starts with, "" when it has no
// name (yet).
func (t *Topology) itemName(key string) string {
	var i int
	switch {
	case fmtScan(key, "instances[%d]", &i) && i < len(t.Instances) && t.Instances[i].Name != "":
		return "instance " + t.Instances[i].Name
	case fmtScan(key, "pool.servers[%d]", &i) && i < len(t.Pool.Servers) && t.Pool.Servers[i].FQDN != "":
		return "server " + t.Pool.Servers[i].FQDN
	case fmtScan(key, "dataCenters[%d]", &i) && i < len(t.DataCenters) && t.DataCenters[i].Name != "":
		return "data center " + t.DataCenters[i].Name
	}
	return ""
}

// fmtScan reads "prefix[N]" at the start of key.
func fmtScan(key, format string, i *int) bool {
	prefix := format[:strings.IndexByte(format, '[')+1]
	if !strings.HasPrefix(key, prefix) {
		return false
	}
	rest := key[len(prefix):]
	end := strings.IndexByte(rest, ']')
	if end <= 0 {
		return false
	}
	n := 0
	for _, c := range rest[:end] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	*i = n
	return true
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
	return p.errs
}
