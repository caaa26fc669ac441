package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"
)

func TestAppendReplay(t *testing.T) {
	sizes := []int{0, 1, 7, 8, 200, 4096, 70000}
	l := openT(t, t.TempDir(), Options{NoSync: true})
	defer closeT(t, l)
	if got := l.LastLSN(); got != 0 {
		t.Fatalf("empty log LastLSN = %d, want 0", got)
	}
	size := func(lsn LSN) int { return sizes[int(lsn-1)%len(sizes)] }
	want := func(lsn LSN) []byte { return payloadFor(lsn, size(lsn)) }
	for i := LSN(1); i <= 50; i++ {
		if got := mustAppend(t, l, want(i)); got != i {
			t.Fatalf("Append returned LSN %d, want %d", got, i)
		}
	}
	tests := []struct {
		name     string
		from, to LSN
	}{
		{"from zero means from the start", 0, 50},
		{"from one", 1, 50},
		{"from the middle", 23, 50},
		{"from the last", 50, 50},
		{"past the end", 51, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from
			if from == 0 {
				from = 1
			}
			checkSequence(t, replayAll(t, l, tc.from), from, tc.to, want)
		})
	}
	stop := errors.New("stop")
	var n int
	err := l.Replay(1, func(LSN, []byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Replay with failing fn: err %v after %d calls, want the fn's error after 1", err, n)
	}
}

func TestRestartKeepsAcknowledgedRecords(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 2048} // many segments, real fsyncs
	l := openT(t, dir, opts)
	want := map[LSN][]byte{}
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		if i%5 == 4 {
			batch := [][]byte{payloadFor(LSN(1000+i), 30), payloadFor(LSN(2000+i), 0), payloadFor(LSN(3000+i), 90)}
			first, last, err := l.AppendBatch(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			if last-first != 2 {
				t.Fatalf("batch of 3 got LSNs %d..%d", first, last)
			}
			for j, p := range batch {
				want[first+LSN(j)] = p
			}
			continue
		}
		p := payloadFor(LSN(i), 150)
		want[mustAppend(t, l, p)] = p
	}
	last := l.LastLSN()
	closeT(t, l)

	l = openT(t, dir, opts)
	defer closeT(t, l)
	rep := l.Recovery()
	if rep.LastLSN != last || rep.Records != len(want) || rep.TornBytes != 0 || rep.FirstLSN != 1 {
		t.Fatalf("recovery %+v, want LastLSN %d, %d records, nothing torn", rep, last, len(want))
	}
	if rep.Segments < 3 {
		t.Fatalf("recovery read %d segments, want several with SegmentBytes 2048", rep.Segments)
	}
	checkSequence(t, replayAll(t, l, 1), 1, last, func(lsn LSN) []byte { return want[lsn] })
	if got := mustAppend(t, l, []byte("after restart")); got != last+1 {
		t.Fatalf("first append after restart got LSN %d, want %d", got, last+1)
	}
}

