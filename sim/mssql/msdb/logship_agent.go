package msdb

import (
	"context"
	"math/big"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqllogship"
)

// lsServer is the instance as the log-shipping agent (sim/mssql/sqllogship)
// sees it when a job step runs sqllogship.exe: T-SQL on a system session
// of its own, the Agent's view of the files.
type lsServer struct{ inst *engine.Instance }

func (s lsServer) Exec(ctx context.Context, text string) (*sqllogship.Result, error) {
	sink, err := systemSQL(ctx, s.inst, "master", text)
	if sink == nil {
		return nil, err
	}
	r := &sqllogship.Result{Sets: sink.sets, Errors: sink.errs()}
	for _, cols := range sink.cols {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		r.Cols = append(r.Cols, names)
	}
	return r, err
}

func (s lsServer) Now() time.Time             { return s.inst.Now() }
func (s lsServer) Files() (*hostfs.FS, error) { return s.inst.Files() }
func (s lsServer) AgentAccount() string       { return s.inst.AgentAccount() }

func (s lsServer) RedoLSN(db string) (*big.Int, bool) {
	d := s.inst.DB(db)
	if d == nil || d.Meta().State != engine.StateRestoring {
		return nil, false
	}
	return new(big.Int).SetUint64(uint64(d.NextLSN())), true
}

// KillSessionsIn ends the user sessions using database db.
func (s lsServer) KillSessionsIn(db string) {
	d := s.inst.DB(db)
	if d == nil {
		return
	}
	s.inst.KillUsersOf(d, nil)
}
