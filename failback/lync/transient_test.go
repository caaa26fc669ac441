package lync

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestIsTransient(t *testing.T) {
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refused", fmt.Errorf("winrm post: %w", dialRefused), true},
		{"reset", fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{"eof", fmt.Errorf("winrm post: %w", io.ErrUnexpectedEOF), true},
		{"503", &HTTPStatusError{StatusCode: 503}, true},
		{"500 fault", &HTTPStatusError{StatusCode: 500, Subcode: "w:InternalError", Fault: "The WS-Management service cannot process the request."}, true},
		{"500 access denied", &HTTPStatusError{StatusCode: 500, Subcode: "w:AccessDenied"}, false},
		{"401", fmt.Errorf("winrm create shell: %w", &HTTPStatusError{StatusCode: 401}), false},
		{"403", &HTTPStatusError{StatusCode: 403}, false},
		{"429", &HTTPStatusError{StatusCode: 429}, true},
		{"library string 500", errors.New("http error 500: <s:Envelope>"), true},
		{"library string 401", errors.New("http error 401: "), false},
		{"string reset", errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer"), true},
		{"cmdlet", fmt.Errorf("lync x: %w", &CmdletError{Message: "no"}), false},
		{"bad script", fmt.Errorf("lync x: %w", ErrBadScript), false},
		{"canceled", fmt.Errorf("winrm post: %w", context.Canceled), false},
		{"deadline", &net.OpError{Op: "read", Err: context.DeadlineExceeded}, false},
		{"timeout", &net.DNSError{Err: "timeout", IsTimeout: true}, true},
		{"unknown ca", fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), false},
		{"other", errors.New("something else"), false},
	}
	for _, c := range cases {
		if got := IsTransient(c.err); got != c.want {
			t.Errorf("%s: IsTransient(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
