package fault

import (
	"context"
	"fmt"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
)

// KindCmdletFailure is CmdletFailure's kind.
const KindCmdletFailure Kind = "cmdlet-failure"

// CmdletFailure: cmdlets matching Cmdlet fail with Message (a
// terminating error, as a Central Management Store that refuses the
// change), the next Count of them (0: every one until the world closes).
// Not schedulable: a cmdlet that keeps failing stops the run for good.
type CmdletFailure struct {
	Cmdlet  string
	Message string
	Count   int
}

func (CmdletFailure) Kind() Kind                       { return KindCmdletFailure }
func (CmdletFailure) AppliesTo(t Target) bool          { return t.Cmdlets }
func (CmdletFailure) Undo(context.Context, *Env) error { return nil }

func (f CmdletFailure) Apply(ctx context.Context, env *Env) error {
	return env.World.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultFail, Cmdlet: f.Cmdlet, Message: f.Message, Count: f.Count})
}

func (f CmdletFailure) String() string {
	which := "every " + orAny(f.Cmdlet, "cmdlet")
	if f.Count > 0 {
		which = fmt.Sprintf("the next %d %s calls", f.Count, orAny(f.Cmdlet, "cmdlet"))
	}
	return fmt.Sprintf("the management endpoint fails %s with %q", which, f.Message)
}

func orAny(name, any string) string {
	if name == "" {
		return any
	}
	return name
}
