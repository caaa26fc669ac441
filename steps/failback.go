package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sim/world"
)

func poolFailedOver(ctx context.Context, before, during int) error {
	return get(ctx).world.FailOver(ctx, world.Scene{MessagesBefore: before, MessagesDuring: during})
}

func primaryRebuilt(ctx context.Context) error { return get(ctx).world.RebuildPrimary(ctx) }

func runFailback(ctx context.Context) error {
	st := get(ctx)
	st.onEvent = append(st.onEvent, watchMirroringAtRestore(ctx))
	if err := runEngine(ctx, false); err != nil {
		return err
	}
	run := get(ctx).engine
	if run.err != nil {
		return fmt.Errorf("failback %s at step %q: %w", run.result.Outcome, run.result.Failed, run.err)
	}
	return nil
}

func everyPreconditionPassed(ctx context.Context) error {
	run := get(ctx).engine
	run.mu.Lock()
	defer run.mu.Unlock()
	n := 0
	for _, e := range run.events {
		if e.Kind == failback.KindPrecondition {
			n++
			if e.Outcome != failback.OutcomeOK {
				return fmt.Errorf("precondition %s: %s %s", e.Check, e.Outcome, e.Message)
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("no precondition was evaluated")
	}
	return nil
}

func everyStepVerified(ctx context.Context) error {
	run := get(ctx).engine
	run.mu.Lock()
	defer run.mu.Unlock()
	verified := map[string]bool{}
	for _, e := range run.events {
		if e.Kind == failback.KindStepEnd && (e.Outcome == failback.OutcomeVerified || e.Outcome == failback.OutcomeAlreadyDone) {
			verified[e.Step] = true
		}
	}
	var missing []string
	plan := run.plan
	if plan == nil {
		plan = get(ctx).plan()
	}
	for _, s := range plan.Steps {
		if !verified[s.Name] {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("steps not verified: %s (outcome %s)", strings.Join(missing, ", "), run.result.Outcome)
	}
	return nil
}

// noSessionDuringRestore checks the timeline: between the engine sending
// the RESTORE over the primary mgc and that step ending, no chat server
// connected to the primary store.
func noSessionDuringRestore(ctx context.Context, database, role string) error {
	events := get(ctx).world.Timeline.Events()
	var start, end time.Time
	for _, e := range events {
		if e.Component == "engine" && e.Kind == failback.KindSent && strings.HasPrefix(e.Detail, "RESTORE DATABASE ["+database+"]") && strings.Contains(e.Detail, "REPLACE") {
			start = e.At
		}
		if !start.IsZero() && end.IsZero() && e.Component == "engine" && e.Kind == failback.KindStepEnd {
			end = e.At
		}
	}
	if start.IsZero() {
		return fmt.Errorf("the engine never restored %s", database)
	}
	n, err := chatSessions(ctx, role, database)
	if err != nil {
		return err
	}
	for _, e := range events {
		if strings.HasPrefix(e.Component, "chat/") && e.Kind == "connect" && !e.At.Before(start) && (end.IsZero() || e.At.Before(end)) {
			return fmt.Errorf("%s connected at %s while %s was being restored", e.Component, e.At.Format(time.RFC3339Nano), database)
		}
	}
	_ = n
	return nil
}

func notMirrored(ctx context.Context, database, role string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	var guid *string
	if err := master.QueryRowContext(ctx, "SELECT CAST(mirroring_guid AS nvarchar(36)) FROM sys.database_mirroring WHERE database_id = DB_ID(@p1)", database).Scan(&guid); err != nil {
		return err
	}
	if guid != nil {
		return fmt.Errorf("%s on the %s instance is still mirrored (%s)", database, role, *guid)
	}
	return nil
}
