package ntlm

import (
	"fmt"
	"strings"
	"sync"
)

// Account is one user the server can authenticate: a domain account or a
// local account of the server (Domain is then the server's NetBIOS name).
type Account struct {
	Domain string   // NetBIOS name of the account's domain, as the directory spells it (CONTOSO)
	User   string   // account name (sAMAccountName), as the directory spells it (sqlsvc)
	NTHash [16]byte // NTOWFv1 of the password (NTHash); the server never needs the password itself
}

// NewAccount makes an account from its password.
func NewAccount(domain, user, password string) Account {
	return Account{Domain: domain, User: user, NTHash: NTHash(password)}
}

// String is the account's canonical Windows name, DOMAIN\user: what SQL
// Server's SUSER_SNAME() and WinRM's session user show.
func (a Account) String() string { return a.Domain + `\` + a.User }

// Accounts is the account store at the boundary: the simulated domain
// controller (and the server's local SAM) that the server asks who a user
// is. Lookup gets the canonical NetBIOS domain name the server resolved
// (never a DNS name or UPN suffix) and the user name as the client sent it;
// it must compare both case-insensitively, as Windows does.
type Accounts interface {
	Lookup(domain, user string) (Account, bool)
}

// MemoryAccounts is the in-memory Accounts. It is safe for concurrent use,
// so a world can add logins while servers authenticate.
type MemoryAccounts struct {
	mu sync.RWMutex
	m  map[string]Account
}

var _ Accounts = (*MemoryAccounts)(nil)

// NewMemoryAccounts returns a store holding the given accounts.
func NewMemoryAccounts(accounts ...Account) *MemoryAccounts {
	s := &MemoryAccounts{m: make(map[string]Account, len(accounts))}
	for _, a := range accounts {
		s.Add(a)
	}
	return s
}

func accountKey(domain, user string) string { return upper(domain) + `\` + upper(user) }

// Add adds or replaces an account (a password change replaces it).
func (s *MemoryAccounts) Add(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[accountKey(a.Domain, a.User)] = a
}

// Remove deletes an account; later logons as it fail as an unknown user.
func (s *MemoryAccounts) Remove(domain, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, accountKey(domain, user))
}

// Lookup finds an account case-insensitively.
func (s *MemoryAccounts) Lookup(domain, user string) (Account, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.m[accountKey(domain, user)]
	return a, ok
}

// SplitAccountName splits "DOMAIN\user" (the form topology files and SQL
// Server logins use) into its parts. A name without a backslash or with an
// empty part is an error: a Windows login always names its domain.
func SplitAccountName(name string) (domain, user string, err error) {
	domain, user, ok := strings.Cut(name, `\`)
	if !ok || domain == "" || user == "" || strings.Contains(user, `\`) {
		return "", "", fmt.Errorf(`ntlm: account name %q is not DOMAIN\user`, name)
	}
	return domain, user, nil
}
