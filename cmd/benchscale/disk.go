package main

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pchatdr/harness/internal/diskuse"
)

// watchDisk samples, until the function it returns is called, how much
// disk the run in dir takes, and returns the most it saw
// (loadtest.DiskPerByte is set from it): the blocks of the files under
// dir, and the files this process still maps there after they were
// unlinked (row segments' chunks, a pruned snapshot that restored rows are
// read from), which no listing of dir shows.
func watchDisk(ctx context.Context, dir string) func() int64 {
	return watchPeak(ctx, time.Second, func() int64 { return diskUse(dir) })
}

// diskUse is the blocks of the files under dir plus the unlinked files
// under it this process maps (each file once, at its largest mapping).
func diskUse(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // a file removed while walking
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			} else {
				n += info.Size()
			}
		}
		return nil
	})
	ms, err := diskuse.Mappings(dir)
	if err != nil {
		return n
	}
	mapped := map[string]int64{} // inode: bytes
	for _, m := range ms {
		if m.Deleted && m.Bytes > mapped[m.Inode] {
			mapped[m.Inode] = m.Bytes
		}
	}
	for _, size := range mapped {
		n += size
	}
	return n
}
