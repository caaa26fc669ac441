package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFsync measures the disk's fsync cost for a small append, the
// floor under every durable commit that does not share its fsync.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 220)
	for b.Loop() {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDatasyncPreallocated is the flush the writer actually does: a
// small write over preallocated zeros, then fdatasync (no size change, so no
// metadata to commit). Compare with BenchmarkFsync.
func BenchmarkDatasyncPreallocated(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	const size = 16 << 20
	for off := int64(0); off < size; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros[:], off); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 220)
	off := int64(0)
	for b.Loop() {
		if off+int64(len(buf)) > size {
			off = 0
		}
		if _, err := f.WriteAt(buf, off); err != nil {
			b.Fatal(err)
		}
		off += int64(len(buf))
		if err := datasync(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendDurable: ~200-byte records, fsynced, from exactly N
// concurrent appenders (explicit goroutines rather than RunParallel, whose
// goroutine count is a multiple of GOMAXPROCS and cannot express 1).
// records/s is the figure to hold against the 20,000 INSERT/s goal.
func BenchmarkAppendDurable(b *testing.B) {
	for _, appenders := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			l, err := Open(b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			payload := payloadFor(1, 200)
			var claimed atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, appenders)
			b.ResetTimer()
			start := time.Now()
			for range appenders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for claimed.Add(1) <= int64(b.N) {
						if _, err := l.Append(context.Background(), payload); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			st := l.Stats()
			b.ReportMetric(float64(b.N)/el.Seconds(), "records/s")
			if st.Syncs > 0 {
				b.ReportMetric(float64(st.Records)/float64(st.Syncs), "records/fsync")
			}
		})
	}
}
