// Package portlease hands out loopback ports that a world binds again later
// on the same number (an instance restarted or rebuilt, a link proxy
// restored, a container started again), and keeps every port it handed out
// leased machine-wide until its book closes.
//
// A port a world owns is not always bound: an instance that is down, a
// container being created or stopped, a link cut. Checking a port free by
// binding it only says nobody holds it now; another world, in this process
// or in a parallel test process, could take it in that gap, and the owner's
// restart then fails ("address already in use", or Docker's "port is
// already allocated"). So a book also takes a lock on the port's byte of
// one lock file every harness process on the machine shares (Linux
// open-file-description locks: per open file, so two books of one process
// exclude each other too, and the kernel drops them when the process
// dies, so a killed run leaks nothing). Ports come from below the kernel's
// ephemeral range, where it never assigns one on its own, at random (not
// from the world's seed: parallel processes would walk the same sequence).
package portlease

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

const (
	// LowPort is the lowest port a book hands out: above the well-known
	// and most registered service ports.
	LowPort = 10000
	// linuxEphemeralLow is Linux's default start of the ephemeral range,
	// assumed where /proc does not say (other systems start at 49152, so
	// the window below it is outside theirs too).
	linuxEphemeralLow = 32768
	// minSpan is the smallest window below the ephemeral range worth
	// picking from; with less (a kernel tuned to hand out ports from
	// 10000 or lower) a book hands out the kernel's choice instead.
	minSpan = 1000
	// tries bounds the random picks of one Port call.
	tries = 200
)

// ErrExhausted: no port of the window was both unleased and free.
var ErrExhausted = errors.New("portlease: no free port")

// Config says where a book picks and locks. The zero value is the
// machine's: the window LowPort up to the ephemeral range, the shared lock
// file in the temporary folder, math/rand's picks.
type Config struct {
	// LockFile is the file every book on the machine locks port bytes in
	// ("" : DefaultLockFile).
	LockFile string
	// Low and High bound the window (both 0: LowPort up to the ephemeral
	// range's start, less one).
	Low, High int
	// Pick returns a number in [0, n) (nil: math/rand/v2's IntN). Tests
	// set it to steer the picks.
	Pick func(n int) int
}

// DefaultLockFile is the lock file every harness process on the machine
// shares: in the temporary folder, so runs given different TMPDIRs do not
// see each other's leases (they then rely on the bind check and re-bind
// waits alone, as before leases).
func DefaultLockFile() string {
	return filepath.Join(os.TempDir(), "pchat-harness-ports.lock")
}

// Book is one owner's leased ports (a world's). Close releases them.
type Book struct {
	mu  sync.Mutex
	cfg Config
	// kernel: the window below the ephemeral range is too narrow to pick
	// from, so the book hands out the kernel's choice, unleased.
	kernel bool
	locks  locker // nil where the lock file could not be opened
	shared error  // why ports are not leased machine-wide, or nil
	held   map[int]bool
	closed bool
}

// locker locks single port bytes of the lock file for this book
// (lock_linux.go; lock_other.go where the platform has no such locks).
type locker interface {
	tryLock(port int) (bool, error)
	unlock(port int) error
	close() error
}

// Open makes a book. Where the lock file cannot be opened or locked (a
// read-only temporary folder, a platform without open-file-description
// locks), the book still works but leases within itself only; Shared says
// why, for the owner to report.
func Open(cfg Config) (*Book, error) {
	kernel := false
	if cfg.Low == 0 && cfg.High == 0 {
		cfg.Low, cfg.High = LowPort, ephemeralLow()-1
		if cfg.High-cfg.Low+1 < minSpan {
			kernel = true
			cfg.High = cfg.Low
		}
	}
	if cfg.Low <= 0 || cfg.High > 65535 || cfg.High < cfg.Low {
		return nil, fmt.Errorf("portlease: window %d-%d: want 1 <= low <= high <= 65535", cfg.Low, cfg.High)
	}
	if cfg.LockFile == "" {
		cfg.LockFile = DefaultLockFile()
	}
	if cfg.Pick == nil {
		cfg.Pick = rand.IntN
	}
	b := &Book{cfg: cfg, kernel: kernel, held: map[int]bool{}}
	b.locks, b.shared = openLocker(cfg.LockFile)
	if b.shared != nil {
		b.shared = fmt.Errorf("portlease: ports leased within this world only: %w", b.shared)
	}
	return b, nil
}

// Shared is nil when the book's leases hold machine-wide, else why not.
func (b *Book) Shared() error { return b.shared }

// Addr is a leased loopback address "127.0.0.1:port"; see Port. Where
// the window is too narrow it is "127.0.0.1:0", for the listener to take
// the kernel's choice.
func (b *Book) Addr() (string, error) {
	if b.kernel {
		return "127.0.0.1:0", nil
	}
	p, err := b.Port()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}

// Port leases a port of the window that no other book holds and nothing
// binds now, and keeps it until Close. Where the window below the
// ephemeral range is too narrow to pick from, it is a port the kernel
// chose, not leased: re-binds then rely on waiting (as before leases).
func (b *Book) Port() (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errors.New("portlease: book closed")
	}
	if b.kernel {
		return kernelPort()
	}
	span := b.cfg.High - b.cfg.Low + 1
	var last error
	for range tries {
		p := b.cfg.Low + b.cfg.Pick(span)
		if b.held[p] {
			continue
		}
		if b.locks != nil {
			ok, err := b.locks.tryLock(p)
			if err != nil {
				return 0, fmt.Errorf("portlease: lock port %d in %s: %w", p, b.cfg.LockFile, err)
			}
			if !ok {
				last = fmt.Errorf("port %d leased by another book", p)
				continue
			}
		}
		if err := bindFree(p); err != nil {
			last = err
			if b.locks != nil {
				if err := b.locks.unlock(p); err != nil {
					return 0, fmt.Errorf("portlease: unlock port %d: %w", p, err)
				}
			}
			continue
		}
		b.held[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("%w in %d-%d after %d tries (last: %v)", ErrExhausted, b.cfg.Low, b.cfg.High, tries, last)
}

// kernelPort is a free loopback port of the kernel's choosing.
func kernelPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("portlease: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// bindFree checks that nothing binds 127.0.0.1:p now (a process that
// does not lease, or Docker's proxy for a container of a run that does).
func bindFree(p int) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return err
	}
	return ln.Close()
}

// Close releases every lease. The ports' owners must have stopped binding
// them (a world closes its instances first).
func (b *Book) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	clear(b.held)
	if b.locks == nil {
		return nil
	}
	if err := b.locks.close(); err != nil {
		return fmt.Errorf("portlease: %w", err)
	}
	return nil
}

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
