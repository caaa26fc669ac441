package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
)

func installEndpointStmts(r *Registry) {
	r.Statement(&tsql.CreateEndpointStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execCreateEndpoint(st.(*tsql.CreateEndpointStmt))
	})
	r.Statement(&tsql.AlterEndpointStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execAlterEndpoint(st.(*tsql.AlterEndpointStmt))
	})
	r.Statement(&tsql.DropEndpointStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execDropEndpoint(st.(*tsql.DropEndpointStmt))
	})
	r.Statement(&tsql.GrantStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execGrant(st.(*tsql.GrantStmt))
	})
	r.Statement(&tsql.CreateLoginStmt{}, func(sc *scope, st tsql.Stmt) error {
		return sc.execCreateLogin(st.(*tsql.CreateLoginStmt))
	})
}

// specSyntax is the syntax error for an endpoint clause that is missing or
// out of range.
func specSyntax(near string) error { return newErr(102, near) }

// applySpec merges the clauses of CREATE/ALTER ENDPOINT into e.
func (sc *scope) applySpec(e *Endpoint, spec *tsql.EndpointSpec) error {
	if spec.Authorization != nil {
		if !sc.s.inst.loginExists(spec.Authorization.Name) {
			return newErr(15151, "find", "login", spec.Authorization.Name)
		}
		e.Owner = spec.Authorization.Name
	}
	if spec.State != "" {
		e.State = spec.State
	}
	for _, o := range spec.ProtocolOpts {
		switch o.Name {
		case "LISTENER_PORT":
			n, err := constInt(sc, o.Value, 0)
			if err != nil {
				return err
			}
			if n < 1 || n > 65535 {
				return specSyntax(exprText(o.Value))
			}
			e.Port = int(n)
		case "LISTENER_IP":
			e.IP = o.Word
			if e.IP == "" {
				return specSyntax("LISTENER_IP")
			}
		}
	}
	for _, o := range spec.PayloadOptions {
		switch o.Name {
		case "ROLE":
			switch o.Word {
			case "PARTNER", "WITNESS", "ALL":
				e.Role = o.Word
			default:
				return specSyntax(o.Word)
			}
		case "AUTHENTICATION":
			e.Auth = o.Word
		case "ENCRYPTION":
			e.Encryption = o.Word
		}
	}
	return nil
}

func (sc *scope) execCreateEndpoint(x *tsql.CreateEndpointStmt) error {
	if sc.s.tranCount > 0 {
		return newErr(226, "CREATE ENDPOINT")
	}
	inst := sc.s.inst
	e := Endpoint{Name: x.Name.Name, Owner: sc.s.login, State: "STOPPED", IP: "ALL",
		Auth: "WINDOWS NEGOTIATE", Encryption: "REQUIRED ALGORITHM AES", Created: wallClock(inst.now())}
	if err := sc.applySpec(&e, &x.EndpointSpec); err != nil {
		return err
	}
	if e.Port == 0 {
		return specSyntax(")")
	}
	if e.Role == "" {
		return specSyntax(")")
	}
	if _, ok := inst.mirroringEndpoint(); ok {
		return newErr(7862)
	}
	if _, ok := inst.endpointByName(e.Name); ok {
		return newErr(7862)
	}
	h := hostOf(inst)
	if e.State == "STARTED" {
		// Bind first: a port in use fails the statement and creates nothing.
		if err := h.startListener(e); err != nil {
			return err
		}
	}
	err := inst.updateSecurity(sc.ctx, func(s *serverSecurity) error {
		if s.NextID < firstEndpointID {
			s.NextID = firstEndpointID
		}
		e.ID = s.NextID
		s.NextID++
		s.Endpoints = append(s.Endpoints, e)
		return nil
	})
	if err != nil {
		h.stopListener()
		return err
	}
	h.changed()
	return sc.ok()
}

