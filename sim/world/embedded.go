package world

import (
	"context"
	"errors"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// embedded runs every SQL Server instance and the management endpoint in
// this process: no Docker, an instance starts in milliseconds, faults
// reach into the simulator's engine.
type embedded struct{ w *World }

func (embedded) target() Target             { return TargetEmbedded }
func (embedded) open(context.Context) error { return nil }
func (embedded) sqlKind() string            { return "simulator" }
func (embedded) startsTogether() bool       { return false }
func (embedded) fixedService() bool         { return false }

// embeddedServer is the simulator serving TDS in this process.
type embeddedServer struct{ *mssql.Server }

func (s embeddedServer) Engine() *engine.Instance { return s.Instance() }

func (e embedded) launch(ctx context.Context, inst *Instance, listen string) (sqlServer, error) {
	// A restart or rebuild binds the instance's old port again: wait
	// (bounded) while another socket still holds it.
	ln, err := listenRetry(ctx, "start instance "+inst.cfg.Name, listen)
	if err != nil {
		return nil, err
	}
	srv, err := mssql.Start(mssql.Config{Engine: inst.cfg, Listener: ln, Certificate: &inst.cert, Windows: inst.windows,
		OnLogin: e.w.loginAudit(inst)})
	if err != nil {
		ln.Close()
		return nil, err
	}
	return embeddedServer{srv}, nil
}

// discard: an in-process instance is its data folder; once its server is
// closed nothing else remains.
func (embedded) discard(context.Context, *Instance) error { return nil }

func (embedded) close(instances []*Instance) error {
	var errs []error
	for _, inst := range instances {
		if inst.srv != nil {
			if err := inst.srv.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", inst.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// startPool starts the fake in this process (pool.go).
func (e embedded) startPool(_ context.Context, user, pw string) error {
	return e.w.startPoolInProcess(user, pw)
}
