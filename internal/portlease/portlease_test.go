package portlease

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// freeWindow is a window of n consecutive ports below the ephemeral range
// that nothing binds now.
func freeWindow(t *testing.T, n int) int {
	t.Helper()
	for lo := 20000 + os.Getpid()%5000; lo < 32000; lo += n {
		ok := true
		for p := lo; p < lo+n; p++ {
			if bindFree(p) != nil {
				ok = false
				break
			}
		}
		if ok {
			return lo
		}
	}
	t.Fatal("no free window")
	return 0
}

// seq picks the given offsets in order, then the last one for ever.
func seq(offsets ...int) func(int) int {
	i := 0
	return func(int) int {
		o := offsets[min(i, len(offsets)-1)]
		i++
		return o
	}
}

func openBook(t *testing.T, cfg Config) *Book {
	t.Helper()
	b, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func needShared(t *testing.T, b *Book) {
	t.Helper()
	if err := b.Shared(); err != nil {
		if runtime.GOOS == "linux" {
			t.Fatalf("leases not shared on Linux: %v", err)
		}
		t.Skipf("skipped: %v", err)
	}
}

// TestLeasedPortSkippedWhileUnbound: a port another book leased is not
// handed out even though nothing binds it (its owner's instance is down),
// and is handed out again once that book closes.
func TestLeasedPortSkippedWhileUnbound(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "ports.lock")
	lo := freeWindow(t, 3)
	a := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 2, Pick: seq(0)})
	needShared(t, a)
	pa, err := a.Port()
	if err != nil || pa != lo {
		t.Fatalf("a.Port() = %d, %v; want %d", pa, err, lo)
	}
	b := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 2, Pick: seq(0, 0, 1)})
	pb, err := b.Port()
	if err != nil || pb != lo+1 {
		t.Fatalf("b.Port() = %d, %v; want %d (%d is a's, unbound but leased)", pb, err, lo+1, lo)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 2, Pick: seq(0)})
	if pc, err := c.Port(); err != nil || pc != lo {
		t.Fatalf("after a closed: c.Port() = %d, %v; want %d", pc, err, lo)
	}
}

// TestBookDoesNotRepeat: one book never hands out a port twice.
func TestBookDoesNotRepeat(t *testing.T) {
	lo := freeWindow(t, 2)
	b := openBook(t, Config{LockFile: filepath.Join(t.TempDir(), "l"), Low: lo, High: lo + 1, Pick: seq(0, 0, 0, 1)})
	p1, err1 := b.Port()
	p2, err2 := b.Port()
	if err1 != nil || err2 != nil || p1 != lo || p2 != lo+1 {
		t.Fatalf("ports %d (%v), %d (%v); want %d, %d", p1, err1, p2, err2, lo, lo+1)
	}
	if _, err := b.Port(); !errors.Is(err, ErrExhausted) {
		t.Fatalf("third port: %v, want ErrExhausted", err)
	}
}

// TestBoundPortSkipped: a port some process binds (one that does not
// lease) is skipped, and its lock given back for others.
func TestBoundPortSkipped(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "ports.lock")
	lo := freeWindow(t, 2)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(lo)))
	if err != nil {
		t.Fatal(err)
	}
	b := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 1, Pick: seq(0, 1)})
	if p, err := b.Port(); err != nil || p != lo+1 {
		t.Fatalf("Port() = %d, %v; want %d (%d is bound)", p, err, lo+1, lo)
	}
	ln.Close()
	c := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 1, Pick: seq(0)})
	if p, err := c.Port(); err != nil || p != lo {
		t.Fatalf("after the listener closed: Port() = %d, %v; want %d (b must not keep the lock of a port it skipped)", p, err, lo)
	}
}

