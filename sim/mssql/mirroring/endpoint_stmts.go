package mirroring

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

func installEndpointStmts(r *engine.Registry) {
	r.Statement(&tsql.CreateEndpointStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		return execCreateEndpoint(sc, st.(*tsql.CreateEndpointStmt))
	})
	r.Statement(&tsql.AlterEndpointStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		return execAlterEndpoint(sc, st.(*tsql.AlterEndpointStmt))
	})
	r.Statement(&tsql.DropEndpointStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		return execDropEndpoint(sc, st.(*tsql.DropEndpointStmt))
	})
	r.Statement(&tsql.GrantStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		return execGrant(sc, st.(*tsql.GrantStmt))
	})
}

// specSyntax is the syntax error for an endpoint clause that is missing or
// out of range.
func specSyntax(near string) error { return newErr(sqlerr.SyntaxError, near) }

// applySpec merges the clauses of CREATE/ALTER ENDPOINT into e.
func applySpec(sc *engine.Scope, e *Endpoint, spec *tsql.EndpointSpec) error {
	if spec.Authorization != nil {
		if !sc.Instance().LoginExists(spec.Authorization.Name) {
			return newErr(sqlerr.CannotAlterNotFound, "find", "login", spec.Authorization.Name)
		}
		e.Owner = spec.Authorization.Name
	}
	if spec.State != "" {
		e.State = spec.State
	}
	for _, o := range spec.ProtocolOpts {
		switch o.Name {
		case "LISTENER_PORT":
			n, err := sc.ConstInt(o.Value, 0)
			if err != nil {
				return err
			}
			if n < 1 || n > 65535 {
				return specSyntax(engine.ExprText(o.Value))
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

func execCreateEndpoint(sc *engine.Scope, x *tsql.CreateEndpointStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "CREATE ENDPOINT")
	}
	inst := sc.Instance()
	e := Endpoint{Name: x.Name.Name, Owner: sc.Session().LoginName(), State: "STOPPED", IP: "ALL",
		Auth: "WINDOWS NEGOTIATE", Encryption: "REQUIRED ALGORITHM AES", Created: engine.WallClock(inst.Now())}
	if err := applySpec(sc, &e, &x.EndpointSpec); err != nil {
		return err
	}
	if e.Port == 0 {
		return specSyntax(")")
	}
	if e.Role == "" {
		return specSyntax(")")
	}
	if _, ok := mirroringEndpoint(inst); ok {
		return newErr(sqlerr.EndpointExists)
	}
	if _, ok := endpointByName(inst, e.Name); ok {
		return newErr(sqlerr.EndpointExists)
	}
	h := hostOf(inst)
	if e.State == "STARTED" {
		// Bind first: a port in use fails the statement and creates nothing.
		if err := h.startListener(e); err != nil {
			return err
		}
	}
	err := updateSecurity(sc.Context(), inst, func(s *serverSecurity) error {
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
	return sc.OK()
}

func execAlterEndpoint(sc *engine.Scope, x *tsql.AlterEndpointStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "ALTER ENDPOINT")
	}
	inst := sc.Instance()
	old, ok := endpointByName(inst, x.Name.Name)
	if !ok {
		return newErr(sqlerr.CannotAlterNotFound, "alter", "endpoint", x.Name.Name)
	}
	e := old
	if err := applySpec(sc, &e, &x.EndpointSpec); err != nil {
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
	err := updateSecurity(sc.Context(), inst, func(s *serverSecurity) error {
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
	return sc.OK()
}

func execDropEndpoint(sc *engine.Scope, x *tsql.DropEndpointStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "DROP ENDPOINT")
	}
	inst := sc.Instance()
	e, ok := endpointByName(inst, x.Name.Name)
	if !ok {
		return newErr(sqlerr.CannotAlterNotFound, "drop", "endpoint", x.Name.Name)
	}
	err := updateSecurity(sc.Context(), inst, func(s *serverSecurity) error {
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
	return sc.OK()
}

// execGrant records GRANT ... ON ENDPOINT::name TO login. Other securables
// are not modelled.
func execGrant(sc *engine.Scope, x *tsql.GrantStmt) error {
	if x.Class != "ENDPOINT" || x.On == nil || len(x.On.Parts) != 1 {
		return newErr(sqlerr.Message, "GRANT is supported by the simulator only as GRANT ... ON ENDPOINT::name TO login.")
	}
	inst := sc.Instance()
	name := x.On.Parts[0].Name
	if _, ok := endpointByName(inst, name); !ok {
		return newErr(sqlerr.CannotAlterNotFound, "find", "endpoint", name)
	}
	for _, p := range x.Permissions {
		switch p {
		case "CONNECT", "ALTER", "CONTROL", "TAKE OWNERSHIP", "VIEW DEFINITION":
		default:
			return newErr(sqlerr.SyntaxError, p)
		}
	}
	for _, to := range x.To {
		if !inst.LoginExists(to.Name) {
			return newErr(sqlerr.CannotAlterNotFound, "find", "login", to.Name)
		}
	}
	err := updateSecurity(sc.Context(), inst, func(s *serverSecurity) error {
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
	return sc.OK()
}
