package world

import (
	"context"
	"fmt"
	"strings"
	"time"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// Install-CsMirrorDatabase on the containers target. In process the fake
// endpoint calls the world's installMirror while the cmdlet runs, so the
// SQL Servers are mirrored before the pool records the pair. A container
// cannot call back into the world: it only records the pair (a "mirror"
// event per database) and then the cmdlet (a "cmdlet" event with its
// parameters). While the failover plan runs, the world watches those
// events and does the cmdlet's SQL Server side itself, with the request
// rebuilt from them; the plan's verify step, which waits for a
// SYNCHRONIZED session on the backup mgc, then sees the same state as in
// process. Waiting until the plan has ended would be too late: that step
// would have timed out by then.

// mirrorEmulation is one watch over the endpoint container's events; its
// goroutine ends in finish.
type mirrorEmulation struct {
	w     *World
	ep    *containerEndpoint
	since int64
	calls installMirrorCalls
	stop  chan struct{}
	done  chan struct{}
	err   error
}

// cmdletInstallMirror is the cmdlet whose SQL side the world emulates.
const cmdletInstallMirror = "Install-CsMirrorDatabase"

// watchInstallMirror starts watching when the endpoint runs in a
// container; nil when it runs in process (the hook does the work there).
func (w *World) watchInstallMirror(ctx context.Context) (*mirrorEmulation, error) {
	ep, ok := w.Pool().(*containerEndpoint)
	if !ok {
		return nil, nil
	}
	ev, err := ep.Events(ctx)
	if err != nil {
		return nil, fmt.Errorf("world: %s emulation: %w", cmdletInstallMirror, err)
	}
	m := &mirrorEmulation{w: w, ep: ep, stop: make(chan struct{}), done: make(chan struct{})}
	if n := len(ev); n > 0 {
		m.since = ev[n-1].Seq
	}
	go m.run(ctx)
	return m, nil
}

func (m *mirrorEmulation) run(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		if m.err = m.scan(ctx); m.err != nil {
			// Stop at the first failure, as the cmdlet does; the plan's
			// verify step then fails on the missing session.
			m.w.Timeline.Add("world", "mirroring", cmdletInstallMirror+" (emulated)", m.err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-m.stop:
			// The events up to the plan's end: a cmdlet that ran just
			// before it ended still gets its SQL side.
			if m.err = m.scan(ctx); m.err != nil {
				m.w.Timeline.Add("world", "mirroring", cmdletInstallMirror+" (emulated)", m.err)
			}
			return
		case <-t.C:
		}
	}
}

// EmulateInstallMirror watches, while an engine plan runs, for
// Install-CsMirrorDatabase calls whose SQL Server side the world must do
// itself (the endpoint in a container: the failback's step 8 mirrors the
// primary databases again). finish ends the watch and returns its error;
// in process it is a no-op (the endpoint's hook does the work).
func (w *World) EmulateInstallMirror(ctx context.Context) (finish func() error, err error) {
	m, err := w.watchInstallMirror(ctx)
	if err != nil || m == nil {
		return func() error { return nil }, err
	}
	return m.finish, nil
}

// finish ends the watch and says whether the emulation failed.
func (m *mirrorEmulation) finish() error {
	close(m.stop)
	<-m.done
	return m.err
}

// scan handles the endpoint's new events.
func (m *mirrorEmulation) scan(ctx context.Context) error {
	ev, err := m.ep.eventsSince(ctx, m.since)
	if err != nil {
		return fmt.Errorf("world: %s emulation: %w", cmdletInstallMirror, err)
	}
	for _, e := range ev {
		if e.Seq <= m.since {
			continue
		}
		m.since = e.Seq
		if mirrors, ok := m.calls.next(e); ok {
			if err := m.w.emulateInstallMirror(ctx, e, mirrors); err != nil {
				return err
			}
		}
	}
	return nil
}

// installMirrorCalls picks the Install-CsMirrorDatabase calls that
// changed the pool out of the endpoint's events, in order: mirror events
// wait for the cmdlet event that follows them (the pool records a state
// change just before the cmdlet that caused it).
type installMirrorCalls struct{ pending []pool.Event }

// next takes one event; for a successful Install-CsMirrorDatabase it
// returns the mirror events it recorded.
func (c *installMirrorCalls) next(e pool.Event) ([]pool.Event, bool) {
	switch e.Kind {
	case pool.KindMirror:
		c.pending = append(c.pending, e)
	case pool.KindCmdlet:
		pending := c.pending
		c.pending = nil
		// Another cmdlet, or -WhatIf, or refused: nothing recorded.
		if strings.EqualFold(e.Cmdlet, cmdletInstallMirror) && e.Outcome == "ok" {
			return pending, true
		}
	}
	return nil, false
}

// emulateInstallMirror does the SQL Server side of one recorded
// Install-CsMirrorDatabase call, database by database in the order the
// endpoint recorded them, and labels the step as emulated.
func (w *World) emulateInstallMirror(ctx context.Context, cmdlet pool.Event, mirrors []pool.Event) error {
	if len(mirrors) == 0 {
		return fmt.Errorf("world: %s (event %d) recorded no mirror pair", cmdletInstallMirror, cmdlet.Seq)
	}
	for _, me := range mirrors {
		req, err := mirrorRequestFrom(cmdlet, me)
		if err != nil {
			return err
		}
		w.Timeline.Add("world", "mirroring", fmt.Sprintf("%s ran in the endpoint container (event %d): mirroring %s from %s to %s through %s",
			cmdletInstallMirror, cmdlet.Seq, req.Database, req.Principal, req.Mirror, req.FileShare), nil)
		if err := w.installMirror(ctx, req); err != nil {
			return fmt.Errorf("world: %s (emulated) %s: %w", cmdletInstallMirror, req.Database, err)
		}
	}
	return w.label(LabelEmulated, cmdletInstallMirror, "the endpoint container records the cmdlet; its SQL Server side is done by the world")
}

// mirrorRequestFrom rebuilds the request the in-process hook gets from a
// mirror event (database type, "principal -> mirror") and its cmdlet's
// event (the parameters as the endpoint bound them).
func mirrorRequestFrom(cmdlet, mirror pool.Event) (lyncfake.MirrorRequest, error) {
	p, m, ok := strings.Cut(mirror.New, " -> ")
	if !ok || p == "" || m == "" {
		return lyncfake.MirrorRequest{}, fmt.Errorf("world: %s: mirror event %d names no pair: %q", cmdletInstallMirror, mirror.Seq, mirror.New)
	}
	db := "mgc"
	if mirror.Database == pool.DBPersistentChatCompliance {
		db = "mgccomp"
	}
	return lyncfake.MirrorRequest{
		DatabaseType: mirror.Database, Database: db,
		Principal: p, Mirror: m,
		SqlInstanceName: param(cmdlet, "SqlInstanceName"),
		FileShare:       param(cmdlet, "FileShare"),
		DropExisting:    param(cmdlet, "DropExistingDatabasesOnMirror") == "$true",
	}, nil
}

// param is a cmdlet event's parameter as the endpoint rendered it ("" when
// not given; switches render as $true/$false).
func param(e pool.Event, name string) string {
	for k, v := range e.Params {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
