//go:build !linux

package portlease

import "errors"

// openLocker: open-file-description locks are Linux's; elsewhere a book
// leases within itself only and says so (Book.Shared).
func openLocker(string) (locker, error) {
	return nil, errors.New("no open-file-description locks on this platform")
}
