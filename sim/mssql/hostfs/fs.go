package hostfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Access is what a rule grants.
type Access uint8

const (
	Read Access = 1 << iota
	Write
	ReadWrite = Read | Write
)

func (a Access) String() string {
	switch a {
	case 0:
		return "none"
	case Read:
		return "read"
	case Write:
		return "write"
	}
	return "read/write"
}

// Flag is the access as mssqlsim's --access flag spells it (r, w, rw,
// none); ParseAccessFlag reads it back. The world writes these flags for
// the instances it starts in containers.
func (a Access) Flag() string {
	switch a {
	case Read:
		return "r"
	case Write:
		return "w"
	case ReadWrite:
		return "rw"
	}
	return "none"
}

// ParseAccessFlag reads r, w, rw or none (any case).
func ParseAccessFlag(s string) (Access, error) {
	switch strings.ToLower(s) {
	case "r":
		return Read, nil
	case "w":
		return Write, nil
	case "rw":
		return ReadWrite, nil
	case "none":
		return 0, nil
	}
	return 0, fmt.Errorf("access %q is not r, w, rw or none", s)
}

// Mount maps a Windows prefix (a drive folder or a UNC share, with or without
// a folder under it) onto an existing host folder.
type Mount struct {
	Prefix string // `\\files.contoso.test\pchat-logship`, `D:\PChatLogShipCopy`, `C:\`
	Host   string // host folder; must exist
	// Pacer, when set, is the network between this host and the mount (a
	// share in the other data center is reached over the WAN link): file
	// data read or written there is held to it. nil is local disk.
	Pacer Pacer
}

// Pacer holds file traffic to the network a mount sits behind (sim/wan's
// Link implements it). Pace books n bytes and waits until they crossed;
// RoundTrip waits one request's round trip (SMB's CREATE). PaceAhead books
// n bytes of a flow that keeps window bytes in flight and returns when they
// will have crossed; WaitUntil waits for that time (a flow's end).
type Pacer interface {
	Pace(ctx context.Context, n int) error
	RoundTrip(ctx context.Context) error
	PaceAhead(ctx context.Context, n, window int) (time.Time, error)
	WaitUntil(ctx context.Context, t time.Time) error
}

// InFlight is how many bytes a file transfer over a Pacer keeps on the
// wire: a backup or restore to a share keeps several 1 MiB transfer
// buffers outstanding (BACKUP's MAXTRANSFERSIZE is 1 MB by default and
// BUFFERCOUNT several buffers per device), and SMB2 grants the client
// credits for several outstanding reads and writes. The next buffer is
// filled while the link carries the previous ones; Microsoft documents no
// single figure, so the simulator takes a conservative 8 MiB.
const InFlight = 8 << 20

// Rule grants Access on Prefix and below to Account ("*" = every account).
// Accounts compare case-insensitively (`CONTOSO\sqlagent`).
type Rule struct {
	Account string
	Prefix  string
	Access  Access
}

// Config is one instance's view of the file system.
type Config struct {
	Mounts []Mount
	Rules  []Rule
	// DefaultData and DefaultBackup are the instance's default folders
	// (Windows paths under a mount); SQL Server puts bare file names there.
	DefaultData   string
	DefaultBackup string
}

// FS is an instance's file system. It is safe for concurrent use.
type FS struct {
	mu            sync.Mutex
	mounts        []*mount
	rules         []rule
	defaultData   string
	defaultBackup string
	open          map[string]*share
}

type mount struct {
	prefix      winPath
	host        string
	root        *os.Root
	unreachable bool
	full        bool
	free        int64 // reported free bytes; <0 asks the host
	pacer       Pacer
}

type rule struct {
	account string
	prefix  winPath
	access  Access
}

type share struct{ readers, writers int }

// New checks cfg and opens every mount's host folder.
func New(cfg Config) (*FS, error) {
	f := &FS{open: map[string]*share{}}
	for i, m := range cfg.Mounts {
		p, code := parsePath(m.Prefix)
		if code != 0 {
			f.Close()
			return nil, fmt.Errorf("hostfs: mount %d: prefix %q: %s", i, m.Prefix, winText[code])
		}
		for _, o := range f.mounts {
			if len(o.prefix.comps) == len(p.comps) && p.hasPrefix(o.prefix) {
				f.Close()
				return nil, fmt.Errorf("hostfs: mount %d: prefix %q mounted twice", i, m.Prefix)
			}
		}
		abs, err := filepath.Abs(m.Host)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("hostfs: mount %q: %w", m.Prefix, err)
		}
		root, err := os.OpenRoot(abs)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("hostfs: mount %q: %w", m.Prefix, err)
		}
		f.mounts = append(f.mounts, &mount{prefix: p, host: abs, root: root, free: -1, pacer: m.Pacer})
	}
	for i, r := range cfg.Rules {
		p, code := parsePath(r.Prefix)
		if code != 0 || r.Account == "" {
			f.Close()
			return nil, fmt.Errorf("hostfs: rule %d: account %q prefix %q: invalid", i, r.Account, r.Prefix)
		}
		f.rules = append(f.rules, rule{account: r.Account, prefix: p, access: r.Access})
	}
	for _, d := range []struct {
		name string
		val  string
		dst  *string
	}{{"DefaultData", cfg.DefaultData, &f.defaultData}, {"DefaultBackup", cfg.DefaultBackup, &f.defaultBackup}} {
		if d.val == "" {
			continue
		}
		p, code := parsePath(d.val)
		if code != 0 || f.mountOf(p) == nil {
			f.Close()
			return nil, fmt.Errorf("hostfs: %s %q is not under a mount", d.name, d.val)
		}
		*d.dst = p.String()
	}
	return f, nil
}

