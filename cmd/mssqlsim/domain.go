package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pchatdr/harness/sim/ntlm"
)

// domainFlags join the simulator to a Windows domain: the accounts that
// may log in with Windows authentication (NTLM inside TDS LOGIN7) and the
// Windows logins the instance has.
type domainFlags struct {
	name, dns, accounts string
	logins              multiFlag
	// sysadmins are members of sysadmin from the start, as setup's
	// /SQLSYSADMINACCOUNTS makes them (sa always is).
	sysadmins multiFlag
}

func addDomainFlags(fs *flag.FlagSet) *domainFlags {
	d := &domainFlags{}
	fs.StringVar(&d.name, "domain", "", "NetBIOS name of the Windows domain the instance is joined to (CONTOSO)")
	fs.StringVar(&d.dns, "domain-dns", "", "DNS name of the domain (contoso.com); default lower(domain).test")
	fs.StringVar(&d.accounts, "domain-accounts-file", "", `file of the domain's accounts, one "DOMAIN\user:password" a line (passwords never in flags)`)
	fs.Var(&d.logins, "windows-login", `a Windows login of the instance, DOMAIN\user (repeatable)`)
	fs.Var(&d.sysadmins, "sysadmin", `a login that is a member of sysadmin from the start, as setup's /SQLSYSADMINACCOUNTS (repeatable; sa always is)`)
	return d
}

// server makes the instance's NTLM acceptor; nil without --domain.
func (d *domainFlags) server(computer string) (*ntlm.Server, error) {
	if d.name == "" {
		if d.accounts != "" || len(d.logins) > 0 {
			return nil, errors.New("--domain-accounts-file and --windows-login need --domain")
		}
		return nil, nil
	}
	if d.accounts == "" {
		return nil, errors.New("--domain needs --domain-accounts-file")
	}
	raw, err := os.ReadFile(d.accounts)
	if err != nil {
		return nil, fmt.Errorf("domain accounts: %w", err)
	}
	accounts := ntlm.NewMemoryAccounts()
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		// An account name cannot hold ':', so the first one ends it.
		name, pw, ok := strings.Cut(text, ":")
		dom, user, err := ntlm.SplitAccountName(name)
		if !ok || err != nil || pw == "" {
			return nil, fmt.Errorf(`domain accounts %s line %d: want "DOMAIN\user:password"`, d.accounts, line)
		}
		accounts.Add(ntlm.NewAccount(dom, user, pw))
	}
	dns := d.dns
	if dns == "" {
		dns = strings.ToLower(d.name) + ".test"
	}
	if len(computer) > 15 {
		computer = computer[:15]
	}
	return ntlm.NewServer(ntlm.Config{ComputerName: strings.ToUpper(computer), Domain: d.name, DNSDomain: dns, Accounts: accounts})
}
