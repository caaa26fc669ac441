package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Endpoint is a server endpoint created with CREATE ENDPOINT. Only
// DATABASE_MIRRORING endpoints exist in the simulator (the parser refuses
// other payloads). Endpoints, the logins CREATE LOGIN adds and CONNECT
// grants are server-level, so they live in master's metadata
// (DBMeta.Ext of database 1) and survive restarts like the database
// catalogue.
type Endpoint struct {
	Name       string    `json:"name"`
	ID         int       `json:"id"`
	Owner      string    `json:"owner"`
	State      string    `json:"state"` // STARTED, STOPPED, DISABLED
	Port       int       `json:"port"`
	IP         string    `json:"ip"`   // "ALL" or the LISTENER_IP text
	Role       string    `json:"role"` // PARTNER, WITNESS, ALL
	Auth       string    `json:"auth"` // AUTHENTICATION text, upper-cased
	Encryption string    `json:"encryption"`
	Created    time.Time `json:"created"`
}

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

// EndpointGrant is GRANT perm ON ENDPOINT::name TO grantee.
type EndpointGrant struct {
	Endpoint   string `json:"endpoint"`
	Permission string `json:"permission"`
	Grantee    string `json:"grantee"`
}

// serverSecurity is everything server-level this file keeps in master.
type serverSecurity struct {
	Endpoints []Endpoint      `json:"endpoints,omitempty"`
	Logins    []Login         `json:"logins,omitempty"`
	Grants    []EndpointGrant `json:"grants,omitempty"`
	NextID    int             `json:"next_id,omitempty"`
}

const securityExtKey = "server_security"

// firstEndpointID is where user endpoint ids start (SQL Server numbers its
// built-in endpoints 1-5 and user ones from 65536).
const firstEndpointID = 65536

func (inst *Instance) security() serverSecurity {
	var s serverSecurity
	if b := inst.master.Meta().Ext[securityExtKey]; len(b) > 0 {
		_ = json.Unmarshal(b, &s) // written only by updateSecurity
	}
	return s
}

// updateSecurity changes the server-level security state durably.
func (inst *Instance) updateSecurity(ctx context.Context, change func(s *serverSecurity) error) error {
	inst.master.metaRMW.Lock()
	defer inst.master.metaRMW.Unlock()
	var cerr error
	err := inst.SetMeta(ctx, inst.master, func(m *DBMeta) {
		var s serverSecurity
		if b := m.Ext[securityExtKey]; len(b) > 0 {
			_ = json.Unmarshal(b, &s)
		}
		if cerr = change(&s); cerr != nil {
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			cerr = fmt.Errorf("engine: encode server security: %w", err)
			return
		}
		ext := cloneExt(m)
		ext[securityExtKey] = b
		m.Ext = ext
	})
	if cerr != nil {
		return cerr
	}
	return err
}

// Endpoints lists the instance's endpoints by id.
func (inst *Instance) Endpoints() []Endpoint {
	eps := inst.security().Endpoints
	sort.Slice(eps, func(i, j int) bool { return eps[i].ID < eps[j].ID })
	return eps
}

// mirroringEndpoint is the instance's DATABASE_MIRRORING endpoint (there is
// at most one, 7862).
func (inst *Instance) mirroringEndpoint() (Endpoint, bool) {
	eps := inst.Endpoints()
	if len(eps) == 0 {
		return Endpoint{}, false
	}
	return eps[0], true
}