func (sc *scope) execAlterEndpoint(x *tsql.AlterEndpointStmt) error {
	if sc.s.tranCount > 0 {
		return newErr(226, "ALTER ENDPOINT")
	}
	inst := sc.s.inst
	old, ok := inst.endpointByName(x.Name.Name)
	if !ok {
		return newErr(15151, "alter", "endpoint", x.Name.Name)
	}
	e := old
	if err := sc.applySpec(&e, &x.EndpointSpec); err != nil {
		return err
	}
	h := hostOf(inst)
	restart := e.Port != old.Port || e.State != old.State
	if restart {
		h.stopListener()
		if e.State == "STARTED" {
			if err := h.startListener(e); err != nil {
				if old.State == "STARTED" {
					_ = h.startListener(old)
				}
				return err
			}
		}
	}
	err := inst.updateSecurity(sc.ctx, func(s *serverSecurity) error {
		for i := range s.Endpoints {
			if strings.EqualFold(s.Endpoints[i].Name, old.Name) {
				s.Endpoints[i] = e
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if restart {
		h.endpointChanged()
	}
	return sc.ok()
}

func (sc *scope) execDropEndpoint(x *tsql.DropEndpointStmt) error {
	if sc.s.tranCount > 0 {
		return newErr(226, "DROP ENDPOINT")
	}
	inst := sc.s.inst
	e, ok := inst.endpointByName(x.Name.Name)
	if !ok {
		return newErr(15151, "drop", "endpoint", x.Name.Name)
	}
	err := inst.updateSecurity(sc.ctx, func(s *serverSecurity) error {
		out := s.Endpoints[:0]
		for _, o := range s.Endpoints {
			if !strings.EqualFold(o.Name, e.Name) {
				out = append(out, o)
			}
		}
		s.Endpoints = out
		grants := s.Grants[:0]
		for _, g := range s.Grants {
			if !strings.EqualFold(g.Endpoint, e.Name) {
				grants = append(grants, g)
			}
		}
		s.Grants = grants
		return nil
	})
	if err != nil {
		return err
	}
	h := hostOf(inst)
	h.stopListener()
	h.endpointChanged()
	return sc.ok()
}

// execGrant records GRANT ... ON ENDPOINT::name TO login. Other securables
// are not modelled.
func (sc *scope) execGrant(x *tsql.GrantStmt) error {
	if x.Class != "ENDPOINT" || x.On == nil || len(x.On.Parts) != 1 {
		return newErr(40000, "GRANT is supported by the simulator only as GRANT ... ON ENDPOINT::name TO login.")
	}
	inst := sc.s.inst
	name := x.On.Parts[0].Name
	if _, ok := inst.endpointByName(name); !ok {
		return newErr(15151, "find", "endpoint", name)
	}
	for _, p := range x.Permissions {
		switch p {
		case "CONNECT", "ALTER", "CONTROL", "TAKE OWNERSHIP", "VIEW DEFINITION":
		default:
			return newErr(102, p)
		}
	}
	for _, to := range x.To {
		if !inst.loginExists(to.Name) {
			return newErr(15151, "find", "login", to.Name)
		}
	}
	err := inst.updateSecurity(sc.ctx, func(s *serverSecurity) error {
		for _, to := range x.To {
			for _, p := range x.Permissions {
				dup := false
				for _, g := range s.Grants {
					dup = dup || (strings.EqualFold(g.Endpoint, name) && g.Permission == p && strings.EqualFold(g.Grantee, to.Name))
				}
				if !dup {
					s.Grants = append(s.Grants, EndpointGrant{Endpoint: name, Permission: p, Grantee: to.Name})
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return sc.ok()
}

var errLoginExists = errors.New("login exists")

// execCreateLogin records a login. The password is kept only as a salted
// SHA-256 hash (SQL Server stores a salted hash too).
func (sc *scope) execCreateLogin(x *tsql.CreateLoginStmt) error {
	inst := sc.s.inst
	name := x.Name.Name
	if x.FromWindows && !strings.Contains(name, `\`) {
		return newErr(15407, name)
	}
	if inst.loginExists(name) {
		return newErr(15025, name)
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
		return newErr(15025, name)
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