// TestLeaseHeldByAnotherProcess: a lease of another process excludes the
// port here, and the kernel drops it when that process is killed (a run
// killed mid-scenario leaks nothing).
func TestLeaseHeldByAnotherProcess(t *testing.T) {
	if os.Getenv("PORTLEASE_CHILD") != "" {
		return // the child runs TestMain's hold instead
	}
	lock := filepath.Join(t.TempDir(), "ports.lock")
	lo := freeWindow(t, 2)
	probe := openBook(t, Config{LockFile: lock, Low: lo, High: lo})
	needShared(t, probe)
	probe.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PORTLEASE_CHILD="+fmt.Sprintf("%s:%d", lock, lo))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != fmt.Sprintf("held %d\n", lo) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	b := openBook(t, Config{LockFile: lock, Low: lo, High: lo + 1, Pick: seq(0, 1)})
	if p, err := b.Port(); err != nil || p != lo+1 {
		t.Fatalf("Port() = %d, %v; want %d (%d is the child's)", p, err, lo+1, lo)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	c := openBook(t, Config{LockFile: lock, Low: lo, High: lo, Pick: seq(0)})
	if p, err := c.Port(); err != nil || p != lo {
		t.Fatalf("after the child was killed: Port() = %d, %v; want %d", p, err, lo)
	}
}

// TestMain lets the test binary be the other process: it leases the port
// PORTLEASE_CHILD names, says so, and holds it until killed or stdin ends.
func TestMain(m *testing.M) {
	if v := os.Getenv("PORTLEASE_CHILD"); v != "" {
		i := strings.LastIndexByte(v, ':')
		lock := v[:i]
		port, _ := strconv.Atoi(v[i+1:])
		b, err := Open(Config{LockFile: lock, Low: port, High: port})
		if err == nil {
			var p int
			if p, err = b.Port(); err == nil {
				fmt.Printf("held %d\n", p)
				bufio.NewReader(os.Stdin).ReadString('\n')
				os.Exit(0)
			}
		}
		fmt.Printf("error %v\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestUnusableLockFile: where the lock file cannot be opened the book
// still hands out free ports, and says its leases are not shared.
func TestUnusableLockFile(t *testing.T) {
	lo := freeWindow(t, 1)
	b := openBook(t, Config{LockFile: "/proc/nonexistent/ports.lock", Low: lo, High: lo})
	if b.Shared() == nil {
		t.Fatal("Shared() = nil for a lock file in /proc/nonexistent")
	}
	if p, err := b.Port(); err != nil || p != lo {
		t.Fatalf("Port() = %d, %v; want %d", p, err, lo)
	}
}

func TestBadWindow(t *testing.T) {
	for _, c := range []Config{{Low: 5, High: 4}, {Low: -1, High: 10}, {Low: 60000, High: 70000}} {
		if _, err := Open(c); err == nil {
			t.Errorf("Open(%d-%d): no error", c.Low, c.High)
		}
	}
}

// TestDefaultWindowBelowEphemeral: the machine's window ends below the
// kernel's ephemeral range, read here on its own.
func TestDefaultWindowBelowEphemeral(t *testing.T) {
	b := openBook(t, Config{LockFile: filepath.Join(t.TempDir(), "l")})
	p, err := b.Port()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Skipf("skipped: no ephemeral range to compare with: %v", err)
	}
	var elo, ehi int
	if _, err := fmt.Sscan(string(raw), &elo, &ehi); err != nil {
		t.Fatal(err)
	}
	if elo-LowPort < minSpan {
		t.Skipf("skipped: ephemeral range starts at %d, no window below it (TestNarrowWindowTakesKernelPorts covers this)", elo)
	}
	if p < LowPort || p >= elo {
		t.Fatalf("Port() = %d, want %d <= p < %d", p, LowPort, elo)
	}
}

// TestNarrowWindowTakesKernelPorts: where the ephemeral range leaves no
// window below it, the book hands out ports the kernel chose (a concrete
// number for a container's published port, ":0" for a listener).
func TestNarrowWindowTakesKernelPorts(t *testing.T) {
	b := openBook(t, Config{LockFile: filepath.Join(t.TempDir(), "l")})
	b.kernel = true
	p, err := b.Port()
	if err != nil || p <= 0 {
		t.Fatalf("Port() = %d, %v; want a port the kernel chose", p, err)
	}
	if a, err := b.Addr(); err != nil || a != "127.0.0.1:0" {
		t.Fatalf("Addr() = %q, %v; want 127.0.0.1:0", a, err)
	}
}
