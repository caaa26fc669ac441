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
