package lync

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MaxActiveServers is the pool limit: at most 4 of the 8 Persistent Chat
// servers may be active.
const MaxActiveServers = 4

// Invocation is one script run, reported to Client.Observer so the engine
// can journal the exact text it sent. Scripts never carry passwords.
type Invocation struct {
	Op       string // e.g. "clear active servers"
	Script   string
	Start    time.Time
	Duration time.Duration
	Output   Output
	Err      error
}

// Client runs the typed Persistent Chat operations through a Runner.
type Client struct {
	Runner   Runner
	Module   Module           // "" means ModuleSkypeForBusiness
	Observer func(Invocation) // optional; called after every run, success or not
	Now      func() time.Time // optional clock for Invocation.Start
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// run wraps stmts in the prelude, runs the script and decodes a failure.
// It returns the script even on error so the caller can journal it.
func (c *Client) run(ctx context.Context, op string, stmts ...string) (string, Output, error) {
	if c.Runner == nil {
		return "", Output{}, fmt.Errorf("lync %s: client has no runner", op)
	}
	s, err := script(c.Module, stmts...)
	if err != nil {
		return "", Output{}, fmt.Errorf("lync %s: %w", op, err)
	}
	start := c.now()
	t0 := time.Now()
	out, err := c.Runner.Run(ctx, s)
	if err == nil {
		if ce := decodeFailure(out); ce != nil {
			err = ce
		}
	}
	if err != nil {
		err = fmt.Errorf("lync %s: %w", op, err)
	}
	if c.Observer != nil {
		c.Observer(Invocation{Op: op, Script: s, Start: start, Duration: time.Since(t0), Output: out, Err: err})
	}
	return s, out, err
}

// Invoke runs commands built with NewCommand, for operations this package
// has no typed method for. Their output is returned raw.
func (c *Client) Invoke(ctx context.Context, op string, cmds ...*Command) (string, Output, error) {
	stmts := make([]string, 0, len(cmds))
	for _, cmd := range cmds {
		s, err := cmd.Build()
		if err != nil {
			return "", Output{}, fmt.Errorf("lync %s: %w", op, err)
		}
		stmts = append(stmts, s)
	}
	return c.run(ctx, op, stmts...)
}

func checkIdentity(what, id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("%w: %s is empty", ErrBadScript, what)
	}
	return nil
}

var fqdnLabelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// CheckFQDN reports whether s is a plausible DNS name (letters, digits,
// hyphens, dot-separated labels of at most 63, at most 253 in all).
func CheckFQDN(s string) error {
	if s == "" || len(s) > 253 {
		return fmt.Errorf("%w: fqdn %q: length must be 1..253", ErrBadScript, s)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if !fqdnLabelRE.MatchString(l) {
			return fmt.Errorf("%w: fqdn %q: label %q is not letters, digits and inner hyphens", ErrBadScript, s, l)
		}
	}
	return nil
}

// ClearActiveServersCommand is failback step 1: no Persistent Chat server
// accepts new connections to mgc/mgccomp while the databases move.
func ClearActiveServersCommand(identity string) (string, error) {
	if err := checkIdentity("active-server identity", identity); err != nil {
		return "", err
	}
	return NewCommand("Set-CsPersistentChatActiveServer").
		Param("Identity", String(identity)).
		Param("ActiveServers", Null()).
		SwitchValue("Confirm", false).
		Build()
}

// ClearActiveServers runs ClearActiveServersCommand.
func (c *Client) ClearActiveServers(ctx context.Context, identity string) (string, error) {
	cmd, err := ClearActiveServersCommand(identity)
	if err != nil {
		return "", fmt.Errorf("lync clear active servers: %w", err)
	}
	s, _, err := c.run(ctx, "clear active servers", cmd)
	return s, err
}

// SetActiveServersCommand replaces the whole active list (PSListModifier
// Replace), so the result does not depend on what the list held before.
func SetActiveServersCommand(identity string, fqdns []string) (string, error) {
	if err := checkIdentity("active-server identity", identity); err != nil {
		return "", err
	}
	if len(fqdns) == 0 {
		return "", fmt.Errorf("%w: no active servers given (use ClearActiveServers to clear the list)", ErrBadScript)
	}
	if len(fqdns) > MaxActiveServers {
		return "", fmt.Errorf("%w: %d active servers given, the pool allows at most %d", ErrBadScript, len(fqdns), MaxActiveServers)
	}
	seen := map[string]bool{}
	for _, f := range fqdns {
		if err := CheckFQDN(f); err != nil {
			return "", err
		}
		k := strings.ToLower(strings.TrimSuffix(f, "."))
		if seen[k] {
			return "", fmt.Errorf("%w: active server %q listed twice", ErrBadScript, f)
		}
		seen[k] = true
	}
	return NewCommand("Set-CsPersistentChatActiveServer").
		Param("Identity", String(identity)).
		Param("ActiveServers", Hashtable(Entry{Key: "Replace", Value: Strings(fqdns...)})).
		SwitchValue("Confirm", false).
		Build()
}

