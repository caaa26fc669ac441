package topology

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Validate checks the rules a topology must meet: the product's limits
// (8 servers, 4 active), references between sections (data centers,
// instances), one instance per role with primary and backup present, and
// exactly one way to find each secret. Parse runs it; call it again after
// changing a Topology in code. Problems carry the file line when the
// Topology came from Parse.
func (t *Topology) Validate() error {
	p := &problems{file: t.File, lines: t.lines}
	if p.file == "" {
		p.file = "topology"
	}
	if t.Version != 1 {
		p.key("version", "unsupported version %d (this loader reads version 1)", t.Version)
	}
	dcs := t.validateDataCenters(p)
	t.validatePool(p, dcs)
	t.validateLinks(p, dcs)
	if t.Placement.MaxRTTMs <= 0 {
		p.key("placement.maxRttMs", "must be greater than 0")
	}
	if t.Placement.MinBandwidthMbps <= 0 {
		p.key("placement.minBandwidthMbps", "must be greater than 0")
	}
	if b := t.Backups; b.ThroughputMBps < 0 {
		p.key("backups.throughputMBps", "must not be negative (0 or absent: %d MB/s)", DefaultThroughputMBps)
	} else if b.BudgetFactor != 0 && b.BudgetFactor < 1 {
		p.key("backups.budgetFactor", "must be at least 1 (a budget below the estimate warns on every run; absent: %d)", DefaultBudgetFactor)
	}
	names := t.validateInstances(p, dcs)
	t.validateShare(p, names)
	t.validateLogShipping(p)
	t.validateManagement(p)
	t.validateObjectives(p)
	p.name(t)
	return p.err()
}

func (t *Topology) validateDataCenters(p *problems) map[string]bool {
	dcs := map[string]bool{}
	count := map[string]int{}
	if len(t.DataCenters) == 0 {
		p.key("dataCenters", "at least the primary and the backup data center are needed")
	}
	for i, dc := range t.DataCenters {
		k := index("dataCenters", i)
		switch {
		case dc.Name == "":
			p.key(k+".name", "must not be empty")
		case dcs[dc.Name]:
			p.key(k+".name", "duplicate data center %s", dc.Name)
		}
		dcs[dc.Name] = true
		switch dc.Role {
		case DataCenterPrimary, DataCenterBackup:
			if count[dc.Role]++; count[dc.Role] > 1 {
				p.key(k+".role", "a second %s data center; there is exactly one", dc.Role)
			}
		case DataCenterOther:
		default:
			p.key(k+".role", "unknown data-center role %q (want primary, backup or other)", dc.Role)
		}
	}
	for _, r := range []string{DataCenterPrimary, DataCenterBackup} {
		if len(t.DataCenters) > 0 && count[r] == 0 {
			p.key("dataCenters", "no data center has role %s", r)
		}
	}
	return dcs
}

func (t *Topology) validatePool(p *problems, dcs map[string]bool) {
	pool := &t.Pool
	if err := checkFQDN(pool.FQDN, true); err != "" {
		p.key("pool.fqdn", "%s", err)
	}
	if strings.TrimSpace(pool.StateIdentity) == "" {
		p.key("pool.stateIdentity", "must not be empty")
	}
	if strings.TrimSpace(pool.ActiveServerIdentity) == "" {
		p.key("pool.activeServerIdentity", "must not be empty")
	}
	switch {
	case pool.Product == "":
		// A Topology built in code: the same default as an absent key.
		pool.Product, pool.ProductAssumed = DefaultProduct, true
	case !pool.Product.Valid():
		p.key("pool.product", "unknown product %q (want %s for Lync Server 2013 or %s for Skype for Business Server 2015)", pool.Product, ProductLync2013, ProductSkype2015)
	}
	switch n := len(pool.Servers); {
	case n == 0:
		p.key("pool.servers", "the pool has no servers")
	case n > MaxServers:
		p.key("pool.servers", "%d servers; a Persistent Chat pool has at most %d", n, MaxServers)
	}
	first := map[string]string{}
	for i, s := range pool.Servers {
		k := index("pool.servers", i)
		if err := checkFQDN(s.FQDN, true); err != "" {
			p.key(k+".fqdn", "%s", err)
		} else if prev, dup := first[strings.ToLower(s.FQDN)]; dup {
			p.key(k+".fqdn", "duplicate server %s (first at line %d)", s.FQDN, p.lineOf(prev))
		} else {
			first[strings.ToLower(s.FQDN)] = k + ".fqdn"
		}
		if !dcs[s.DataCenter] {
			p.key(k+".dataCenter", "data center %q is not declared in dataCenters", s.DataCenter)
		}
	}
	t.validateActive(p, "pool.activeServers", pool.ActiveServers, first, true)
	t.validateActive(p, "pool.failoverActiveServers", pool.FailoverActiveServers, first, false)
}

