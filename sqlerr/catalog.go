package sqlerr

// Entry is one row of the message catalogue (SQL Server's sys.messages).
type Entry struct {
	Number   int32
	Class    uint8 // severity
	State    uint8 // state raised when the caller has no better one
	Template string
}

// Lookup returns the catalogue row for a message number.
func Lookup(number int32) (Entry, bool) {
	e, ok := catalogue[number]
	return e, ok
}

// New builds message number with its catalogue severity, default state and
// the text formatted from args (see Format). An unknown number yields SQL
// Server's own complaint, 2758, so a typo in the engine is visible rather than
// a silent generic error.
func New(number int32, args ...any) *Error {
	e, ok := catalogue[number]
	if !ok {
		u := catalogue[2758]
		return &Error{Number: 2758, Class: u.Class, State: u.State, Message: Format(u.Template, number)}
	}
	return &Error{Number: number, Class: e.Class, State: e.State, Message: Format(e.Template, args...)}
}

// Numbers returns every catalogued message number (unordered); tests and
// catalog views (sys.messages) enumerate it.
func Numbers() []int32 {
	out := make([]int32, 0, len(catalogue))
	for n := range catalogue {
		out = append(out, n)
	}
	return out
}

// WithState returns a copy of e raised with another state; SQL Server uses the
// state to tell call sites apart (18456's state says why a login failed).
func (e *Error) WithState(state uint8) *Error {
	c := *e
	c.State = state
	return &c
}

var catalogue = func() map[int32]Entry {
	m := make(map[int32]Entry, len(entries))
	for _, e := range entries {
		if e.State == 0 {
			e.State = 1
		}
		if _, dup := m[e.Number]; dup {
			panic("sqlerr: duplicate catalogue entry")
		}
		m[e.Number] = e
	}
	return m
}()
