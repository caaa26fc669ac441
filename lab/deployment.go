package lab

import (
	"context"
	"database/sql"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/world"
)

// deployment is what a running lab drives and checks: the world it built
// (embedded or containers target), or the compose services it seeded and
// attached its chat servers to (compose.go).
type deployment interface {
	// Post sends one user's message through an active chat server
	// (loadtest.Poster).
	Post(ctx context.Context, channel, user int) (chat.Message, error)
	// Pool is the management endpoint: the pool's true state and events.
	Pool() world.PoolEndpoint
	// mgc opens mgc on the instance with role for one check (the caller
	// closes it) and names the instance.
	mgc(role topology.Role) (*sql.DB, string, error)
	// ledger holds every message a chat server acknowledged.
	ledger() *chat.Ledger
	// close stops everything the deployment started.
	close() error
}

// worldDeployment is a world the lab started (targets embedded and
// containers).
type worldDeployment struct{ w *world.World }

func (d worldDeployment) Post(ctx context.Context, channel, user int) (chat.Message, error) {
	return d.w.Post(ctx, channel, user)
}

func (d worldDeployment) Pool() world.PoolEndpoint { return d.w.Pool() }

func (d worldDeployment) mgc(role topology.Role) (*sql.DB, string, error) {
	inst, err := d.w.InstanceByRole(role)
	if err != nil {
		return nil, "", err
	}
	db, err := d.w.DB(inst, "mgc")
	return db, inst.Name, err
}

func (d worldDeployment) ledger() *chat.Ledger { return d.w.Ledger }
func (d worldDeployment) close() error         { return d.w.Close() }
