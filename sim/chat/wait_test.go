package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A configuration endpoint that gives a version: the server waits for the
// next change instead of polling (GET /state?after=), and still acts on a
// change as it happens.
func TestServerWaitsForConfigurationChanges(t *testing.T) {
	var (
		reads, waits atomic.Int64
		mu           sync.Mutex
		version      = 1
		active       []string
		changed      = make(chan struct{})
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reads.Add(1)
		mu.Lock()
		if after := r.URL.Query().Get("after"); after == strconv.Itoa(version) {
			waits.Add(1)
			ch := changed
			mu.Unlock()
			select {
			case <-ch:
			case <-time.After(time.Second):
			case <-r.Context().Done():
			}
			mu.Lock()
		}
		v := PoolView{PoolState: "Normal", ActiveServers: active}
		w.Header().Set(StateVersionHeader, strconv.Itoa(version))
		mu.Unlock()
		json.NewEncoder(w).Encode(v)
	}))
	defer srv.Close()
	s := Start(context.Background(), Config{FQDN: "pc1.dc1.contoso.test", StateURL: srv.URL, Poll: 5 * time.Millisecond,
		Stores: func(string) (string, string, error) { return "", "", errors.New("no store in this test") }})
	defer s.Close()
	deadline := time.Now().Add(10 * time.Second)
	for waits.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d reads, none waited for a change", reads.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Unchanged for 200ms (40 poll intervals): one wait in flight, at most
	// one more if the first timed out on a loaded machine.
	n := reads.Load()
	time.Sleep(200 * time.Millisecond)
	if got := reads.Load() - n; got > 1 {
		t.Errorf("%d reads of an unchanged configuration in 200ms at a 5ms poll, want at most 1", got)
	}
	// A change reaches the waiting server: it acts on it (the store is
	// missing here, so it reports the failure and reads again).
	mu.Lock()
	version++
	active = []string{"pc1.dc1.contoso.test"}
	close(changed)
	changed = make(chan struct{})
	mu.Unlock()
	for {
		s.mu.Lock()
		err := s.lastErr
		s.mu.Unlock()
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not act on the changed active list")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
