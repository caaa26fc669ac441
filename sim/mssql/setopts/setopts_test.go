package setopts

import (
	"errors"
	"testing"

	"github.com/pchatdr/harness/sqlerr"
)

// A new session's @@OPTIONS is 5496, what SSMS shows after login.
func TestDefaultBits(t *testing.T) {
	if got := Default().Bits(); got != 5496 {
		t.Fatalf("@@OPTIONS at login = %d, want 5496", got)
	}
}

func TestSetBool(t *testing.T) {
	o := Default()
	if !o.SetBool("NOCOUNT", true) || o.Bits()&512 == 0 {
		t.Fatalf("SET NOCOUNT ON: bits %d", o.Bits())
	}
	if o.SetBool("DATEFIRST", true) {
		t.Fatal("DATEFIRST taken as an ON|OFF option")
	}
	// ANSI_NULL_DFLT_ON and _OFF exclude each other.
	o.SetBool("ANSI_NULL_DFLT_OFF", true)
	if o.AnsiNullDfltOn || !o.AnsiNullDfltOff {
		t.Fatalf("after SET ANSI_NULL_DFLT_OFF ON: on=%v off=%v", o.AnsiNullDfltOn, o.AnsiNullDfltOff)
	}
	// ANSI_DEFAULTS OFF turns its seven off, and nothing else.
	o = Default()
	o.SetBool("ANSI_DEFAULTS", false)
	if o.AnsiNulls || o.AnsiWarnings || o.AnsiPadding || o.QuotedIdentifier || o.CursorCloseOnCommit || o.ImplicitTransactions || o.AnsiNullDfltOn {
		t.Fatalf("ANSI_DEFAULTS OFF left one of its options on: %+v", o)
	}
	if !o.ArithAbort || !o.ConcatNullYieldsNull {
		t.Fatalf("ANSI_DEFAULTS OFF changed an option outside it: %+v", o)
	}
}

func TestSetDateFormatAndNumbers(t *testing.T) {
	o := Default()
	if err := o.SetDateFormat("dmy"); err != nil || o.DateFormat != "dmy" {
		t.Fatalf("SET DATEFORMAT dmy: %v, %q", err, o.DateFormat)
	}
	var e *sqlerr.Error
	if err := o.SetDateFormat("xyz"); !errors.As(err, &e) || e.Number != sqlerr.InvalidDateFormat || o.DateFormat != "dmy" {
		t.Fatalf("SET DATEFORMAT xyz: %v, format now %q", err, o.DateFormat)
	}
	o.SetNumber("LOCK_TIMEOUT", 500)
	o.SetNumber("DEADLOCK_PRIORITY", 5)
	if o.LockTimeout != 500 || o.DateFirst != 7 {
		t.Fatalf("LOCK_TIMEOUT %d, DATEFIRST %d", o.LockTimeout, o.DateFirst)
	}
}

// TestSet: one SET statement's option as the parser gives it, its
// expression evaluated only by the options that take one.
func TestSet(t *testing.T) {
	calls := 0
	val := func(v any) func() (any, error) {
		return func() (any, error) { calls++; return v, nil }
	}
	o := Default()
	steps := []struct {
		name, word string
		arg        func() (any, error)
	}{
		{"XACT_ABORT", "ON", nil},
		{"DATEFORMAT", "YMD", nil},
		{"ROWCOUNT", "", val(int64(10))},
		{"LANGUAGE", "", val("Deutsch")},
		{"TRANSACTION ISOLATION LEVEL", "SNAPSHOT", nil},
		{"ANSI_DEFAULTS", "", nil}, // not ON|OFF: nothing changes
	}
	for _, s := range steps {
		if held, err := o.Set(s.name, s.word, s.arg); !held || err != nil {
			t.Fatalf("SET %s %s: held %v, %v", s.name, s.word, held, err)
		}
	}
	want := Default()
	want.XactAbort, want.DateFormat, want.RowCount, want.Language, want.Isolation = true, "ymd", 10, "Deutsch", "SNAPSHOT"
	if o != want || calls != 2 {
		t.Fatalf("after the SETs: %+v (arg evaluated %d times)\nwant %+v", o, calls, want)
	}
	if held, _ := o.Set("IDENTITY_INSERT", "ON", nil); held {
		t.Fatal("IDENTITY_INSERT held: it names a table, the engine's")
	}
	if held, _ := o.Set("STATISTICS IO", "ON", nil); held || o != want {
		t.Fatal("STATISTICS IO held or changed an option: accepted, not modelled")
	}
	var e *sqlerr.Error
	if _, err := o.Set("DATEFORMAT", "", val("xyz")); !errors.As(err, &e) || e.Number != sqlerr.InvalidDateFormat {
		t.Fatalf("SET DATEFORMAT @f = 'xyz': %v", err)
	}
	if o.Set("LANGUAGE", "British", nil); o.Language != "british" {
		t.Fatalf("SET LANGUAGE British: %q", o.Language)
	}
	boom := errors.New("137")
	if _, err := o.Set("DATEFIRST", "", func() (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("SET DATEFIRST @undeclared: %v", err)
	}
}