// SetActiveServers runs SetActiveServersCommand (failback step 6).
func (c *Client) SetActiveServers(ctx context.Context, identity string, fqdns []string) (string, error) {
	cmd, err := SetActiveServersCommand(identity, fqdns)
	if err != nil {
		return "", fmt.Errorf("lync set active servers: %w", err)
	}
	s, _, err := c.run(ctx, "set active servers", cmd)
	return s, err
}

// ActiveServerReadBack is what a plan and a run say about reading the
// active-server list back (issue 15): no Microsoft page documents a cmdlet
// or property that returns it (there is no Get-CsPersistentChatActiveServer;
// Get-CsService's and Get-CsPersistentChatState's pages name no such
// property; Topology Builder's "Machine state settings" shows it), so the
// engine's checks of the active list are best-effort.
const ActiveServerReadBack = "active-server read-back is best-effort: it reads the ActiveServers and InactiveServers properties of Get-CsService -PersistentChatServer, which no Microsoft page documents (check Topology Builder's machine state settings after the run)"

// ReadPoolServersPipeline reads the Persistent Chat service of one pool.
// There is no Get-CsPersistentChatActiveServer cmdlet; the service object
// is the documented place to look (reference §6.2, property names
// UNCONFIRMED on a real pool, hence the tolerant parser).
func ReadPoolServersPipeline(poolFqdn string) (string, error) {
	if err := CheckFQDN(poolFqdn); err != nil {
		return "", err
	}
	return "Get-CsService -PersistentChatServer | Where-Object { $_.PoolFqdn -eq " + Quote(poolFqdn) +
		" } | Select-Object Identity,PoolFqdn,ActiveServers,InactiveServers | ConvertTo-Json -Compress", nil
}

// ReadPoolServers reads the active and inactive servers of a pool.
func (c *Client) ReadPoolServers(ctx context.Context, poolFqdn string) (PoolServers, string, error) {
	p, err := ReadPoolServersPipeline(poolFqdn)
	if err != nil {
		return PoolServers{}, "", fmt.Errorf("lync read active servers: %w", err)
	}
	s, out, err := c.run(ctx, "read active servers", p)
	if err != nil {
		return PoolServers{}, s, err
	}
	ps, err := ParsePoolServers(out.Stdout)
	if err != nil {
		return PoolServers{}, s, fmt.Errorf("lync read active servers of %s: %w", poolFqdn, err)
	}
	return ps, s, nil
}

// ReadActiveServers returns only the active list of a pool.
func (c *Client) ReadActiveServers(ctx context.Context, poolFqdn string) ([]string, string, error) {
	ps, s, err := c.ReadPoolServers(ctx, poolFqdn)
	return ps.ActiveServers, s, err
}

// SetPoolStateCommand is the post-failback "restore the pool to its normal
// state" step (Normal) or failover step 5 (FailedOver).
func SetPoolStateCommand(identity string, state PoolState) (string, error) {
	if err := checkIdentity("pool identity", identity); err != nil {
		return "", err
	}
	if state != PoolNormal && state != PoolFailedOver {
		return "", fmt.Errorf("%w: pool state %q is not %s or %s", ErrBadScript, state, PoolNormal, PoolFailedOver)
	}
	return NewCommand("Set-CsPersistentChatState").
		Param("Identity", String(identity)).
		Param("PoolState", String(string(state))).
		SwitchValue("Confirm", false).
		Build()
}

// SetPoolState runs SetPoolStateCommand.
func (c *Client) SetPoolState(ctx context.Context, identity string, state PoolState) (string, error) {
	cmd, err := SetPoolStateCommand(identity, state)
	if err != nil {
		return "", fmt.Errorf("lync set pool state: %w", err)
	}
	s, _, err := c.run(ctx, "set pool state", cmd)
	return s, err
}

// ReadPoolStatePipeline reads one pool's state as JSON.
func ReadPoolStatePipeline(identity string) (string, error) {
	if err := checkIdentity("pool identity", identity); err != nil {
		return "", err
	}
	cmd, err := NewCommand("Get-CsPersistentChatState").Param("Identity", String(identity)).Build()
	if err != nil {
		return "", err
	}
	return cmd + " | ConvertTo-Json -Compress", nil
}

// ReadPoolState reads the pool state.
func (c *Client) ReadPoolState(ctx context.Context, identity string) (PoolState, string, error) {
	p, err := ReadPoolStatePipeline(identity)
	if err != nil {
		return "", "", fmt.Errorf("lync read pool state: %w", err)
	}
	s, out, err := c.run(ctx, "read pool state", p)
	if err != nil {
		return "", s, err
	}
	st, err := ParsePoolStateJSON(out.Stdout)
	if err != nil {
		return "", s, fmt.Errorf("lync read pool state of %s: %w", identity, err)
	}
	return st, s, nil
}

// Database types for Install-CsMirrorDatabase / Invoke-CsDatabaseFailover.
const (
	DatabasePersistentChat           = "PersistentChat"
	DatabasePersistentChatCompliance = "PersistentChatCompliance"
)

