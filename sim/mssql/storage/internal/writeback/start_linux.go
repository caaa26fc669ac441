package writeback

import (
	"os"
	"syscall"
)

// start asks the kernel to begin writing n bytes of f at off to disk
// (sync_file_range with SYNC_FILE_RANGE_WRITE: it returns once the writes
// are queued). An error only means the data stays for the fsync.
func start(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SyncFileRange(int(fd), off, n, 2) // SYNC_FILE_RANGE_WRITE
	})
}
