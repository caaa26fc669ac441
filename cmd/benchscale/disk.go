package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return n
	}
	mapped := map[string]int64{} // inode: bytes
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[len(f)-1] != "(deleted)" || !strings.HasPrefix(f[5], dir) {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		a, _ := strconv.ParseUint(lo, 16, 64)
		z, _ := strconv.ParseUint(hi, 16, 64)
		if size := int64(z - a); size > mapped[f[4]] {
			mapped[f[4]] = size
		}
	}
	for _, size := range mapped {
		n += size
	}
	return n
}
