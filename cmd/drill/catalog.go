package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// scenario is one scenario (an Examples row of an outline is its own) as
// the drill can run it.
type scenario struct {
	Name, URI string
	Tags      []string // with their @
}

// catalog reads every scenario of the feature files in fsys, as godog
// will: the drill lists them (--list) and matches --tags against them
// before it runs anything, so a selection that matches nothing leaves the
// report folder as it was.
func catalog(fsys fs.FS) ([]scenario, error) {
	var out []scenario
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".feature" {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		n := 0
		newID := func() string { n++; return strconv.Itoa(n) }
		doc, err := gherkin.ParseGherkinDocument(f, newID)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, pk := range gherkin.Pickles(*doc, p, newID) {
			s := scenario{Name: pk.Name, URI: p}
			for _, t := range pk.Tags {
				s.Tags = append(s.Tags, t.Name)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// tagExpr is a parsed godog tag expression: groups joined by &&, each
// group a comma-separated list of terms of which one must hold, a term a
// tag that must be there (@a) or, with ~, must not (~@a). godog itself
// does not check the text: "@a &&" panics inside it and "@a || @b" selects
// nothing without a word, so the drill parses it first.
type tagExpr [][]tagTerm

type tagTerm struct {
	tag string // without @
	not bool
}

var tagName = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)

// errTagSyntax is wrapped by every bad --tags expression.
var errTagSyntax = errors.New("bad --tags expression")

const tagHelp = `write groups joined by && (all must hold), a comma between tags of a group (one must hold), ~ before a tag to exclude it: e.g. "@embedded && ~@slow" or "@happy,@chaos"`

func parseTags(expr string) (tagExpr, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s; %s", errTagSyntax, expr, fmt.Sprintf(format, args...), tagHelp)
	}
	for _, op := range []struct{ text, say string }{
		{"||", `"||" is not an operator here: use a comma for "or"`},
		{"!", `"!" is not an operator here: use ~ for "not"`},
		{"(", "parentheses are not supported"},
		{")", "parentheses are not supported"},
	} {
		if strings.Contains(expr, op.text) {
			return nil, bad("%s", op.say)
		}
	}
	var out tagExpr
	for i, group := range strings.Split(expr, "&&") {
		group = strings.TrimSpace(group)
		if group == "" {
			where := "after"
			if i == 0 {
				where = "before"
			}
			return nil, bad("nothing %s &&", where)
		}
		var terms []tagTerm
		for _, term := range strings.Split(group, ",") {
			term = strings.TrimSpace(term)
			t := tagTerm{}
			if strings.HasPrefix(term, "~") {
				t.not, term = true, strings.TrimSpace(term[1:])
			}
			for _, w := range []string{"and", "or", "not"} {
				if strings.EqualFold(term, w) || strings.HasPrefix(strings.ToLower(term), w+" ") {
					return nil, bad("%q is not an operator here", w)
				}
			}
			name := strings.TrimPrefix(term, "@")
			switch {
			case term == "":
				return nil, bad("an empty tag (a comma or ~ with no tag)")
			case strings.ContainsAny(name, " \t"):
				return nil, bad("%q is not one tag: tags have no spaces, and groups are joined by &&", term)
			case !tagName.MatchString(name):
				return nil, bad("%q is not a tag name", term)
			}
			t.tag = name
			terms = append(terms, t)
		}
		out = append(out, terms)
	}
	return out, nil
}

// match is godog's rule for a parsed expression.
func (e tagExpr) match(tags []string) bool {
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, group := range e {
		ok := false
		for _, t := range group {
			if has[t.tag] != t.not {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// selectScenarios returns the scenarios expr selects.
func selectScenarios(all []scenario, expr tagExpr) []scenario {
	var out []scenario
	for _, s := range all {
		if expr.match(s.Tags) {
			out = append(out, s)
		}
	}
	return out
}

// tagCounts lists every tag with how many scenarios carry it.
func tagCounts(all []scenario) []string {
	n := map[string]int{}
	for _, s := range all {
		for _, t := range s.Tags {
			n[t]++
		}
	}
	tags := make([]string, 0, len(n))
	for t := range n {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = fmt.Sprintf("%s (%d)", t, n[t])
	}
	return out
}

// writeList prints the scenarios (their feature file and tags) and every
// tag with its count: `drill --list`.
func writeList(w io.Writer, selected, all []scenario) {
	for _, s := range selected {
		fmt.Fprintf(w, "%s\n    %s  %s\n", s.Name, s.URI, strings.Join(s.Tags, " "))
	}
	fmt.Fprintf(w, "\n%d of %d scenarios\ntags: %s\n", len(selected), len(all), strings.Join(tagCounts(all), ", "))
}

// pickleKeyword names a pickle step's kind as the Gherkin keyword that
// introduces it (an And keeps the kind of the step it follows).
func pickleKeyword(t messages.PickleStepType) string {
	switch t {
	case messages.PickleStepType_CONTEXT:
		return "Given"
	case messages.PickleStepType_ACTION:
		return "When"
	case messages.PickleStepType_OUTCOME:
		return "Then"
	}
	return ""
}
