package mirroring

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// Endpoint is a server endpoint created with CREATE ENDPOINT. Only
// DATABASE_MIRRORING endpoints exist in the simulator (the parser refuses
// other payloads). Endpoints and CONNECT grants on them are server-level,
// so they live in master's metadata (DBMeta.Ext of database 1, beside the
// engine's logins) and survive restarts like the database catalogue.
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

// EndpointGrant is GRANT perm ON ENDPOINT::name TO grantee.
type EndpointGrant struct {
	Endpoint   string `json:"endpoint"`
	Permission string `json:"permission"`
	Grantee    string `json:"grantee"`
}

// serverSecurity is everything server-level the endpoints feature keeps in
// master.
type serverSecurity struct {
	Endpoints []Endpoint      `json:"endpoints,omitempty"`
	Grants    []EndpointGrant `json:"grants,omitempty"`
	NextID    int             `json:"next_id,omitempty"`
}

// securityExtKey is its DBMeta.Ext key (the engine's logins have their
// own).
const securityExtKey = "endpoints"

// firstEndpointID is where user endpoint ids start (SQL Server numbers its
// built-in endpoints 1-5 and user ones from 65536).
const firstEndpointID = 65536

func security(inst *engine.Instance) serverSecurity {
	s, _ := engine.MasterExt[serverSecurity](inst, securityExtKey) // written only by updateSecurity
	return s
}

// updateSecurity changes the server-level endpoint state durably.
func updateSecurity(ctx context.Context, inst *engine.Instance, change func(s *serverSecurity) error) error {
	return engine.UpdateMasterExt(ctx, inst, securityExtKey, change)
}

// EndpointsOf lists the instance's endpoints by id.
func EndpointsOf(inst *engine.Instance) []Endpoint {
	eps := security(inst).Endpoints
	sort.Slice(eps, func(i, j int) bool { return eps[i].ID < eps[j].ID })
	return eps
}

// mirroringEndpoint is the instance's DATABASE_MIRRORING endpoint (there is
// at most one, 7862).
func mirroringEndpoint(inst *engine.Instance) (Endpoint, bool) {
	eps := EndpointsOf(inst)
	if len(eps) == 0 {
		return Endpoint{}, false
	}
	return eps[0], true
}

func endpointByName(inst *engine.Instance, name string) (Endpoint, bool) {
	for _, e := range EndpointsOf(inst) {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return Endpoint{}, false
}

// mayConnect says a partner whose service runs as account may use the
// mirroring endpoint: the same account as this instance's service (which
// owns the endpoint), or a login granted CONNECT (directly or via public).
func mayConnect(inst *engine.Instance, account string, ep Endpoint) bool {
	if strings.EqualFold(account, inst.Config().ServiceAccount) {
		return true
	}
	known := inst.LoginExists(account)
	for _, g := range security(inst).Grants {
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

func installEndpointViews(r *engine.Registry) {
	epCols := []engine.Column{
		engine.Col("name", sqltypes.TypeSysname, false), engine.Col("endpoint_id", sqltypes.TypeInt, false), engine.Col("principal_id", sqltypes.TypeInt, true),
		engine.Col("protocol", sqltypes.TypeTinyInt, false), engine.Col("protocol_desc", sqltypes.NVarChar(60), true), engine.Col("type", sqltypes.TypeTinyInt, false),
		engine.Col("type_desc", sqltypes.NVarChar(60), true), engine.Col("state", sqltypes.TypeTinyInt, true), engine.Col("state_desc", sqltypes.NVarChar(60), true),
		engine.Col("is_admin_endpoint", sqltypes.TypeBit, false),
	}
	// The built-in Transact-SQL endpoints every instance has.
	builtin := [][]engine.Value{
		{"Dedicated Admin Connection", int64(1), int64(1), int64(2), "TCP", int64(2), "TSQL", int64(0), "STARTED", true},
		{"TSQL Local Machine", int64(2), int64(1), int64(4), "SHARED_MEMORY", int64(2), "TSQL", int64(0), "STARTED", false},
		{"TSQL Named Pipes", int64(3), int64(1), int64(3), "NAMED_PIPES", int64(2), "TSQL", int64(0), "STARTED", false},
		{"TSQL Default TCP", int64(4), int64(1), int64(2), "TCP", int64(2), "TSQL", int64(0), "STARTED", false},
	}
	base := func(e Endpoint) []engine.Value {
		return []engine.Value{e.Name, int64(e.ID), int64(1), int64(2), "TCP", int64(4), "DATABASE_MIRRORING",
			stateCode(e.State), e.State, false}
	}
	r.View("sys", "endpoints", epCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		rows := append([][]engine.Value(nil), builtin...)
		for _, e := range EndpointsOf(sc.Instance()) {
			rows = append(rows, base(e))
		}
		return rows, nil
	})
	tcpCols := append(append([]engine.Column(nil), epCols...),
		engine.Col("port", sqltypes.TypeInt, false), engine.Col("is_dynamic_port", sqltypes.TypeBit, false), engine.Col("ip_address", sqltypes.NVarChar(45), true))
	r.View("sys", "tcp_endpoints", tcpCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		rows := [][]engine.Value{
			append(append([]engine.Value(nil), builtin[0]...), int64(0), true, nil),
			append(append([]engine.Value(nil), builtin[3]...), int64(0), true, nil),
		}
		for _, e := range EndpointsOf(sc.Instance()) {
			var ip engine.Value
			if e.IP != "" && e.IP != "ALL" {
				ip = strings.Trim(e.IP, "() ")
			}
			rows = append(rows, append(base(e), int64(e.Port), false, ip))
		}
		return rows, nil
	})
	dmCols := append(append([]engine.Column(nil), epCols...),
		engine.Col("role", sqltypes.TypeTinyInt, true), engine.Col("role_desc", sqltypes.NVarChar(60), true), engine.Col("is_encryption_enabled", sqltypes.TypeBit, false),
		engine.Col("connection_auth", sqltypes.TypeTinyInt, false), engine.Col("connection_auth_desc", sqltypes.NVarChar(60), true),
		engine.Col("certificate_id", sqltypes.TypeInt, false), engine.Col("encryption_algorithm", sqltypes.TypeTinyInt, false),
		engine.Col("encryption_algorithm_desc", sqltypes.NVarChar(60), true))
	r.View("sys", "database_mirroring_endpoints", dmCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var rows [][]engine.Value
		for _, e := range EndpointsOf(sc.Instance()) {
			auth, authDesc := connectionAuth(e.Auth)
			on, alg, algDesc := encryption(e.Encryption)
			rows = append(rows, append(base(e), roleCode(e.Role), e.Role, on, auth, authDesc, int64(0), alg, algDesc))
		}
		return rows, nil
	})
}