func (inst *Instance) endpointByName(name string) (Endpoint, bool) {
	for _, e := range inst.Endpoints() {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return Endpoint{}, false
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

// mayConnect says a partner whose service runs as account may use the
// mirroring endpoint: the same account as this instance's service (which
// owns the endpoint), or a login granted CONNECT (directly or via public).
func (inst *Instance) mayConnect(account string, ep Endpoint) bool {
	if strings.EqualFold(account, inst.cfg.ServiceAccount) {
		return true
	}
	known := inst.loginExists(account)
	for _, g := range inst.security().Grants {
		if !strings.EqualFold(g.Endpoint, ep.Name) || (g.Permission != "CONNECT" && g.Permission != "CONTROL") {
			continue
		}
		if strings.EqualFold(g.Grantee, "public") || (known && strings.EqualFold(g.Grantee, account)) {
			return true
		}
	}
	return false
}

// roleCode is sys.database_mirroring_endpoints.role.
func roleCode(role string) int64 {
	switch role {
	case "PARTNER":
		return 1
	case "WITNESS":
		return 2
	case "ALL":
		return 3
	}
	return 0
}

func stateCode(state string) int64 {
	switch state {
	case "STARTED":
		return 0
	case "STOPPED":
		return 1
	}
	return 2
}

// connectionAuth maps AUTHENTICATION text to connection_auth and its desc.
func connectionAuth(auth string) (int64, string) {
	a := strings.Join(strings.Fields(strings.ToUpper(auth)), " ")
	a = strings.TrimPrefix(a, "WINDOWS ")
	switch {
	case a == "" || a == "WINDOWS" || a == "NEGOTIATE":
		return 3, "NEGOTIATE"
	case a == "NTLM":
		return 1, "NTLM"
	case a == "KERBEROS":
		return 2, "KERBEROS"
	case strings.HasPrefix(a, "CERTIFICATE"):
		if strings.Contains(a, "WINDOWS") {
			return 10, "CERTIFICATE, NEGOTIATE"
		}
		return 4, "CERTIFICATE"
	}
	return 3, "NEGOTIATE"
}

// encryption maps ENCRYPTION text to is_encryption_enabled, algorithm and desc.
func encryption(enc string) (bool, int64, string) {
	e := strings.Join(strings.Fields(strings.ToUpper(enc)), " ")
	if e == "DISABLED" {
		return false, 0, "NONE"
	}
	switch {
	case strings.Contains(e, "AES RC4"):
		return true, 6, "AES, RC4"
	case strings.Contains(e, "RC4 AES"):
		return true, 5, "RC4, AES"
	case strings.Contains(e, "RC4"):
		return true, 1, "RC4"
	}
	return true, 2, "AES"
}

func installEndpointViews(r *Registry) {
	epCols := []Column{
		col("name", tSys, false), col("endpoint_id", tInt, false), col("principal_id", tInt, true),
		col("protocol", tTiny, false), col("protocol_desc", nv(60), true), col("type", tTiny, false),
		col("type_desc", nv(60), true), col("state", tTiny, true), col("state_desc", nv(60), true),
		col("is_admin_endpoint", tBit, false),
	}
	// The built-in Transact-SQL endpoints every instance has.
	builtin := [][]Value{
		{"Dedicated Admin Connection", int64(1), int64(1), int64(2), "TCP", int64(2), "TSQL", int64(0), "STARTED", true},
		{"TSQL Local Machine", int64(2), int64(1), int64(4), "SHARED_MEMORY", int64(2), "TSQL", int64(0), "STARTED", false},
		{"TSQL Named Pipes", int64(3), int64(1), int64(3), "NAMED_PIPES", int64(2), "TSQL", int64(0), "STARTED", false},
		{"TSQL Default TCP", int64(4), int64(1), int64(2), "TCP", int64(2), "TSQL", int64(0), "STARTED", false},
	}
	base := func(e Endpoint) []Value {
		return []Value{e.Name, int64(e.ID), int64(1), int64(2), "TCP", int64(4), "DATABASE_MIRRORING",
			stateCode(e.State), e.State, false}
	}
	r.View("sys", "endpoints", epCols, func(sc *scope, _ *Database) ([][]Value, error) {
		rows := append([][]Value(nil), builtin...)
		for _, e := range sc.s.inst.Endpoints() {
			rows = append(rows, base(e))
		}
		return rows, nil
	})
	tcpCols := append(append([]Column(nil), epCols...),
		col("port", tInt, false), col("is_dynamic_port", tBit, false), col("ip_address", nv(45), true))
	r.View("sys", "tcp_endpoints", tcpCols, func(sc *scope, _ *Database) ([][]Value, error) {
		rows := [][]Value{
			append(append([]Value(nil), builtin[0]...), int64(0), true, nil),
			append(append([]Value(nil), builtin[3]...), int64(0), true, nil),
		}
		for _, e := range sc.s.inst.Endpoints() {
			var ip Value
			if e.IP != "" && e.IP != "ALL" {
				ip = strings.Trim(e.IP, "() ")
			}
			rows = append(rows, append(base(e), int64(e.Port), false, ip))
		}
		return rows, nil
	})
	dmCols := append(append([]Column(nil), epCols...),
		col("role", tTiny, true), col("role_desc", nv(60), true), col("is_encryption_enabled", tBit, false),
		col("connection_auth", tTiny, false), col("connection_auth_desc", nv(60), true),
		col("certificate_id", tInt, false), col("encryption_algorithm", tTiny, false),
		col("encryption_algorithm_desc", nv(60), true))
	r.View("sys", "database_mirroring_endpoints", dmCols, func(sc *scope, _ *Database) ([][]Value, error) {
		var rows [][]Value
		for _, e := range sc.s.inst.Endpoints() {
			auth, authDesc := connectionAuth(e.Auth)
			on, alg, algDesc := encryption(e.Encryption)
			rows = append(rows, append(base(e), roleCode(e.Role), e.Role, on, auth, authDesc, int64(0), alg, algDesc))
		}
		return rows, nil
	})
}
