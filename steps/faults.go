package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
)

// Fault steps only say which fault (sim/fault) and when; the scenario's
// fault.Set arms it on the engine's event stream and the world runs
// whatever it leaves running.

// faults is the scenario's fault set, made with its world on first use.
func faults(ctx context.Context) *fault.Set {
	st := get(ctx)
	if st.faults == nil {
		st.faults = fault.NewSet(st.world)
	}
	return st.faults
}

// inject applies f now; a fault the target cannot do skips the scenario.
func inject(ctx context.Context, f fault.Fault) error {
	return skipIfNotApplicable(faults(ctx).Inject(ctx, f))
}

// arm fires f at the engine event at accepts.
func arm(ctx context.Context, f fault.Fault, at fault.Trigger) error {
	return skipIfNotApplicable(faults(ctx).Arm(ctx, f, at))
}

// faultsErr: every armed fault fired and none failed; steps that assert a
// fault's effect check it first.
func faultsErr(ctx context.Context) error {
	if st := get(ctx); st.faults != nil {
		return st.faults.Err()
	}
	return nil
}

// instanceName is the name of the instance with a topology role.
func instanceName(ctx context.Context, role string) (string, error) {
	_, inst, err := instance(ctx, role)
	if err != nil {
		return "", err
	}
	return inst.Name, nil
}

func shareUnreachableAtStep(ctx context.Context, role, step string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return arm(ctx, fault.ShareUnreachable{Instance: name}, fault.AtStep(step, fault.AtStart))
}

// restartBeforeRestore restarts the instance right after the engine's last
// read before its RESTORE DATABASE, so the RESTORE goes out on a pooled
// connection whose server has just restarted.
func restartBeforeRestore(ctx context.Context, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return arm(ctx, fault.InstanceRestart{Instance: name}, fault.AfterSent(failback.StepRestore, failback.PhaseApply, "FILELISTONLY"))
}

func agentCannotReadShare(ctx context.Context, account, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return inject(ctx, fault.ShareAccessDenied{Instance: name, Account: account})
}

func stickChatServer(ctx context.Context, fqdn string) error {
	return inject(ctx, fault.StuckChatServer{FQDN: fqdn})
}

func endpointHTTP500(ctx context.Context, n int) error {
	return inject(ctx, fault.EndpointHTTP500{Count: n})
}

// endpointHTTP500AtStep arms the 500s for when a step starts: the engine
// retries transient failures inside steps, not in its preconditions.
func endpointHTTP500AtStep(ctx context.Context, n int, step string) error {
	return arm(ctx, fault.EndpointHTTP500{Count: n}, fault.AtStep(step, fault.AtStart))
}

func endpointFailsCmdlet(ctx context.Context, cmdlet, message string) error {
	return inject(ctx, fault.CmdletFailure{Cmdlet: cmdlet, Message: message})
}

func endpointDelays(ctx context.Context, cmdlet string, ms int) error {
	return inject(ctx, fault.CmdletLatency{Cmdlet: cmdlet, Delay: time.Duration(ms) * time.Millisecond})
}

func cutLink(ctx context.Context, a, b string) error {
	return inject(ctx, fault.LinkOutage{Link: world.LinkName(a, b)})
}

// faultsFired counts the endpoint's injected faults that fired.
func faultsFired(ctx context.Context, n int) error {
	if err := faultsErr(ctx); err != nil {
		return err
	}
	events, err := get(ctx).world.Pool().Events(ctx)
	if err != nil {
		return err
	}
	got := 0
	for _, e := range events {
		if e.Kind == pool.KindFault {
			got++
		}
	}
	if got != n {
		return fmt.Errorf("%d injected endpoint faults fired, want %d", got, n)
	}
	return nil
}
