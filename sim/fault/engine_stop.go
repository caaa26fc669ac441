package fault

import (
	"context"
	"math/rand/v2"
)

// KindEngineStop is EngineStop's kind.
const KindEngineStop Kind = "engine-stop"

// EngineStop: the engine process stops (its context ends, as a service
// stop or Ctrl-C) and an operator runs `failback resume` from its
// journal. It hits any step; it needs the engine run under a Set's
// control (Set.EngineRun).
type EngineStop struct{}

func (EngineStop) Kind() Kind                       { return KindEngineStop }
func (EngineStop) AppliesTo(Target) bool            { return true }
func (EngineStop) Undo(context.Context, *Env) error { return nil }
func (EngineStop) String() string                   { return "the engine stops and is resumed" }

func (EngineStop) Apply(_ context.Context, env *Env) error {
	if env.stopEngine == nil || !env.stopEngine() {
		return ErrNoEngineRun
	}
	return nil
}

func (EngineStop) Draw(r *rand.Rand, _ Target) Spec {
	return Spec{Kind: KindEngineStop, At: pick(r, Points())}
}

func (EngineStop) FromSpec(Spec) (Fault, error) { return EngineStop{}, nil }
