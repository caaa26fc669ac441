package failback

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The preconditions issue 12's defect 5 adds: each is a fact the old
// engine met only in the middle of the outage, as a RESTORE refused with
// 3104 or 3257, a log-shipping procedure refused (32015, 22022), a BACKUP
// that could not write the share (3201, 3202) or a read-back that failed
// after step 1 had cleared the active list.

func prePrimaryNotMirrored(ctx context.Context, e *Env) PreconditionResult {
	var bad, good []string
	for _, p := range e.pairs(true) {
		m, err := p.sql.Mirroring(ctx, p.db)
		if errors.Is(err, ErrNoDatabase) {
			continue // primary-databases-rebuilt's refusal
		}
		if err != nil {
			return failErr(err, "cannot read mirroring of %s on %s: %v", p.db, p.sql.Instance(), err)
		}
		if m.Mirrored {
			bad = append(bad, fmt.Sprintf("%s on %s is the %s of a mirroring session with %s", p.db, p.sql.Instance(), m.Role, m.Partner))
			continue
		}
		good = append(good, p.db+" on "+p.sql.Instance())
	}
	if len(bad) > 0 {
		return fail("%s: RESTORE refuses a mirrored database (3104) after the active list was cleared; remove mirroring on the rebuilt primary first "+
			"(ALTER DATABASE ... SET PARTNER OFF on the principal), the failback restores it afterwards", strings.Join(bad, "; "))
	}
	return pass("not mirrored: %s", strings.Join(good, ", "))
}

func preFullRecovery(ctx context.Context, e *Env) PreconditionResult {
	var bad, good []string
	for _, primary := range []bool{false, true} {
		for _, p := range e.pairs(primary) {
			st, err := p.sql.DatabaseState(ctx, p.db)
			if errors.Is(err, ErrNoDatabase) {
				continue // primary-databases-rebuilt's refusal
			}
			if err != nil {
				return failErr(err, "cannot read the recovery model of %s on %s: %v", p.db, p.sql.Instance(), err)
			}
			if !strings.EqualFold(st.RecoveryModel, "FULL") {
				bad = append(bad, fmt.Sprintf("%s on %s uses %s", p.db, p.sql.Instance(), st.RecoveryModel))
				continue
			}
			good = append(good, p.db+" on "+p.sql.Instance())
		}
	}
	if len(bad) > 0 {
		return fail("%s: log shipping refuses a SIMPLE primary (32015) and mirroring needs FULL on both partners (1465); "+
			"ALTER DATABASE ... SET RECOVERY FULL, then take a full backup to start the log chain, before failing back", strings.Join(bad, "; "))
	}
	return pass("FULL recovery: %s", strings.Join(good, ", "))
}

// agentOf is the SQL Server Agent row of sys.dm_server_services.
func agentOf(svcs []Service) *Service {
	for i := range svcs {
		if strings.Contains(strings.ToLower(svcs[i].Name), "agent") {
			return &svcs[i]
		}
	}
	return nil
}

func preAgentsRunning(ctx context.Context, e *Env) PreconditionResult {
	var bad, good []string
	seen := map[string]bool{}
	for _, s := range []SQL{e.Primary, e.Backup} {
		if s == nil || seen[s.Instance()] {
			continue
		}
		seen[s.Instance()] = true
		svcs, err := s.ServiceAccounts(ctx)
		if err != nil {
			return failErr(err, "cannot read sys.dm_server_services on %s (%v): the login needs VIEW SERVER STATE", s.Instance(), err)
		}
		a := agentOf(svcs)
		switch {
		case a == nil:
			bad = append(bad, "no SQL Server Agent service on "+s.Instance())
		case !strings.EqualFold(a.Status, "Running"):
			bad = append(bad, fmt.Sprintf("SQL Server Agent on %s is %s", s.Instance(), a.Status))
		default:
			good = append(good, s.Instance())
		}
	}
	if len(bad) > 0 {
		return fail("%s: the log-shipping backup job runs on the primary and the copy and restore jobs on the backup, and msdb's job procedures fail with 22022 while the Agent is stopped; start SQL Server Agent there",
			strings.Join(bad, "; "))
	}
	return pass("SQL Server Agent running on %s", strings.Join(good, ", "))
}

// restoreTarget is where step 4 puts a file of the backup: the existing
// primary file of the same logical name, else the first of the same kind
// (DeriveMoves' rule).
func restoreTarget(f FileSpace, existing []FileSpace) *FileSpace {
	for i := range existing {
		if strings.EqualFold(existing[i].LogicalName, f.LogicalName) {
			return &existing[i]
		}
	}
	for i := range existing {
		if (existing[i].Type == "LOG") == (f.Type == "LOG") {
			return &existing[i]
		}
	}
	return nil
}

func prePrimaryDiskSpace(ctx context.Context, e *Env) PreconditionResult {
	src, err := e.Backup.FileSpace(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the files of the backup mgc on %s: %v", e.Backup.Instance(), err)
	}
	dst, err := e.Primary.FileSpace(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the files of the primary mgc on %s: %v", e.Primary.Instance(), err)
	}
	// RESTORE creates every file at the size it had when backed up and
	// reuses the files of the database it replaces.
	need, free := map[string]int64{}, map[string]int64{}
	var order, unknown []string
	for _, f := range src {
		t := restoreTarget(f, dst)
		if t == nil || t.Volume == "" {
			unknown = append(unknown, f.LogicalName)
			continue
		}
		if _, ok := need[t.Volume]; !ok {
			order = append(order, t.Volume)
			free[t.Volume] = t.VolumeFree
		}
		need[t.Volume] += f.Bytes
	}
	for _, f := range dst {
		if _, ok := need[f.Volume]; ok {
			need[f.Volume] -= f.Bytes
		}
	}
	var bad, good []string
	for _, v := range order {
		if need[v] > free[v] {
			bad = append(bad, fmt.Sprintf("volume %s needs %d more bytes, has %d free", v, need[v], free[v]))
			continue
		}
		good = append(good, fmt.Sprintf("%s (%d bytes free, %d more needed)", v, free[v], max(need[v], 0)))
	}
	if len(bad) > 0 {
		return fail("the restore of the backup mgc (files of %s) on %s would fail with 3257: %s; free space there or extend the volumes before failing back",
			describeSizes(src), e.Primary.Instance(), strings.Join(bad, "; "))
	}
	r := pass("the primary's volumes hold the restored mgc (%s): %s", describeSizes(src), strings.Join(good, ", "))
	if len(unknown) > 0 {
		r.Warnings = append(r.Warnings, "sys.dm_os_volume_stats has no volume for the target of "+strings.Join(unknown, ", ")+": free space not checked")
	}
	return r
}

func describeSizes(fs []FileSpace) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s %d bytes", f.LogicalName, f.Bytes))
	}
	return strings.Join(parts, ", ")
}

func preActiveListReadable(ctx context.Context, e *Env) PreconditionResult {
	a, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return failErr(err, "the active server list cannot be read back (%v): step 1 verifies the cleared list and step 6 the new one through this read, "+
			"so the run would stop with chat down; fix Get-CsService -PersistentChatServer on the management endpoint first", err)
	}
	return pass("active server list reads back: %s", strings.Join(a, ", "))
}

// probePath is a share probe's file name, unique per run and instance.
func (e *Env) probePath(instance string) string {
	return joinUNC(e.Topo.Share.UNC, "failback_probe_"+e.runID+"_"+instance+".bak")
}
