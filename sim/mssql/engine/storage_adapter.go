package engine

import (
	"context"
	"io"

	"github.com/pchatdr/harness/sim/mssql/storage"
)

// storageLog adapts *storage.Log to walLog (LSN type conversion only).
type storageLog struct{ l *storage.Log }

func openStorage(dir string, cfg *Config) (walLog, error) {
	l, err := storage.Open(dir, storage.Options{NoSync: cfg.NoSync, Logf: cfg.Logf})
	if err != nil {
		return nil, err
	}
	return storageLog{l}, nil
}

func (s storageLog) Append(ctx context.Context, p []byte) (uint64, error) {
	lsn, err := s.l.Append(ctx, p)
	return uint64(lsn), err
}

func (s storageLog) Replay(from uint64, fn func(uint64, []byte) error) error {
	return s.l.Replay(storage.LSN(from), func(l storage.LSN, p []byte) error { return fn(uint64(l), p) })
}

func (s storageLog) WriteSnapshot(lsn uint64, w func(io.Writer) error) error {
	return s.l.WriteSnapshot(storage.LSN(lsn), w)
}

func (s storageLog) LatestSnapshot() (uint64, func() (io.ReadCloser, error), bool, error) {
	lsn, open, ok, err := s.l.LatestSnapshot()
	return uint64(lsn), open, ok, err
}

func (s storageLog) LastLSN() uint64 { return uint64(s.l.LastLSN()) }
func (s storageLog) Close() error    { return s.l.Close() }

func (s storageLog) SnapshotFile(lsn uint64) (string, int64, bool) {
	return s.l.SnapshotFile(storage.LSN(lsn))
}
