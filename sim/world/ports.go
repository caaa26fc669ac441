package world

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The world binds some ports again later on the same number: an instance
// restarted or rebuilt (the engine and the topology hold its address), a
// link proxy restored after a cut, the management endpoint restarted. A
// port the kernel handed out for 127.0.0.1:0 lies in its ephemeral range,
// where any outgoing connection on the machine may take it while it is
// free, and the re-bind then fails with "address already in use". So the
// world picks those ports below the ephemeral range, where the kernel
// never assigns a port on its own, and re-binds with a bounded retry for
// the rare case that another process bound the same port explicitly.

const (
	// stablePortLow is the lowest port the world takes: above the
	// well-known and most registered service ports.
	stablePortLow = 10000
	// linuxEphemeralLow is Linux's default start of the ephemeral range,
	// assumed where /proc does not say (other systems start at 49152, so
	// the window below it is outside theirs too).
	linuxEphemeralLow = 32768
	// rebindWait bounds how long a re-bind waits for a port held by
	// someone else: generous for a loaded machine, short enough that a
	// port taken for good fails the step with a clear error.
	rebindWait = 30 * time.Second
)

// ephemeralLow is the first port of the kernel's ephemeral range, read
// from /proc where present, else Linux's default.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return linuxEphemeralLow
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return linuxEphemeralLow
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil || lo <= 0 {
		return linuxEphemeralLow
	}
	return lo
}

// stableAddr is a free loopback address "127.0.0.1:port" with the port
// below the ephemeral range, chosen at random (not from the world's seed:
// parallel test processes must not pick the same ports) and checked free
// by binding it. Where the range leaves no room below it (a kernel tuned
// to hand out ports from 10000 or lower), it falls back to 127.0.0.1:0
// and the kernel's choice: re-binds then rely on listenRetry alone.
func stableAddr() (string, error) {
	lo, hi := stablePortLow, ephemeralLow()-1
	if hi-lo < 1000 {
		return "127.0.0.1:0", nil
	}
	var last error
	for range 100 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(lo+rand.IntN(hi-lo+1)))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			last = err
			continue
		}
		if err := ln.Close(); err != nil {
			return "", fmt.Errorf("world: port: %w", err)
		}
		return addr, nil
	}
	return "", fmt.Errorf("world: no free port in %d-%d: %w", lo, hi, last)
}

// stablePort is stableAddr's port number (a container's published port).
func stablePort() (int, error) {
	addr, err := stableAddr()
	if err != nil {
		return 0, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("world: port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// rebind calls bind until it succeeds, fails other than with the port in
// use, ctx ends or rebindWait passes, backing off between tries; the error
// names the port and its owner.
func rebind(ctx context.Context, owner, addr string, bind func() error) error {
	ctx, cancel := context.WithTimeout(ctx, rebindWait)
	defer cancel()
	delay := 10 * time.Millisecond
	for {
		err := bind()
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("world: %s: port %s still in use by another socket after waiting: %w", owner, addr, err)
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// listenRetry listens on addr for owner, waiting (rebind) while the port
// is in use.
func listenRetry(ctx context.Context, owner, addr string) (net.Listener, error) {
	var ln net.Listener
	var lc net.ListenConfig
	err := rebind(ctx, owner, addr, func() (err error) {
		ln, err = lc.Listen(ctx, "tcp", addr)
		return err
	})
	return ln, err
}
