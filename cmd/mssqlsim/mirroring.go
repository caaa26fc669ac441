package main

import (
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

// mirrorFlags are the database mirroring options: how partner names in
// ALTER DATABASE ... SET PARTNER = 'TCP://host:port' map to loopback
// addresses (the world's hosts are fake FQDNs), and where the mirroring
// endpoint listens, so two mssqlsim processes can mirror each other.
type mirrorFlags struct {
	hosts  multiFlag
	listen *string
	public *bool
}

func addMirrorFlags(fs *flag.FlagSet) *mirrorFlags {
	f := &mirrorFlags{}
	fs.Var(&f.hosts, "partner-host", `resolve a mirroring partner or witness name, HOST=ADDR or HOST:PORT=ADDR (repeatable), e.g. sqlmirror.contoso.test=127.0.0.1 or sqlmirror.contoso.test:5022=127.0.0.1:15022; a loopback address unless --endpoint-public`)
	f.listen = fs.String("endpoint-listen", "", "address the DATABASE_MIRRORING endpoint listens on instead of 127.0.0.1:<LISTENER_PORT> (127.0.0.1:0 picks a free port)")
	f.public = fs.Bool("endpoint-public", false, "let --endpoint-listen name a non-loopback address: the simulator's endpoints do not authenticate partners, so only inside a container whose network is the world's own")
	return f
}

// apply checks the flags and puts them into cfg.
func (f *mirrorFlags) apply(cfg *engine.Config) error {
	for _, h := range f.hosts {
		name, addr, ok := strings.Cut(h, "=")
		name, addr = strings.TrimSpace(name), strings.TrimSpace(addr)
		if !ok || name == "" || addr == "" {
			return fmt.Errorf("--partner-host %q: want HOST=ADDR", h)
		}
		host := addr
		if hh, _, err := net.SplitHostPort(addr); err == nil {
			host = hh
		}
		// Inside a container (--endpoint-public) a partner in another data
		// center is reached through the world's link forwarder on the
		// host's end of the network, not on loopback.
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() && !*f.public {
			return fmt.Errorf("--partner-host %q: %s is not a loopback address (or an IP address with --endpoint-public inside a container)", h, addr)
		}
		if cfg.PartnerHosts == nil {
			cfg.PartnerHosts = map[string]string{}
		}
		cfg.PartnerHosts[name] = addr
	}
	if *f.listen != "" {
		host, _, err := net.SplitHostPort(*f.listen)
		ip := net.ParseIP(host)
		switch {
		case err != nil || ip == nil:
			return fmt.Errorf("--endpoint-listen %q: want an IP host:port", *f.listen)
		case !ip.IsLoopback() && !*f.public:
			return fmt.Errorf("--endpoint-listen %q: want a loopback host:port (or --endpoint-public inside a container)", *f.listen)
		}
		cfg.EndpointListen = *f.listen
	}
	return nil
}
