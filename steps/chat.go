package steps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/chat"
)

func chatFollowsPool(ctx context.Context) error { return get(ctx).world.StartChat(ctx) }

// chatSessions counts chat-server sessions in a database of an instance.
func chatSessions(ctx context.Context, role, database string) (int, error) {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return 0, err
	}
	var n int
	err = master.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE program_name = @p1 AND database_id = DB_ID(@p2)",
		chat.ProgramName, database).Scan(&n)
	return n, err
}

// eventually polls until check passes or the (simulated deployment's
// generous) deadline passes; chat servers react to configuration changes
// within their poll interval, as real ones do within theirs.
func eventually(ctx context.Context, check func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func chatSessionsAre(ctx context.Context, want int, database, role string) error {
	return eventually(ctx, func() error {
		n, err := chatSessions(ctx, role, database)
		if err == nil && n != want {
			err = fmt.Errorf("%d chat servers hold sessions to %s on the %s instance, want %d", n, database, role, want)
		}
		return err
	})
}

func noChatSessions(ctx context.Context, database, role string) error {
	return chatSessionsAre(ctx, 0, database, role)
}

// usersPost posts like users whose clients retry until a chat server of the
// current active list takes them (bounded): right after a change of the
// active list, the leaving servers may be gone before the new ones connect.
func usersPost(ctx context.Context, n int) error {
	return get(ctx).world.PostWhenActive(ctx, n)
}

func usersCannotPost(ctx context.Context) error {
	_, err := get(ctx).world.Post(ctx, 1, 1)
	if !errors.Is(err, chat.ErrInactive) {
		return fmt.Errorf("a post was accepted with no active chat server (%v)", err)
	}
	return nil
}

func storeHoldsLedger(ctx context.Context, role string) error {
	mgc, _, err := db(ctx, role, "mgc")
	if err != nil {
		return err
	}
	// The check's session must not stay in mgc: a failback after it waits
	// for every session to leave the backup databases (@cycles checks the
	// backup before failing back).
	defer mgc.Close()
	l := get(ctx).world.Ledger
	if l == nil || l.Len() == 0 {
		return fmt.Errorf("no message was acknowledged")
	}
	r, err := l.Check(ctx, mgc, true)
	if err != nil {
		return err
	}
	if run := get(ctx).engine; run != nil && role == "primary" {
		// failback_messages_lost is the harness's count (design §3.4).
		run.metrics.SetMessagesLost(len(r.Lost))
		run.ledgerChecked, run.lost, run.lostSince = true, len(r.Lost), r.LostSince
	}
	if !r.OK() {
		return fmt.Errorf("mgc on the %s instance: %s", role, r)
	}
	return nil
}