func TestConcurrentAppenders(t *testing.T) {
	l := openT(t, t.TempDir(), Options{SegmentBytes: 64 << 10})
	const workers, each = 8, 150
	var mu sync.Mutex
	got := map[LSN][]byte{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				p := []byte(fmt.Sprintf("worker %d row %d", w, i))
				if i%10 == 9 {
					first, last, err := l.AppendBatch(context.Background(), [][]byte{p, append(p, '!')})
					if err != nil || last != first+1 {
						errs <- fmt.Errorf("batch: %d..%d %v", first, last, err)
						return
					}
					mu.Lock()
					got[first], got[last] = p, append(p, '!')
					mu.Unlock()
					continue
				}
				lsn, err := l.Append(context.Background(), p)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if _, dup := got[lsn]; dup {
					errs <- fmt.Errorf("LSN %d handed out twice", lsn)
				}
				got[lsn] = p
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := l.Stats()
	if int(st.Records) != len(got) || LSN(len(got)) != l.LastLSN() {
		t.Fatalf("stats %+v, %d acknowledged, LastLSN %d", st, len(got), l.LastLSN())
	}
	if st.Syncs >= st.Requests {
		t.Errorf("group commit did not share fsyncs: %d syncs for %d requests", st.Syncs, st.Requests)
	}
	t.Logf("%d requests, %d records, %d fsyncs (%.1f records per fsync)", st.Requests, st.Records, st.Syncs, float64(st.Records)/float64(st.Syncs))
	dir := l.Dir()
	closeT(t, l)
	l = openT(t, dir, Options{})
	defer closeT(t, l)
	checkSequence(t, replayAll(t, l, 1), 1, LSN(len(got)), func(lsn LSN) []byte { return got[lsn] })
}

func TestClose(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true})
	mustAppend(t, l, []byte("x"))
	closeT(t, l)
	select {
	case <-l.done:
	default:
		t.Fatal("writer goroutine still running after Close")
	}
	ctx := context.Background()
	if _, err := l.Append(ctx, []byte("y")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v, want ErrClosed", err)
	}
	if _, _, err := l.AppendBatch(ctx, [][]byte{{1}}); !errors.Is(err, ErrClosed) {
		t.Errorf("AppendBatch after Close: %v, want ErrClosed", err)
	}
	if err := l.Replay(1, func(LSN, []byte) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Replay after Close: %v, want ErrClosed", err)
	}
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
	// The directory lock was released: it opens again.
	l2 := openT(t, dir, Options{NoSync: true})
	closeT(t, l2)
}

func TestCloseWhileAppending(t *testing.T) {
	l := openT(t, t.TempDir(), Options{NoSync: true})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := l.Append(context.Background(), []byte("row"))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	closeT(t, l)
	wg.Wait()
}

func TestOpenRefusesSecondUser(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true})
	defer closeT(t, l)
	if l2, err := Open(dir, Options{}); err == nil {
		l2.Close()
		t.Fatal("second Open of a directory in use succeeded")
	}
}

func TestAppendRefusals(t *testing.T) {
	l := openT(t, t.TempDir(), Options{NoSync: true})
	defer closeT(t, l)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"cancelled context", func() error { _, err := l.Append(ctx, []byte("x")); return err }, context.Canceled},
		{"cancelled context batch", func() error { _, _, err := l.AppendBatch(ctx, [][]byte{{1}}); return err }, context.Canceled},
		{"empty batch", func() error { _, _, err := l.AppendBatch(context.Background(), nil); return err }, nil},
		{"payload too big", func() error {
			_, err := l.Append(context.Background(), make([]byte, MaxPayloadBytes+1))
			return err
		}, nil},
		{"snapshot beyond the log", func() error {
			return l.WriteSnapshot(5, func(io.Writer) error { return nil })
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if l.LastLSN() != 0 {
		t.Fatalf("refused appends moved LastLSN to %d", l.LastLSN())
	}
}

// A deadline that expires while callers wait returns ctx.Err(); whatever was
// acknowledged is durable and the log stays usable.
func TestContextDeadlineWhileWaiting(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[LSN]bool{}
	var timedOut int
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%4)*50*time.Microsecond)
				lsn, err := l.Append(ctx, []byte("row"))
				cancel()
				mu.Lock()
				switch {
				case err == nil:
					acked[lsn] = true
				case errors.Is(err, context.DeadlineExceeded):
					timedOut++
				default:
					t.Errorf("Append: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d acknowledged, %d timed out", len(acked), timedOut)
	closeT(t, l)
	l = openT(t, dir, Options{})
	defer closeT(t, l)
	seen := map[LSN]bool{}
	for _, r := range replayAll(t, l, 1) {
		seen[r.lsn] = true
	}
	for lsn := range acked {
		if !seen[lsn] {
			t.Fatalf("acknowledged LSN %d lost", lsn)
		}
	}
	if _, err := l.Append(context.Background(), []byte("still works")); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsStrayFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/12.wal", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{NoSync: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a badly named segment: %v, want ErrCorrupt", err)
	}
}
