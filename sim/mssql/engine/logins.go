package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
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

// installLogins adds CREATE LOGIN.
func installLogins(r *Registry) {
	r.Statement(&tsql.CreateLoginStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execCreateLogin(st.(*tsql.CreateLoginStmt))
	})
}

var errLoginExists = errors.New("login exists")

// execCreateLogin records a login. The password is kept only as a salted
// SHA-256 hash (SQL Server stores a salted hash too).
func (sc *scope) execCreateLogin(x *tsql.CreateLoginStmt) error {
	inst := sc.s.inst
	name := x.Name.Name
	if x.FromWindows && !strings.Contains(name, `\`) {
		return newErr(sqlerr.InvalidWindowsName, name)
	}
	if inst.loginExists(name) {
		return newErr(sqlerr.PrincipalExists, name)
	}
	l := Login{Name: name, Windows: x.FromWindows, Created: wallClock(inst.now())}
	if x.Password != nil {
		v, _, err := sc.evalScalar(x.Password)
		if err != nil {
			return err
		}
		var pw []byte
		switch p := v.(type) {
		case string:
			pw = []byte(p)
		case []byte:
			pw = p
		}
		l.Salt = make([]byte, 16)
		_, _ = rand.Read(l.Salt)
		sum := sha256.Sum256(append(append([]byte(nil), l.Salt...), pw...))
		l.Hash = sum[:]
	}
	for _, o := range x.Options {
		if o.Name == "DEFAULT_DATABASE" && o.Value != nil {
			l.DefaultD = exprText(o.Value)
		}
	}
	err := inst.updateSecurity(sc.ctx, func(s *serverSecurity) error {
		for _, o := range s.Logins {
			if strings.EqualFold(o.Name, name) {
				return errLoginExists
			}
		}
		l.ID = 300 + len(s.Logins)
		s.Logins = append(s.Logins, l)
		return nil
	})
	if errors.Is(err, errLoginExists) {
		return newErr(sqlerr.PrincipalExists, name)
	}
	if err != nil {
		return err
	}
	return sc.ok()
}

// ok ends a statement that returns no rows.
func (sc *scope) ok() error {
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}
