package engine

import (
	"context"
	"strings"
	"time"
)

// Login is a server principal added with CREATE LOGIN. Only a salted hash
// of a SQL login's password is kept, never the password.
type Login struct {
	Name     string    `json:"name"`
	Windows  bool      `json:"windows,omitempty"`
	Salt     []byte    `json:"salt,omitempty"`
	Hash     []byte    `json:"hash,omitempty"`
	DefaultD string    `json:"default_database,omitempty"`
	Created  time.Time `json:"created"`
	ID       int       `json:"id"`
}

// serverSecurity is the server-level security state CREATE LOGIN keeps:
// logins are server-level, so they live in master's metadata (DBMeta.Ext of
// database 1) and survive restarts like the database catalogue. Endpoints
// and their grants are the endpoints feature's (sim/mssql/mirroring), under
// a key of their own.
type serverSecurity struct {
	Logins []Login `json:"logins,omitempty"`
}

const securityExtKey = "server_security"

func (inst *Instance) security() serverSecurity {
	s, _ := MasterExt[serverSecurity](inst, securityExtKey) // written only by updateSecurity
	return s
}

// updateSecurity changes the server-level security state durably.
func (inst *Instance) updateSecurity(ctx context.Context, change func(s *serverSecurity) error) error {
	return UpdateMasterExt(ctx, inst, securityExtKey, change)
}

// loginExists says name is a server login: sa, a configured login, or one
// CREATE LOGIN added.
func (inst *Instance) loginExists(name string) bool {
	if strings.EqualFold(name, "sa") || strings.EqualFold(name, "public") {
		return true
	}
	for n := range inst.cfg.Logins {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	if inst.windowsLoginExists(name) {
		return true
	}
	for _, l := range inst.security().Logins {
		if strings.EqualFold(l.Name, name) {
			return true
		}
	}
	return false
}

// ok ends a statement that returns no rows.
func (sc *scope) ok() error {
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}
