package world

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/ntlm"
)

// worldAppName is the program name of the world's own connections.
const worldAppName = "pchat-world"

// domain is the Active Directory domain the world's SQL Servers are joined
// to: the Windows accounts a topology names as instance users (DOMAIN\user,
// as topologies/example-production.yaml does) exist in it with passwords
// the world makes, and every instance has a Windows login for each, so the
// engine connects with Windows authentication (NTLM inside TDS LOGIN7) as
// it does in production.
type domain struct {
	name     string // NetBIOS name (CONTOSO)
	dnsName  string // contoso.test
	accounts *ntlm.MemoryAccounts
	// passwords of the accounts, by canonical DOMAIN\user
	passwords map[string]string
	logins    []string // every account as a Windows login, sorted
}

// isWindowsUser says a topology user is a Windows account (DOMAIN\user);
// go-mssqldb then uses integrated authentication.
func isWindowsUser(user string) bool { return strings.Contains(user, `\`) }

// newDomain makes the domain of the topology's Windows instance users, or
// returns nil when every instance user is a SQL login. All of them must
// be in one domain, as the instances of one pool are.
func newDomain(topo *topology.Topology, dnsDomain string) (*domain, error) {
	d := &domain{accounts: ntlm.NewMemoryAccounts(), passwords: map[string]string{}, dnsName: dnsDomain}
	for _, in := range topo.Instances {
		if !isWindowsUser(in.User) {
			continue
		}
		dom, user, err := ntlm.SplitAccountName(in.User)
		if err != nil || dom == "" || user == "" {
			return nil, fmt.Errorf("world: instance %s: user %q: want DOMAIN\\user", in.Name, in.User)
		}
		switch {
		case d.name == "":
			d.name = strings.ToUpper(dom)
		case !strings.EqualFold(d.name, dom):
			return nil, fmt.Errorf("world: instance %s: user %q is in domain %s, another instance's in %s; the world has one domain", in.Name, in.User, dom, d.name)
		}
		key := d.name + `\` + strings.ToLower(user)
		if _, ok := d.passwords[key]; ok {
			continue
		}
		pw, err := newPassword()
		if err != nil {
			return nil, err
		}
		d.passwords[key] = pw
		d.accounts.Add(ntlm.NewAccount(d.name, user, pw))
		d.logins = append(d.logins, d.name+`\`+user)
	}
	if d.name == "" {
		return nil, nil
	}
	if d.dnsName == "" {
		d.dnsName = strings.ToLower(d.name) + ".test"
	}
	sort.Strings(d.logins)
	return d, nil
}

// password is the password of a Windows instance user.
func (d *domain) password(user string) string {
	dom, u, _ := ntlm.SplitAccountName(user)
	return d.passwords[strings.ToUpper(dom)+`\`+strings.ToLower(u)]
}

// server is the NTLM acceptor of one instance's host in the domain.
func (d *domain) server(computer string) (*ntlm.Server, error) {
	if len(computer) > 15 {
		computer = computer[:15] // a NetBIOS name has at most 15 characters
	}
	s, err := ntlm.NewServer(ntlm.Config{ComputerName: computer, Domain: d.name, DNSDomain: d.dnsName, Accounts: d.accounts})
	if err != nil {
		return nil, fmt.Errorf("world: domain %s: %w", d.name, err)
	}
	return s, nil
}

// loginAudit puts the logins of clients other than the world's own
// helpers and the chat servers (the engine's, an operator's) on the
// timeline under the instance, so a scenario can check how the engine
// reached each SQL Server: which account, NTLM or SQL authentication,
// encrypted or not.
func (w *World) loginAudit(inst *Instance) func(mssql.LoginEvent) {
	return func(ev mssql.LoginEvent) {
		if ev.AppName == worldAppName || ev.AppName == chat.ProgramName {
			return
		}
		w.Timeline.Add(inst.Name, "login", fmt.Sprintf("%s by %s, %s authentication, encryption %s", ev.User, ev.AppName, ev.AuthScheme, ev.Encryption), ev.Err)
	}
}

// EngineLoginsWere checks the login audit of instance name: every login
// of the failback engine (program name pchat-failback) succeeded and reads
// want. It returns how many there were.
func (w *World) EngineLoginsWere(name, want string) (int, error) {
	n := 0
	for _, e := range w.Timeline.Events() {
		if e.Component != name || e.Kind != "login" || !strings.Contains(e.Detail, " by pchat-failback,") {
			continue
		}
		n++
		if e.Detail != want || e.Err != "" {
			return n, fmt.Errorf("world: instance %s: the engine logged in as %q (error %q), want %q", name, e.Detail, e.Err, want)
		}
	}
	return n, nil
}

// ForgetSQLPasswords rewrites the password file of every instance's
// engine login with a wrong password, as an operator's stale secret would
// be: the next login fails the way the server refuses it.
func (w *World) ForgetSQLPasswords() error {
	stale, err := newPassword() // shaped as the world's secrets, so the secret scan knows it
	if err != nil {
		return err
	}
	for _, in := range w.Topology.Instances {
		if in.Password.File == "" {
			continue
		}
		if err := os.WriteFile(in.Password.File, []byte(stale+"\n"), 0o600); err != nil {
			return fmt.Errorf("world: %w", err)
		}
	}
	return nil
}

// containerDomain is the domain as a simulator container takes it; nil
// when the topology has no Windows instance users.
func (d *domain) containerDomain() *containers.SQLDomain {
	if d == nil {
		return nil
	}
	var accounts strings.Builder
	for _, l := range d.logins {
		accounts.WriteString(l + ":" + d.password(l) + "\n")
	}
	return &containers.SQLDomain{Name: d.name, DNS: d.dnsName, Accounts: []byte(accounts.String()), Logins: d.logins}
}
