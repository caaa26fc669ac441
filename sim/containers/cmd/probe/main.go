// Command probe is the one tool inside the harness's FROM scratch images,
// which have no shell: checks exec it to see whether a container reaches an
// address (a data-center cut) or a file on the share, and a one-shot
// container runs it as root to hand a fresh share volume to uid 10001.
//
//	probe dial HOST:PORT [TIMEOUT]   exit 0 if a TCP connection opens
//	probe write FILE TEXT            write TEXT to FILE
//	probe read FILE                  print FILE
//	probe chown UID:GID DIR          chown DIR (not recursive)
//
// Exit codes: 0 success, 1 the probe failed, 2 usage.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: probe dial|write|read|chown ...")
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "dial" && (len(rest) == 1 || len(rest) == 2):
		timeout := 2 * time.Second
		if len(rest) == 2 {
			if timeout, err = time.ParseDuration(rest[1]); err != nil {
				fmt.Fprintf(stderr, "probe: dial timeout: %v\n", err)
				return 2
			}
		}
		var c net.Conn
		if c, err = net.DialTimeout("tcp", rest[0], timeout); err == nil {
			c.Close()
			fmt.Fprintf(stdout, "reached %s\n", rest[0])
		}
	case cmd == "write" && len(rest) == 2:
		err = os.WriteFile(rest[0], []byte(rest[1]), 0o644)
	case cmd == "read" && len(rest) == 1:
		var b []byte
		if b, err = os.ReadFile(rest[0]); err == nil {
			stdout.Write(b)
		}
	case cmd == "chown" && len(rest) == 2:
		var uid, gid int
		if uid, gid, err = parseOwner(rest[0]); err != nil {
			fmt.Fprintf(stderr, "probe: %v\n", err)
			return 2
		}
		err = os.Chown(rest[1], uid, gid)
	default:
		fmt.Fprintf(stderr, "probe: bad command %q with %d arguments\n", cmd, len(rest))
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 1
	}
	return 0
}

func parseOwner(s string) (int, int, error) {
	u, g, ok := strings.Cut(s, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("owner %q: want UID:GID", s)
	}
	return uid, gid, nil
}
