package world

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
)

// nonSysadminLogin is the SQL login a world gives the engine where its
// topology user must not be sysadmin but is sa (which always is).
const nonSysadminLogin = "pchat_failback"

// sysadminsFor are the Windows logins the world makes members of sysadmin
// on instance in when it starts it (setup's /SQLSYSADMINACCOUNTS): every
// instance user of the topology (each instance has a login for each),
// except in's own user when the topology says userSysadmin: false there.
// sa always is. Nil without a domain.
func (d *domain) sysadminsFor(in *topology.Instance) []string {
	if d == nil {
		return nil
	}
	var out []string
	for _, l := range d.logins {
		if !in.IsUserSysadmin() && strings.EqualFold(l, in.User) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// EngineLoginNotSysadmin makes the login the engine connects to the named
// instance with a login that is not a member of sysadmin, as a DBA who
// granted the failback's account less than the procedures need would
// leave it: a Windows user is dropped from sysadmin (ALTER SERVER ROLE);
// for sa, which always is sysadmin, the world creates the SQL login
// pchat_failback (member of no server role) and the topology's user and
// password file for that instance become it.
func (w *World) EngineLoginNotSysadmin(ctx context.Context, name string) error {
	w.mu.Lock()
	var in *topology.Instance
	for i := range w.Topology.Instances {
		if w.Topology.Instances[i].Name == name {
			in = &w.Topology.Instances[i]
		}
	}
	w.mu.Unlock()
	if in == nil {
		return fmt.Errorf("world: no instance %s in the topology", name)
	}
	inst, ok := w.Instance(name)
	if !ok {
		return fmt.Errorf("world: instance %s is not running", name)
	}
	db, err := w.DB(inst, "master")
	if err != nil {
		return err
	}
	if !strings.EqualFold(in.User, "sa") {
		if _, err := db.ExecContext(ctx, "ALTER SERVER ROLE sysadmin DROP MEMBER "+quoteName(in.User)); err != nil {
			return fmt.Errorf("world: %s: drop %s from sysadmin: %w", name, in.User, err)
		}
		w.Timeline.Add(name, "fault", in.User+" is no longer a member of sysadmin", nil)
		return nil
	}
	pw, err := newPassword()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE LOGIN "+quoteName(nonSysadminLogin)+" WITH PASSWORD = N'"+pw+"'"); err != nil {
		return fmt.Errorf("world: %s: create login %s: %w", name, nonSysadminLogin, err)
	}
	ref, err := w.secretFile(name+"-"+nonSysadminLogin, pw)
	if err != nil {
		return err
	}
	ref.Key = in.Password.Key
	w.mu.Lock()
	in.User, in.Password = nonSysadminLogin, ref
	w.mu.Unlock()
	w.Timeline.Add(name, "fault", "the engine's login is "+nonSysadminLogin+", a member of no server role", nil)
	return nil
}
