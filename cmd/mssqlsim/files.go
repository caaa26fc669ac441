package main

import (
	"flag"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/wan"
)

// fileFlags are the flags that describe how the instance sees Windows
// paths: mounts of drive folders and UNC shares onto host folders, and the
// per-account access rules that make "the Agent cannot read the share"
// reproducible.
type fileFlags struct {
	mounts multiFlag
	links  multiFlag
	access multiFlag
	backup *string
	data   *string

	remotes []*wan.Remote // the --mount-link links, closed by close
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func addFileFlags(fs *flag.FlagSet) *fileFlags {
	f := &fileFlags{}
	fs.Var(&f.mounts, "mount", `map a Windows prefix to a host folder, PREFIX=HOSTDIR (repeatable), e.g. \\files.contoso.test\pchat=/srv/share or C:\=/srv/c`)
	fs.Var(&f.links, "mount-link", `hold a mount's file traffic to a data-center link served at ADDR (sim/wan's Serve), PREFIX=ADDR (repeatable; PREFIX as in --mount), e.g. \\files.contoso.test\pchat=172.18.0.1:40123: the world tells a simulator outside the share's data center where the link between them is served`)
	fs.Var(&f.access, "access", `grant an account access below a prefix, ACCOUNT:r|w|rw|none:PREFIX (repeatable; ACCOUNT * is everyone), e.g. CONTOSO\sqlagent:r:\\files.contoso.test\pchat`)
	f.backup = fs.String("default-backup", "", `default backup folder for bare device names (a Windows path under a mount)`)
	f.data = fs.String("default-data", "", `default data folder for new database files (a Windows path under a mount)`)
	return f
}

// config builds the hostfs configuration; nil when no --mount was given
// (the engine then mounts C:\ inside --data).
func (f *fileFlags) config() (*hostfs.Config, error) {
	if len(f.mounts) == 0 {
		if len(f.access) > 0 || len(f.links) > 0 || *f.backup != "" || *f.data != "" {
			return nil, fmt.Errorf("--access, --mount-link, --default-backup and --default-data need at least one --mount")
		}
		return nil, nil
	}
	cfg := &hostfs.Config{DefaultBackup: *f.backup, DefaultData: *f.data}
	for _, m := range f.mounts {
		prefix, host, ok := strings.Cut(m, "=")
		if !ok || prefix == "" || host == "" {
			return nil, fmt.Errorf("--mount %q: want PREFIX=HOSTDIR", m)
		}
		cfg.Mounts = append(cfg.Mounts, hostfs.Mount{Prefix: prefix, Host: host})
	}
	for _, l := range f.links {
		prefix, addr, ok := strings.Cut(l, "=")
		if !ok || prefix == "" || addr == "" {
			return nil, fmt.Errorf("--mount-link %q: want PREFIX=ADDR", l)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("--mount-link %q: want PREFIX=HOST:PORT: %w", l, err)
		}
		i := slices.IndexFunc(cfg.Mounts, func(m hostfs.Mount) bool { return strings.EqualFold(m.Prefix, prefix) })
		if i < 0 {
			return nil, fmt.Errorf("--mount-link %q: no --mount of %s", l, prefix)
		}
		if cfg.Mounts[i].Pacer != nil {
			return nil, fmt.Errorf("--mount-link %q: %s already has a link", l, prefix)
		}
		r := wan.Dial(addr)
		f.remotes = append(f.remotes, r)
		cfg.Mounts[i].Pacer = r
	}
	for _, a := range f.access {
		parts := strings.SplitN(a, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return nil, fmt.Errorf("--access %q: want ACCOUNT:r|w|rw|none:PREFIX", a)
		}
		acc, err := hostfs.ParseAccessFlag(parts[1])
		if err != nil {
			return nil, fmt.Errorf("--access %q: %w", a, err)
		}
		cfg.Rules = append(cfg.Rules, hostfs.Rule{Account: parts[0], Prefix: parts[2], Access: acc})
	}
	return cfg, nil
}

// close drops the --mount-link links' connections.
func (f *fileFlags) close() {
	for _, r := range f.remotes {
		r.Close()
	}
}
