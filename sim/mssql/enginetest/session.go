package enginetest

import (
	"reflect"
	"slices"
	"testing"
)

// Session runs batches in-process, without the wire: the engine's own
// tests implement it over engine.Session, so the same ScriptTest format
// serves both harnesses (Run over TDS, RunSessions in-process).
type Session interface {
	Batch(text string) (Batch, error)
}

// Batch is what one batch produced: the last result set (nil Columns: no
// result set) and every message, in order.
type Batch struct {
	Columns  []string
	Rows     []string // compact "a|b|NULL" form
	Messages []Message
}

// Message is one message of a batch.
type Message struct {
	Number int32
	Class  uint8
	Line   int32
	Text   string
}

func (b Batch) errors() []Message {
	var out []Message
	for _, m := range b.Messages {
		if m.Class > 10 {
			out = append(out, m)
		}
	}
	return out
}

// RunSessions runs every script test in-process as a subtest, each on a
// session open gives it (a fresh instance per test).
func RunSessions(t *testing.T, tests []ScriptTest, open func(t *testing.T) Session) {
	t.Helper()
	for _, st := range tests {
		t.Run(st.Name, func(t *testing.T) {
			s := open(t)
			for i, q := range st.Setup {
				b, err := s.Batch(q)
				if err != nil {
					t.Fatalf("setup %d %q: %v", i, q, err)
				}
				if errs := b.errors(); len(errs) > 0 {
					t.Fatalf("setup %d %q: error %d: %s", i, q, errs[0].Number, errs[0].Text)
				}
			}
			for _, a := range st.Assertions {
				checkBatch(t, s, a)
			}
		})
	}
}

func checkBatch(t *testing.T, s Session, a Assertion) {
	t.Helper()
	b, err := s.Batch(a.Query)
	if err != nil {
		t.Fatalf("%s: %v", a.Query, err)
	}
	errs := b.errors()
	var got, texts []string
	var nums []int32
	for _, e := range errs {
		nums = append(nums, e.Number)
		texts = append(texts, e.Text)
	}
	want := a.ErrNumbers
	if a.ErrNumber != 0 && len(want) == 0 {
		want = []int32{a.ErrNumber}
	}
	if (len(nums) > 0 || len(want) > 0) && !slices.Equal(nums, want) {
		t.Fatalf("%s: errors = %v %q, want %v", a.Query, nums, texts, want)
	}
	if a.ErrLine != 0 && errs[0].Line != a.ErrLine {
		t.Fatalf("%s: error line = %d, want %d", a.Query, errs[0].Line, a.ErrLine)
	}
	if a.Infos != nil {
		var infos []string
		for _, m := range b.Messages {
			if m.Class <= 10 && m.Number != 5701 && m.Number != 3621 {
				infos = append(infos, m.Text)
			}
		}
		if (len(infos) > 0 || len(a.Infos) > 0) && !reflect.DeepEqual(infos, a.Infos) {
			t.Fatalf("%s: infos = %q, want %q", a.Query, infos, a.Infos)
		}
	}
	if a.Rows == nil && a.Columns == nil {
		return
	}
	if b.Columns == nil {
		t.Fatalf("%s: no result set", a.Query)
	}
	if a.Columns != nil && !reflect.DeepEqual(b.Columns, a.Columns) {
		t.Fatalf("%s: columns = %q, want %q", a.Query, b.Columns, a.Columns)
	}
	if a.Rows == nil {
		return
	}
	got, rows := b.Rows, a.Rows
	if a.AnyOrder {
		got, rows = sortedCopy(got), sortedCopy(rows)
	}
	if len(got) == 0 && len(rows) == 0 {
		return
	}
	if !reflect.DeepEqual(got, rows) {
		t.Fatalf("%s: rows = %q, want %q", a.Query, got, rows)
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
