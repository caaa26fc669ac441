package fault

import (
	"context"
	"fmt"
)

// KindStuckChatServer is StuckChatServer's kind.
const KindStuckChatServer Kind = "stuck-chat-server"

// StuckChatServer: the chat server FQDN ignores the pool's configuration
// and keeps its sessions whatever the active list says (a server whose
// service did not pick up the change); Undo lets it follow the pool again.
type StuckChatServer struct {
	FQDN string
}

func (StuckChatServer) Kind() Kind            { return KindStuckChatServer }
func (StuckChatServer) AppliesTo(Target) bool { return true }

func (f StuckChatServer) Apply(_ context.Context, env *Env) error {
	return env.World.SetChatServerStuck(f.FQDN, true)
}

func (f StuckChatServer) Undo(_ context.Context, env *Env) error {
	return env.World.SetChatServerStuck(f.FQDN, false)
}

func (f StuckChatServer) String() string {
	return fmt.Sprintf("chat server %s ignores the pool's configuration", f.FQDN)
}
