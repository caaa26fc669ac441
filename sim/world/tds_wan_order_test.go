package world

import (
	"sync/atomic"
	"testing"
)

// seesFlag records, for each write, whether the answer was already marked.
type seesFlag struct {
	answered *atomic.Bool
	seen     []bool
}

func (s *seesFlag) Write(b []byte) (int, error) {
	s.seen = append(s.seen, s.answered.Load())
	return len(b), nil
}

// The answer is marked before its bytes reach the client: a client that
// reads it and sends its next request at once must find the next request
// charged a round trip. Marked after the write, the forwarder's request
// side could read that request first on a loaded machine and let it cross
// free ("the backup instance answers dc1 in 1.683673ms, faster than the
// link's RTT 4ms: no link in the path", links.feature:15 under -race at
// load 40-50).
func TestAnswerMarkedBeforeItReachesTheClient(t *testing.T) {
	var answered atomic.Bool
	client := &seesFlag{answered: &answered}
	w := &answerWriter{w: client, answered: &answered}
	if _, err := w.Write([]byte("answer")); err != nil {
		t.Fatal(err)
	}
	if len(client.seen) != 1 || !client.seen[0] {
		t.Fatalf("when the answer reached the client it was marked %v, want true", client.seen)
	}
}
