package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"
)

// sqlErr builds the error go-mssqldb returns for a batch that raised the
// given errors: the last one in the top fields, all of them in All.
func sqlErr(nums ...int32) mssql.Error {
	all := make([]mssql.Error, len(nums))
	for i, n := range nums {
		all[i] = mssql.Error{Number: n, State: 1, Class: 16, Message: fmt.Sprintf("error %d", n)}
	}
	e := all[len(all)-1]
	e.All = all
	return e
}

func TestSQLErrorNumbers(t *testing.T) {
	backupFailed := fmt.Errorf("backup mgc: %w", fmt.Errorf("sqlserver sql2: %w", sqlErr(3201, 3013)))
	cases := []struct {
		name string
		err  error
		want []int32
	}{
		{"nil", nil, nil},
		{"plain", errors.New("x"), nil},
		{"backup", backupFailed, []int32{3201, 3013}},
		{"no All", mssql.Error{Number: 50000}, []int32{50000}},
		{"pointer", &mssql.Error{Number: 3101, All: []mssql.Error{{Number: 3101}, {Number: 3013}}}, []int32{3101, 3013}},
		{"server error", fmt.Errorf("x: %w", mssql.ServerError{}), []int32{0}},
	}
	for _, c := range cases {
		if got := SQLErrorNumbers(c.err); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !HasNumber(backupFailed, 3201) || !HasNumber(backupFailed, 3013) || HasNumber(backupFailed, 3101) {
		t.Error("HasNumber on [3201 3013]")
	}
}

func TestIsTransient(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadlock", sqlErr(1205), true},
		{"db starting", sqlErr(40613), true},
		{"cannot open db", sqlErr(4060), true},
		{"pipe", sqlErr(233), true},
		{"transport 10054", sqlErr(10054), true},
		{"transport 10053", sqlErr(10053), true},
		{"exclusive access", sqlErr(3101, 3013), false},
		{"different db", sqlErr(3154, 3013), false},
		{"tail log", sqlErr(3159, 3013), false},
		{"log gap", sqlErr(4305, 3013), false},
		{"backup device", sqlErr(3201, 3013), false},
		{"syntax", sqlErr(102), false},
		{"login failed", sqlErr(18456), false},
		{"refused", fmt.Errorf("unable to open tcp connection with host '127.0.0.1:1': %w", refused), true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"eof", io.EOF, true},
		{"bad conn", driver.ErrBadConn, true},
		{"stream", mssql.StreamError{InnerError: errors.New("bad token")}, true},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), false},
		{"deadline", &net.OpError{Op: "read", Err: context.DeadlineExceeded}, false},
		{"text only", errors.New("read tcp: connection reset by peer"), true},
		{"other", errors.New("mystery"), false},
	}
	for _, c := range cases {
		if got := IsTransient(c.err); got != c.want {
			t.Errorf("%s: IsTransient(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
