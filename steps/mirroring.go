package steps

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

func configureMirroring(ctx context.Context, principal, mirror string) error {
	return get(ctx).world.ConfigureMirroring(ctx, topology.Role(principal), topology.Role(mirror))
}

// mirroredTo checks sys.database_mirroring on the principal's instance:
// the database is the PRINCIPAL of a SYNCHRONIZED session whose partner
// is the other role's instance.
func mirroredTo(ctx context.Context, database, principal, mirror string) error {
	w := get(ctx).world
	m, err := w.MirroringOf(ctx, topology.Role(principal), database)
	if err != nil {
		return err
	}
	in, ok := w.Topology.InstanceByRole(topology.Role(mirror))
	if !ok {
		return fmt.Errorf("the topology has no %s instance", mirror)
	}
	host := strings.ToLower(strings.TrimPrefix(strings.ToLower(m.Partner), "tcp://"))
	host, _, _ = strings.Cut(host, ":")
	if m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" || host != strings.ToLower(in.Host) {
		return fmt.Errorf("%s on the %s instance is %q %q with %q, want the SYNCHRONIZED principal with %s (%s)", database, principal, m.Role, m.State, m.Partner, in.Host, mirror)
	}
	return nil
}

// mirroringAtRestore is what the backup databases' mirroring was when the
// engine sent its RESTORE over the primary mgc (failback step 4).
type mirroringAtRestore struct {
	mu       sync.Mutex
	seen     bool
	mirrored []string
	err      error
}

// watchMirroringAtRestore reads sys.database_mirroring of the backup mgc
// and mgccomp at the moment the engine sends its RESTORE over the primary
// mgc: the procedure removes mirroring (step 2) before anything is copied
// over the primary (steps 3 and 4), so the copy restored is the backup's
// alone and no mirroring session still ties it to the backup-mirror.
func watchMirroringAtRestore(ctx context.Context) failback.SinkFunc {
	st := get(ctx)
	rec := &mirroringAtRestore{}
	st.atRestore = rec
	return func(e failback.Event) {
		if e.Kind != failback.KindSent || e.Step != failback.StepRestore || !strings.HasPrefix(e.Text, "RESTORE DATABASE") {
			return
		}
		w := st.world
		dbs := map[string]topology.Role{"mgc": topology.RoleBackup}
		if ci, ok := w.Topology.ComplianceInstance(topology.RoleBackup); ok {
			dbs["mgccomp"] = ci.Role
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.seen = true
		for db, role := range dbs {
			m, err := w.MirroringOf(ctx, role, db)
			if err != nil {
				rec.err = err
				continue
			}
			if m.Role != "" {
				rec.mirrored = append(rec.mirrored, fmt.Sprintf("%s on the %s instance was %s %s with %s", db, role, m.Role, m.State, m.Partner))
			}
		}
	}
}

func notMirroredAtRestore(ctx context.Context) error {
	rec := get(ctx).atRestore
	if rec == nil {
		return fmt.Errorf("the engine has not run the failback")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	switch {
	case !rec.seen:
		return fmt.Errorf("the engine never sent its RESTORE over the primary mgc")
	case rec.err != nil:
		return rec.err
	case len(rec.mirrored) > 0:
		return fmt.Errorf("when the engine restored the primary mgc, mirroring was still on: %s", strings.Join(rec.mirrored, "; "))
	}
	return nil
}