// MirrorInstall is the DatabaseType parameter set of Install-CsMirrorDatabase
// (failover step 6: the backup instance becomes principal, the backup-mirror
// instance the mirror).
type MirrorInstall struct {
	DatabaseType    string            // DatabasePersistentChat or DatabasePersistentChatCompliance
	SqlServerFqdn   string            // the principal's SQL Server
	SqlInstanceName string            // "" for the default instance
	FileShare       string            // UNC share for the export/import
	DatabasePathMap map[string]string // optional
	ExcludeDatabase []string          // optional
	DropExisting    bool              // -DropExistingDatabasesOnMirror
}

// InstallMirrorDatabaseCommand builds the Install-CsMirrorDatabase call.
func InstallMirrorDatabaseCommand(m MirrorInstall) (string, error) {
	if m.DatabaseType != DatabasePersistentChat && m.DatabaseType != DatabasePersistentChatCompliance {
		return "", fmt.Errorf("%w: database type %q is not %s or %s", ErrBadScript, m.DatabaseType, DatabasePersistentChat, DatabasePersistentChatCompliance)
	}
	if err := CheckFQDN(m.SqlServerFqdn); err != nil {
		return "", err
	}
	if !strings.HasPrefix(m.FileShare, `\\`) {
		return "", fmt.Errorf("%w: file share %q is not a UNC path", ErrBadScript, m.FileShare)
	}
	cmd := NewCommand("Install-CsMirrorDatabase").
		Param("DatabaseType", String(m.DatabaseType)).
		Param("SqlServerFqdn", String(m.SqlServerFqdn))
	if m.SqlInstanceName != "" {
		cmd.Param("SqlInstanceName", String(m.SqlInstanceName))
	}
	cmd.Param("FileShare", String(m.FileShare))
	if len(m.DatabasePathMap) > 0 {
		keys := make([]string, 0, len(m.DatabasePathMap))
		for k := range m.DatabasePathMap {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		entries := make([]Entry, 0, len(keys))
		for _, k := range keys {
			entries = append(entries, Entry{Key: k, Value: String(m.DatabasePathMap[k])})
		}
		cmd.Param("DatabasePathMap", Hashtable(entries...))
	}
	if len(m.ExcludeDatabase) > 0 {
		cmd.Param("ExcludeDatabaseList", Strings(m.ExcludeDatabase...))
	}
	if m.DropExisting {
		cmd.Switch("DropExistingDatabasesOnMirror")
	}
	return cmd.SwitchValue("Confirm", false).Build()
}

// InstallMirrorDatabase runs InstallMirrorDatabaseCommand.
func (c *Client) InstallMirrorDatabase(ctx context.Context, m MirrorInstall) (string, error) {
	cmd, err := InstallMirrorDatabaseCommand(m)
	if err != nil {
		return "", fmt.Errorf("lync install mirror database: %w", err)
	}
	s, _, err := c.run(ctx, "install mirror database", cmd)
	return s, err
}

// Principal roles for Invoke-CsDatabaseFailover -NewPrincipal.
const (
	PrincipalMirror  = "Mirror"
	PrincipalPrimary = "Primary"
)

// DatabaseFailover is an Invoke-CsDatabaseFailover call (used when log
// shipping is set up from the primary's mirror, reference §2.4).
type DatabaseFailover struct {
	DatabaseType string // DatabasePersistentChat or DatabasePersistentChatCompliance
	PoolFqdn     string
	NewPrincipal string // PrincipalMirror or PrincipalPrimary
	Force        bool   // also when the current principal is unreachable
}

// InvokeDatabaseFailoverCommand builds the Invoke-CsDatabaseFailover call.
func InvokeDatabaseFailoverCommand(f DatabaseFailover) (string, error) {
	if f.DatabaseType != DatabasePersistentChat && f.DatabaseType != DatabasePersistentChatCompliance {
		return "", fmt.Errorf("%w: database type %q is not %s or %s", ErrBadScript, f.DatabaseType, DatabasePersistentChat, DatabasePersistentChatCompliance)
	}
	if f.NewPrincipal != PrincipalMirror && f.NewPrincipal != PrincipalPrimary {
		return "", fmt.Errorf("%w: new principal %q is not %s or %s", ErrBadScript, f.NewPrincipal, PrincipalMirror, PrincipalPrimary)
	}
	if err := CheckFQDN(f.PoolFqdn); err != nil {
		return "", err
	}
	cmd := NewCommand("Invoke-CsDatabaseFailover").
		Param("PoolFqdn", String(f.PoolFqdn)).
		Param("DatabaseType", String(f.DatabaseType)).
		Param("NewPrincipal", String(f.NewPrincipal))
	if f.Force {
		cmd.Switch("Force")
	}
	return cmd.SwitchValue("Confirm", false).Build()
}

// InvokeDatabaseFailover runs InvokeDatabaseFailoverCommand.
func (c *Client) InvokeDatabaseFailover(ctx context.Context, f DatabaseFailover) (string, error) {
	cmd, err := InvokeDatabaseFailoverCommand(f)
	if err != nil {
		return "", fmt.Errorf("lync invoke database failover: %w", err)
	}
	s, _, err := c.run(ctx, "invoke database failover", cmd)
	return s, err
}