func (t *Topology) validateActive(p *problems, key string, list []string, pool map[string]string, required bool) {
	if required && len(list) == 0 {
		p.key(key, "at least one active server is needed after failback")
	}
	if len(list) > MaxActiveServers {
		p.key(key, "%d active servers; a Persistent Chat pool has at most %d", len(list), MaxActiveServers)
	}
	seen := map[string]bool{}
	for i, a := range list {
		k := index(key, i)
		l := strings.ToLower(a)
		switch {
		case pool[l] == "":
			p.key(k, "%s is not a server of the pool", a)
		case seen[l]:
			p.key(k, "%s is listed twice", a)
		}
		seen[l] = true
	}
}

func (t *Topology) validateLinks(p *problems, dcs map[string]bool) {
	pairs := map[[2]string]bool{}
	for i, l := range t.Links {
		k := index("links", i)
		ok := true
		for j, dc := range l.Between {
			if !dcs[dc] {
				p.key(index(k+".between", j), "data center %q is not declared in dataCenters", dc)
				ok = false
			}
		}
		if ok && l.Between[0] == l.Between[1] {
			p.key(k+".between", "a link joins two different data centers, got %s twice", l.Between[0])
		}
		pair := l.Between
		if pair[0] > pair[1] {
			pair[0], pair[1] = pair[1], pair[0]
		}
		if ok && pairs[pair] {
			p.key(k+".between", "a second link between %s and %s", pair[0], pair[1])
		}
		pairs[pair] = true
		if l.RTTMs < 0 {
			p.key(k+".rttMs", "must not be negative")
		}
		if l.BandwidthMbps <= 0 {
			p.key(k+".bandwidthMbps", "must be greater than 0")
		}
	}
}

func (t *Topology) validateInstances(p *problems, dcs map[string]bool) map[string]Role {
	names := map[string]Role{}
	roles := map[Role]string{}
	for i, in := range t.Instances {
		k := index("instances", i)
		switch {
		case in.Name == "":
			p.key(k+".name", "must not be empty")
		case hasName(names, in.Name):
			p.key(k+".name", "duplicate instance name %s", in.Name)
		}
		names[in.Name] = in.Role
		switch {
		case in.Role == "":
			p.key(k+".role", "the instance has no role (want one of %s)", roleList())
		case !in.Role.Valid():
			p.key(k+".role", "unknown role %q (want one of %s)", in.Role, roleList())
		case roles[in.Role] != "":
			p.key(k+".role", "duplicate role %s (already instance %s)", in.Role, roles[in.Role])
		default:
			roles[in.Role] = in.Name
		}
		if in.Role.IsCompliance() && !t.Compliance {
			p.key(k+".role", "a %s instance, but compliance is not enabled (compliance: true)", in.Role)
		}
		if !dcs[in.DataCenter] {
			p.key(k+".dataCenter", "data center %q is not declared in dataCenters", in.DataCenter)
		}
		if err := checkFQDN(in.Host, false); err != "" {
			p.key(k+".host", "%s", err)
		}
		if _, _, _, err := ParseAddress(in.Address); err != nil {
			p.key(k+".address", "%v", err)
		}
		if strings.TrimSpace(in.User) == "" {
			p.key(k+".user", "must not be empty")
		}
		if !in.IsUserSysadmin() && strings.EqualFold(strings.TrimSpace(in.User), "sa") {
			p.key(k+".userSysadmin", "sa is always a member of sysadmin; name another user to have a login that is not")
		}
		switch in.Encrypt {
		case "", "disable", "false", "true", "strict":
		default:
			p.key(k+".encrypt", "unknown value %q (want disable, false, true or strict)", in.Encrypt)
		}
		switch {
		case in.CAFile != "" && in.Encrypt == "disable":
			p.key(k+".caFile", "only meaningful when encrypt is not disable")
		case in.CAFile != "" && in.TrustServerCertificate:
			p.key(k+".caFile", "trustServerCertificate skips the check caFile is for; set one of them")
		}
		checkSecret(p, k, in.Password)
	}
	for _, r := range []Role{RolePrimary, RoleBackup} {
		if roles[r] == "" {
			p.key("instances", "no instance has role %s; the failback needs one", r)
		}
	}
	if roles[RoleCompliancePrimary] != "" || roles[RoleComplianceBackup] != "" {
		for _, r := range []Role{RoleCompliancePrimary, RoleComplianceBackup} {
			if roles[r] == "" {
				p.key("instances", "compliance instances are given but none has role %s", r)
			}
		}
	}
	for _, mp := range [][2]Role{{RolePrimaryMirror, RolePrimary}, {RoleBackupMirror, RoleBackup},
		{RoleCompliancePrimaryMirror, RoleCompliancePrimary}, {RoleComplianceBackupMirror, RoleComplianceBackup}} {
		if roles[mp[0]] != "" && roles[mp[1]] == "" && mp[0].IsCompliance() {
			p.key("instances", "a %s instance without a %s instance", mp[0], mp[1])
		}
	}
	return names
}

