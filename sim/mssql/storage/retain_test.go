package storage

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestRetainFromKeepsSegments checks that a hold keeps records a snapshot
// would otherwise prune, and that releasing it lets pruning proceed.
func TestRetainFromKeepsSegments(t *testing.T) {
	tests := []struct {
		name   string
		retain LSN
		// wantFrom is the LSN Replay must still reach after two snapshots.
		wantFrom LSN
		pruned   bool
	}{
		{"no hold prunes", 0, 1, true},
		{"hold at 5 keeps 5", 5, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(t.TempDir(), Options{NoSync: true, SegmentBytes: 256})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.SetRetainFrom(tt.retain)
			ctx := context.Background()
			for i := 0; i < 60; i++ {
				if _, err := l.Append(ctx, []byte(strings.Repeat("x", 40))); err != nil {
					t.Fatal(err)
				}
			}
			snap := func(w io.Writer) error { _, err := w.Write([]byte("state")); return err }
			if err := l.WriteSnapshot(30, snap); err != nil {
				t.Fatal(err)
			}
			if err := l.WriteSnapshot(50, snap); err != nil {
				t.Fatal(err)
			}
			err = l.Replay(tt.wantFrom, func(LSN, []byte) error { return nil })
			if got := errors.Is(err, ErrPruned); got != tt.pruned {
				t.Fatalf("Replay(%d) err = %v, pruned want %v", tt.wantFrom, err, tt.pruned)
			}
			if l.RetainFrom() != tt.retain {
				t.Fatalf("RetainFrom = %d", l.RetainFrom())
			}
		})
	}
}
