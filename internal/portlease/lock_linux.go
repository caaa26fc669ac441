//go:build linux

package portlease

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ofdLocker holds write locks on single bytes of the shared lock file, one
// per leased port, through its own open file description: F_OFD_SETLK
// locks belong to the description, not the process, so two books of one
// process conflict as two processes do, and closing the file (or the
// process dying) drops them all.
type ofdLocker struct{ f *os.File }

func openLocker(path string) (locker, error) {
	// 0o666 before the umask: every user's runs on the machine share it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	l := &ofdLocker{f}
	// A probe lock proves the file system takes these locks (some
	// network and FUSE file systems do not).
	if _, err := l.tryLock(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := l.unlock(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlock %s: %w", path, err)
	}
	return l, nil
}

func (l *ofdLocker) lk(typ int16, port int) error {
	fl := unix.Flock_t{Type: typ, Whence: 0, Start: int64(port), Len: 1}
	return unix.FcntlFlock(l.f.Fd(), unix.F_OFD_SETLK, &fl)
}

func (l *ofdLocker) tryLock(port int) (bool, error) {
	err := l.lk(unix.F_WRLCK, port)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
		return false, nil
	}
	return err == nil, err
}

func (l *ofdLocker) unlock(port int) error { return l.lk(unix.F_UNLCK, port) }
func (l *ofdLocker) close() error          { return l.f.Close() }