func hasName(names map[string]Role, n string) bool { _, ok := names[n]; return ok }

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkSecret wants exactly one of passwordEnv and passwordFile. Values are
// never quoted: a secret pasted into passwordEnv by mistake must not end up
// in a log.
func checkSecret(p *problems, key string, s SecretRef) {
	switch {
	case s.Env != "" && s.File != "":
		p.key(key+".passwordFile", "both passwordEnv and passwordFile are set; give one")
	case s.Env == "" && s.File == "":
		p.key(key, "missing passwordEnv or passwordFile (secrets never sit in the file)")
	case s.Env != "" && !envName.MatchString(s.Env):
		p.key(key+".passwordEnv", "not an environment variable name (letters, digits and _; the value is not shown)")
	}
}

func (t *Topology) validateShare(p *problems, names map[string]Role) {
	s := &t.Share
	if !strings.HasPrefix(s.UNC, `\\`) || len(strings.Split(strings.TrimPrefix(s.UNC, `\\`), `\`)) < 2 ||
		strings.Contains(strings.TrimPrefix(s.UNC, `\\`), `\\`) {
		p.key("share.unc", `want a UNC path \\server\share, got %q`, s.UNC)
	}
	if s.MinFreeBytes < 0 {
		p.key("share.minFreeBytes", "must not be negative")
	}
	if s.DataCenter != "" {
		found := false
		for _, dc := range t.DataCenters {
			found = found || dc.Name == s.DataCenter
		}
		if !found {
			p.key("share.dataCenter", "no data center is named %s", s.DataCenter)
		}
	}
	for name, path := range s.HostPaths {
		k := join("share.hostPaths", name)
		if !hasName(names, name) {
			p.key(k, "no instance is named %s", name)
		}
		if strings.TrimSpace(path) == "" {
			p.key(k, "must not be empty")
		}
	}
	for _, r := range []Role{RolePrimary, RoleBackup} {
		if in, ok := t.InstanceByRole(r); ok {
			if _, given := s.HostPaths[in.Name]; !given {
				p.key("share.hostPaths", "no entry for the %s instance %s", r, in.Name)
			}
		}
	}
}

func (t *Topology) validateLogShipping(p *problems) {
	l := &t.LogShipping
	for key, v := range map[string]string{"copyDirectory": l.CopyDirectory, "backupJob": l.BackupJob, "copyJob": l.CopyJob, "restoreJob": l.RestoreJob} {
		switch {
		case strings.TrimSpace(v) == "":
			p.key("logShipping."+key, "must not be empty")
		case key != "copyDirectory" && len([]rune(v)) > 128:
			p.key("logShipping."+key, "a job name is at most 128 characters (sysname)")
		}
	}
	for key, v := range map[string]int{"scheduleMinutes": l.ScheduleMinutes, "retentionMinutes": l.RetentionMinutes,
		"backupThresholdMinutes": l.BackupThresholdMinutes, "restoreThresholdMinutes": l.RestoreThresholdMinutes} {
		if v <= 0 {
			p.key("logShipping."+key, "must be greater than 0, got %d", v)
		}
	}
	if l.RestoreMode != RestoreNoRecovery && l.RestoreMode != RestoreStandby {
		p.key("logShipping.restoreMode", "unknown restore mode %q (want norecovery or standby)", l.RestoreMode)
	}
}

func (t *Topology) validateManagement(p *problems) {
	m := &t.Management
	u, err := url.Parse(m.URL)
	switch {
	case err != nil:
		p.key("management.url", "not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		p.key("management.url", "want an http:// or https:// WinRM URL, got %q", m.URL)
	case u.Host == "":
		p.key("management.url", "no host in %q", m.URL)
	case u.User != nil:
		p.key("management.url", "credentials in the URL are not allowed; use user and passwordEnv/passwordFile")
	case m.CAFile != "" && u.Scheme != "https":
		p.key("management.caFile", "only meaningful with an https URL")
	}
	if strings.TrimSpace(m.User) == "" {
		p.key("management.user", "must not be empty")
	}
	switch strings.ToLower(m.Auth) {
	case "", "ntlm", "basic":
	default:
		p.key("management.auth", "want ntlm or basic, got %q", m.Auth)
	}
	checkSecret(p, "management", m.Password)
}

func (t *Topology) validateObjectives(p *problems) {
	o := &t.Objectives
	if o.RTO <= 0 {
		p.key("objectives.rto", "must be greater than 0")
	}
	if o.Outage <= 0 {
		p.key("objectives.outage", "must be greater than 0")
	} else if o.RTO > 0 && o.Outage > o.RTO {
		p.key("objectives.outage", "the chat outage (%v) cannot exceed the whole failback's rto (%v)", o.Outage, o.RTO)
	}
}

var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// checkFQDN returns a problem description or "". dotted requires at least
// two labels (a pool or server FQDN).
func checkFQDN(s string, dotted bool) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 253 {
		return "longer than 253 characters"
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	if dotted && len(labels) < 2 {
		return fmt.Sprintf("want a fully qualified name (host.domain), got %q", s)
	}
	for _, l := range labels {
		if !hostLabel.MatchString(l) {
			return fmt.Sprintf("%q is not a valid host name", s)
		}
	}
	return ""
}

var sqlInstanceName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,15}$`)

// ParseAddress splits an instance address: "host:port", "host\INSTANCE" or
// "host\INSTANCE:port". port is -1 when not given (SQL Browser resolves a
// named instance); 0 means any free port (embedded world).
func ParseAddress(addr string) (host, instance string, port int, err error) {
	if addr == "" {
		return "", "", 0, fmt.Errorf("must not be empty")
	}
	rest := addr
	port = -1
	if i := strings.IndexByte(addr, '\\'); i >= 0 {
		host, rest = addr[:i], addr[i+1:]
		instance = rest
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			instance = rest[:j]
			if port, err = parsePort(rest[j+1:]); err != nil {
				return "", "", 0, fmt.Errorf("address %q: %w", addr, err)
			}
		}
		if !sqlInstanceName.MatchString(instance) {
			return "", "", 0, fmt.Errorf("address %q: %q is not a SQL Server instance name (letter or _, then up to 15 letters, digits, _ or $)", addr, instance)
		}
	} else {
		h, p, serr := net.SplitHostPort(addr)
		if serr != nil {
			return "", "", 0, fmt.Errorf("address %q: want host:port, host\\INSTANCE or host\\INSTANCE:port", addr)
		}
		host = h
		if port, err = parsePort(p); err != nil {
			return "", "", 0, fmt.Errorf("address %q: %w", addr, err)
		}
	}
	if net.ParseIP(host) == nil {
		if msg := checkFQDN(host, false); msg != "" {
			return "", "", 0, fmt.Errorf("address %q: host %s", addr, msg)
		}
	}
	return host, instance, port, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 0 to 65535", s)
	}
	return n, nil
}
