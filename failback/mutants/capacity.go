package mutants

import (
	"context"

	"github.com/pchatdr/harness/failback"
)

// Mutants of issue 12's defects 5 to 7: each new precondition dropped (the
// run then meets the problem in the middle of the outage), a plan that
// reads every row of mgc, and a budget that kills the running statement.
func capacity() []Mutant {
	var out []Mutant
	for _, p := range []struct{ name, what string }{
		{failback.PreNamePrimaryNotMirrored, "a mirrored rebuilt primary reaches the RESTORE (3104)"},
		{failback.PreNameFullRecovery, "a database in SIMPLE recovery reaches log shipping and mirroring"},
		{failback.PreNameAgentsRunning, "a stopped SQL Server Agent reaches the log-shipping jobs (22022)"},
		{failback.PreNamePrimaryDiskSpace, "a primary without room for the restored files reaches the RESTORE (3257)"},
		{failback.PreNameActiveListReadable, "an active list that cannot be read back reaches step 1's verification"},
		{failback.PreNameLoginSysadmin, "a login that is not sysadmin on the primary reaches step 4 (RESTORE HEADERONLY 262, RESTORE 3110) after the active list was cleared and the backup mgc fenced"},
	} {
		name := p.name
		out = append(out, Mutant{Name: "no-precondition-" + name, Description: "precondition " + name + " dropped: " + p.what,
			Plan: func() *failback.Plan { return dropPrecondition(name) }})
	}
	return append(out,
		Mutant{Name: "no-share-probe", Description: "precondition share-reachable checks the share with xp_fileexist only, without writing a probe file",
			Plan: noShareProbe},
		Mutant{Name: "plan-full-scan", Description: "primary-not-newer and step 4's verification count and checksum every table (COUNT_BIG, CHECKSUM_AGG) instead of reading sys.partitions",
			Plan: fullScan},
		Mutant{Name: "budget-kills-statement", Description: "a step that moves mgc is cancelled when its size-based budget is spent, aborting the running BACKUP or RESTORE",
			Plan: budgetKills},
	)
}

func dropPrecondition(name string) *failback.Plan {
	p := failback.FailbackPlan()
	var keep []failback.Precondition
	found := false
	for _, c := range p.Preconditions {
		if c.Name == name {
			found = true
			continue
		}
		keep = append(keep, c)
	}
	if !found {
		panic("mutants: the failback plan has no precondition " + name)
	}
	p.Preconditions = keep
	return p
}

// noProbeSQL answers every probe write with success, sending nothing.
type noProbeSQL struct{ failback.SQL }

func (noProbeSQL) ProbeWrite(context.Context, string) error { return nil }

func noShareProbe() *failback.Plan {
	p := failback.FailbackPlan()
	for i := range p.Preconditions {
		c := &p.Preconditions[i]
		if c.Name != failback.PreNameShare {
			continue
		}
		run := c.Run
		c.Run = func(ctx context.Context, e *failback.Env) failback.PreconditionResult {
			return run(ctx, withSQL(e, func(x *failback.Env) {
				x.Primary, x.Backup = noProbeSQL{x.Primary}, noProbeSQL{x.Backup}
			}))
		}
		return p
	}
	panic("mutants: the failback plan has no precondition " + failback.PreNameShare)
}

// scanSQL reads every row of a database wherever the engine asks for its
// row counts, as the old engine did.
type scanSQL struct{ failback.SQL }

func (s scanSQL) RowCounts(ctx context.Context, db string) ([]failback.TableRows, error) {
	cs, err := s.SQL.TableChecksums(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]failback.TableRows, 0, len(cs))
	for _, c := range cs {
		out = append(out, failback.TableRows{Schema: c.Schema, Table: c.Table, Rows: c.Rows})
	}
	return out, nil
}

func fullScan() *failback.Plan {
	p := failback.FailbackPlan()
	scan := func(e *failback.Env) *failback.Env {
		return withSQL(e, func(x *failback.Env) { x.Primary, x.Backup = scanSQL{x.Primary}, scanSQL{x.Backup} })
	}
	for i := range p.Preconditions {
		if c := &p.Preconditions[i]; c.Name == failback.PreNamePrimaryNewer {
			run := c.Run
			c.Run = func(ctx context.Context, e *failback.Env) failback.PreconditionResult { return run(ctx, scan(e)) }
		}
	}
	s := &p.Steps[mustStep(p, failback.StepRestore)]
	verify := s.Verify
	s.Verify = func(ctx context.Context, e *failback.Env) error { return verify(ctx, scan(e)) }
	return p
}

// budgetKills is the old engine's rule with the new budgets: a step that
// moves mgc is cancelled when its budget is spent, aborting the running
// BACKUP or RESTORE in the middle of the outage.
func budgetKills() *failback.Plan {
	p := failback.FailbackPlan()
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.Budget == nil {
			continue
		}
		budget, apply := s.Budget, s.Apply
		s.Apply = func(ctx context.Context, e *failback.Env) error {
			b, err := budget(ctx, e)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, b.Duration)
			defer cancel()
			return apply(ctx, e)
		}
	}
	return p
}
