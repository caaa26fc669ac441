package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")

	tests := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"dial open", []string{"dial", ln.Addr().String()}, 0, "reached " + ln.Addr().String(), ""},
		{"dial closed", []string{"dial", closedAddr, "500ms"}, 1, "", "probe:"},
		{"dial bad timeout", []string{"dial", closedAddr, "soon"}, 2, "", "dial timeout"},
		{"write", []string{"write", file, "hello"}, 0, "", ""},
		{"read", []string{"read", file}, 0, "hello", ""},
		{"read missing", []string{"read", filepath.Join(dir, "none")}, 1, "", "no such file"},
		{"chown self", []string{"chown", ownerOf(t, dir), dir}, 0, "", ""},
		{"chown bad owner", []string{"chown", "root", dir}, 2, "", "want UID:GID"},
		{"no command", nil, 2, "", "usage"},
		{"unknown", []string{"ping", "x"}, 2, "", "bad command"},
		{"wrong arity", []string{"write", file}, 2, "", "bad command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
				t.Fatalf("run(%q) = %d, out %q, err %q; want %d, %q, %q", tc.args, code, out.String(), errb.String(), tc.code, tc.out, tc.err)
			}
		})
	}
}

// ownerOf is this process's uid:gid, which may always chown its own files.
func ownerOf(t *testing.T, path string) string {
	t.Helper()
	return strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
}

func TestParseOwner(t *testing.T) {
	tests := []struct {
		in       string
		uid, gid int
		ok       bool
	}{
		{"10001:10001", 10001, 10001, true},
		{"0:0", 0, 0, true},
		{"10001", 0, 0, false},
		{"-1:0", 0, 0, false},
		{"a:b", 0, 0, false},
		{":", 0, 0, false},
	}
	for _, tc := range tests {
		u, g, err := parseOwner(tc.in)
		if (err == nil) != tc.ok || u != tc.uid || g != tc.gid {
			t.Errorf("parseOwner(%q) = %d, %d, %v", tc.in, u, g, err)
		}
	}
}

func FuzzParseOwner(f *testing.F) {
	for _, s := range []string{"10001:10001", "0:0", "1:", ":1", "x", "-5:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, g, err := parseOwner(s)
		if err == nil && (u < 0 || g < 0 || !strings.Contains(s, ":")) {
			t.Fatalf("parseOwner(%q) accepted %d:%d", s, u, g)
		}
	})
}
