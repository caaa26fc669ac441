package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// KindChatBurst is ChatBurst's kind.
const KindChatBurst Kind = "chat-burst"

// ChatBurst: chat users post Posts messages, one every 20 ms, while the
// step runs. A post no server takes (the outage) is refused, as users see
// it; the acknowledged ones join the world's ledger and must end on the
// primary. It hits any step; the world's chat servers must be running.
type ChatBurst struct {
	Posts int
}

func (ChatBurst) Kind() Kind                        { return KindChatBurst }
func (ChatBurst) AppliesTo(Target) bool             { return true }
func (ChatBurst) Apply(context.Context, *Env) error { return nil }
func (ChatBurst) Undo(context.Context, *Env) error  { return nil }
func (f ChatBurst) String() string {
	return fmt.Sprintf("chat users post %d messages while the step runs", f.Posts)
}

// Run posts until Posts were attempted or ctx ends.
func (f ChatBurst) Run(ctx context.Context, env *Env) error {
	w := env.World
	acked, refused := 0, 0
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for i := 0; i < f.Posts && ctx.Err() == nil; i++ {
		if _, err := w.Post(ctx, 1+i%4, 1+i%25); err != nil {
			refused++
		} else {
			acked++
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	w.Timeline.Add("harness", "note", fmt.Sprintf("%s: %d acknowledged, %d refused", f, acked, refused), nil)
	if acked+refused == 0 {
		return fmt.Errorf("no post was attempted (%w)", ctx.Err())
	}
	return nil
}

func (ChatBurst) Draw(r *rand.Rand, _ Target) Spec {
	return Spec{Kind: KindChatBurst, Count: 5 + r.IntN(16)}
}

func (ChatBurst) FromSpec(s Spec) (Fault, error) {
	return ChatBurst{Posts: s.Count}, positive("count", s.Count, s)
}