// Close releases the mounts' host folders. Files already open stay usable.
func (f *FS) Close() error {
	for _, m := range f.mounts {
		m.root.Close()
	}
	return nil
}

// DefaultDataDir is the instance's default data folder (Windows path).
func (f *FS) DefaultDataDir() string { return f.defaultData }

// DefaultBackupDir is the instance's default backup folder (Windows path).
func (f *FS) DefaultBackupDir() string { return f.defaultBackup }

// mountOf returns the mount with the longest prefix holding p.
func (f *FS) mountOf(p winPath) *mount {
	var best *mount
	for _, m := range f.mounts {
		if p.hasPrefix(m.prefix) && (best == nil || len(m.prefix.comps) > len(best.prefix.comps)) {
			best = m
		}
	}
	return best
}

func (f *FS) findMount(prefix string) (*mount, error) {
	p, code := parsePath(prefix)
	if code == 0 {
		for _, m := range f.mounts {
			if len(m.prefix.comps) == len(p.comps) && p.hasPrefix(m.prefix) {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("hostfs: no mount %q", prefix)
}

// SetUnreachable makes the mount at prefix fail every operation with error
// 53, as a share whose server is down does.
func (f *FS) SetUnreachable(prefix string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.findMount(prefix)
	if err == nil {
		m.unreachable = on
	}
	return err
}

// SetFull makes writes on the mount at prefix fail with error 112 and
// FreeBytes report 0.
func (f *FS) SetFull(prefix string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.findMount(prefix)
	if err == nil {
		m.full = on
	}
	return err
}

// SetFreeBytes fixes what FreeBytes reports for the mount (n < 0: ask the host).
func (f *FS) SetFreeBytes(prefix string, n int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.findMount(prefix)
	if err == nil {
		m.free = n
	}
	return err
}

// SetAccess replaces (or adds) the rule for exactly account and prefix, so
// a scenario can grant or revoke a permission while the instance runs.
func (f *FS) SetAccess(account, prefix string, a Access) error {
	p, code := parsePath(prefix)
	if code != 0 || account == "" {
		return fmt.Errorf("hostfs: rule for %q on %q: invalid", account, prefix)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if strings.EqualFold(r.account, account) && len(r.prefix.comps) == len(p.comps) && p.hasPrefix(r.prefix) {
			f.rules[i].access = a
			return nil
		}
	}
	f.rules = append(f.rules, rule{account: account, prefix: p, access: a})
	return nil
}

// accessOf is what account may do at p: the rule with the longest prefix
// decides; on a tie a rule naming the account beats "*". Caller holds mu.
func (f *FS) accessOf(account string, p winPath) Access {
	best, bestLen, bestSpecific := Access(0), -1, false
	for _, r := range f.rules {
		specific := strings.EqualFold(r.account, account)
		if !specific && r.account != "*" || !p.hasPrefix(r.prefix) {
			continue
		}
		n := len(r.prefix.comps)
		if n > bestLen || n == bestLen && specific && !bestSpecific {
			best, bestLen, bestSpecific = r.access, n, specific
		}
	}
	return best
}

// target is a resolved path: its mount and the path relative to the mount's
// host folder, with existing names matched case-insensitively.
type target struct {
	win  winPath
	m    *mount
	rel  string // slash-separated, "." for the mount's root
	name string // the path as the caller wrote it, for errors
}

// key identifies a file for share tracking regardless of case.
func (t target) key() string { return t.m.host + "\x00" + strings.ToLower(t.rel) }

func (t target) host() string { return filepath.Join(t.m.host, filepath.FromSlash(t.rel)) }

// resolve finds where path lives and checks the mount's reachability and
// the account's access (need 0 skips the access check).
func (f *FS) resolve(op, account, name string, need Access) (target, error) {
	p, code := parsePath(name)
	if code != 0 {
		return target{}, osErr(op, name, code, nil)
	}
	f.mu.Lock()
	m := f.mountOf(p)
	var unreachable bool
	var have Access
	if m != nil {
		unreachable = m.unreachable
		have = f.accessOf(account, p)
	}
	f.mu.Unlock()
	switch {
	case m == nil && !isDriveRoot(p.root):
		return target{}, osErr(op, name, ErrBadNetPath, nil) // no such server or share
	case m == nil:
		return target{}, osErr(op, name, ErrPathNotFound, nil)
	case unreachable:
		return target{}, osErr(op, name, ErrBadNetPath, nil)
	case need&have != need:
		return target{}, osErr(op, name, ErrAccessDenied, nil)
	}
	comps := p.comps[len(m.prefix.comps):]
	return target{win: p, m: m, rel: matchCase(m.root, comps), name: name}, nil
}

// matchCase maps Windows components onto host names: an exact name if it
// exists, else the one existing name equal ignoring case, else as written.
func matchCase(root *os.Root, comps []string) string {
	dir := "."
	for i, c := range comps {
		if _, err := root.Lstat(path.Join(dir, c)); err == nil {
			dir = path.Join(dir, c)
			continue
		}
		d, err := root.Open(dir)
		if err != nil {
			return path.Join(append([]string{dir}, comps[i:]...)...)
		}
		ents, _ := d.ReadDir(-1)
		d.Close()
		found := ""
		for _, e := range ents {
			if strings.EqualFold(e.Name(), c) {
				found = e.Name()
				break
			}
		}
		if found == "" {
			return path.Join(append([]string{dir}, comps[i:]...)...)
		}
		dir = path.Join(dir, found)
	}
	return dir
}

// Resolve maps a Windows path to the host path it names, without checking
// any account's access (the engine uses it for paths it reports, and hands
// Check's result to sim/mssql/storage/media).
func (f *FS) Resolve(winPath string) (string, error) {
	t, err := f.resolve("resolve", "", winPath, 0)
	if err != nil {
		return "", err
	}
	return t.host(), nil
}

// Check resolves winPath for account and verifies it may do need there;
// writing on a full mount fails with 112, writing into a folder that does
// not exist with 3 (the path not found, as CreateFile reports it: BACKUP
// to a missing folder is 3201 with operating system error 3). The engine
// calls it before handing the host path to code that opens files itself
// (backup media).
func (f *FS) Check(account, winPath string, need Access) (string, error) {
	t, err := f.resolve("open", account, winPath, need)
	if err != nil {
		return "", err
	}
	if need&Write != 0 && f.isFull(t.m) {
		return "", osErr("open", winPath, ErrDiskFull, nil)
	}
	host := t.host()
	if need&Write != 0 {
		if st, err := os.Stat(filepath.Dir(host)); err != nil || !st.IsDir() {
			return "", osErr("open", winPath, ErrPathNotFound, err)
		}
	}
	return host, nil
}

func (f *FS) isFull(m *mount) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return m.full
}

// Pacing is how data read or written at winPath must be held to the
// network: nil for a local mount; otherwise it pays the round trip that
// opens a remote file and returns a function that books n bytes on the
// link, holding the caller only while more than InFlight bytes are still
// ahead of it; the transfer's end calls it with 0 to wait until all its
// bytes crossed. A link that is down fails the open with error 53 (the network path
// was not found) and a transfer with error 64 (the specified network name
// is no longer available), as an SMB client reports them; ctx's errors pass
// through unchanged.
func (f *FS) Pacing(ctx context.Context, op, winPath string) (func(n int) error, error) {
	p, code := parsePath(winPath)
	if code != 0 {
		return nil, osErr(op, winPath, code, nil)
	}
	f.mu.Lock()
	m := f.mountOf(p)
	f.mu.Unlock()
	if m == nil || m.pacer == nil {
		return nil, nil
	}
	if err := m.pacer.RoundTrip(ctx); err != nil {
		return nil, netErr(op, winPath, ErrBadNetPath, err)
	}
	// The transfer keeps InFlight bytes on the wire; pace(0) is its end,
	// which waits until every byte it booked has crossed.
	var last time.Time
	return func(n int) error {
		var err error
		if n == 0 {
			err = m.pacer.WaitUntil(ctx, last)
		} else {
			last, err = m.pacer.PaceAhead(ctx, n, InFlight)
		}
		if err != nil {
			return netErr(op, winPath, ErrNetNameDeleted, err)
		}
		return nil
	}, nil
}

func netErr(op, path string, code int, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return osErr(op, path, code, err)
}

// SetVolumeFree is SetFreeBytes for the mount holding winPath (a file or
// folder on it), for callers that know a database file's path rather than
// the drive's.
func (f *FS) SetVolumeFree(winPath string, n int64) error {
	t, err := f.resolve("stat", "", winPath, 0)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.m.free = n
	return nil
}

// VolumeOf is the mount prefix (C:\, \\server\share) holding winPath: what
// sys.dm_os_volume_stats reports as volume_mount_point.
func (f *FS) VolumeOf(winPath string) (string, error) {
	t, err := f.resolve("stat", "", winPath, 0)
	if err != nil {
		return "", err
	}
	return t.m.prefix.String(), nil
}
