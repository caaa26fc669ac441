package security

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// installLogins adds CREATE LOGIN.
func installLogins(r *engine.Registry) {
	r.Statement(&tsql.CreateLoginStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		return createLogin(sc, st.(*tsql.CreateLoginStmt))
	})
}

// createLogin records a login. The password is kept only as a salted
// SHA-256 hash (SQL Server stores a salted hash too).
func createLogin(sc *engine.Scope, x *tsql.CreateLoginStmt) error {
	inst := sc.Instance()
	name := x.Name.Name
	if x.FromWindows && !strings.Contains(name, `\`) {
		return newErr(sqlerr.InvalidWindowsName, name)
	}
	if inst.LoginExists(name) {
		return newErr(sqlerr.PrincipalExists, name)
	}
	l := principals.Login{Name: name, Windows: x.FromWindows, Created: engine.WallClock(inst.Now())}
	if x.Password != nil {
		v, err := sc.EvalScalar(x.Password)
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
			l.DefaultD = engine.ExprText(o.Value)
		}
	}
	err := inst.AddLogin(sc.Context(), l)
	if errors.Is(err, principals.ErrLoginExists) {
		return newErr(sqlerr.PrincipalExists, name)
	}
	if err != nil {
		return err
	}
	return sc.OK()
}
