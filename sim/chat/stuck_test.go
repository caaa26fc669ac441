package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestStuckServerStopsReadingConfiguration: a stuck server no longer reads
// the pool's configuration (so cannot react to it); unstuck, it does again.
func TestStuckServerStopsReadingConfiguration(t *testing.T) {
	var reads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reads.Add(1)
		json.NewEncoder(w).Encode(PoolView{PoolState: "Normal", ActiveServers: []string{"pc1.dc1.contoso.test"}})
	}))
	defer srv.Close()
	s := Start(context.Background(), Config{FQDN: "pc1.dc1.contoso.test", StateURL: srv.URL, Poll: 5 * time.Millisecond,
		Stores: func(string) (string, string, error) { return "", "", errors.New("no store in this test") }})
	defer s.Close()
	waitReads := func(min int64) {
		deadline := time.Now().Add(5 * time.Second)
		for reads.Load() < min {
			if time.Now().After(deadline) {
				t.Fatalf("%d configuration reads, want %d", reads.Load(), min)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitReads(2)
	s.SetStuck(true)
	time.Sleep(20 * time.Millisecond) // let a read in flight finish
	n := reads.Load()
	time.Sleep(50 * time.Millisecond) // ten poll intervals
	if got := reads.Load(); got != n {
		t.Fatalf("a stuck server read the configuration %d more times", got-n)
	}
	s.SetStuck(false)
	waitReads(n + 2)
}
