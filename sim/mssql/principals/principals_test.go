package principals

import (
	"crypto/sha256"
	"errors"
	"testing"
)

func server() *Server {
	salt := []byte("salt")
	sum := sha256.Sum256(append(append([]byte(nil), salt...), "s3cret"...))
	s := &Server{SAPassword: "sa-pw", Logins: map[string]string{"Chat": "chat-pw"},
		WindowsLogins: []string{`CORP\svc`}, SysadminLogins: []string{`CORP\svc`}}
	if err := s.Created.Add(Login{Name: "bob", Salt: salt, Hash: sum[:]}); err != nil {
		panic(err)
	}
	if err := s.Created.Add(Login{Name: `CORP\ann`, Windows: true}); err != nil {
		panic(err)
	}
	return s
}

// Logins and passwords: sa's, a configured login's, a created login's
// salted hash; Windows logins have no password.
func TestLoginsAndPasswords(t *testing.T) {
	s := server()
	for _, tt := range []struct {
		user, pw string
		want     bool
	}{{"SA", "sa-pw", true}, {"sa", "x", false}, {"chat", "chat-pw", true}, {"chat", "sa-pw", false},
		{"BOB", "s3cret", true}, {"bob", "S3cret", false}, {`corp\ann`, "", false}, {"nobody", "", false}} {
		if got := s.CheckPassword(tt.user, tt.pw); got != tt.want {
			t.Errorf("CheckPassword(%q, %q) = %v, want %v", tt.user, tt.pw, got, tt.want)
		}
	}
	if !s.WindowsExists(`corp\SVC`) || !s.WindowsExists(`CORP\ann`) || s.WindowsExists("bob") {
		t.Error("WindowsExists: configured and created Windows logins only")
	}
	if !s.Exists("public") || !s.Exists("Bob") || s.Exists("carol") {
		t.Error("Exists: sa, public, configured and created logins only")
	}
	if err := s.Created.Add(Login{Name: "BOB"}); !errors.Is(err, ErrLoginExists) {
		t.Fatalf("a second bob: %v, want ErrLoginExists", err)
	}
	if id := s.Created.Logins[1].ID; id != 301 {
		t.Fatalf("second created login's principal_id %d, want 301", id)
	}
}

// Membership is exact; sa is always sysadmin; a configured sysadmin that
// is dropped stays dropped, and one added back is a member again.
func TestMembership(t *testing.T) {
	s := server()
	if !s.IsMember("SYSADMIN", "sa") || !s.IsMember(RoleSysadmin, `CORP\svc`) || s.IsMember(RoleDbcreator, `CORP\svc`) {
		t.Fatal("sa and the configured sysadmin are sysadmin, and only that")
	}
	if !s.IsMember(RolePublic, "bob") || s.IsMember(RolePublic, "carol") || s.IsMember("nosuchrole", "sa") {
		t.Fatal("public holds every login and nothing else")
	}
	r, _ := FixedRole(RoleSysadmin)
	s.Roles.Set(r, `CORP\svc`, false, s.ConfiguredSysadmin(`CORP\svc`))
	if s.IsMember(RoleSysadmin, `CORP\svc`) || len(s.Roles.Dropped) != 1 {
		t.Fatalf("dropped configured sysadmin: member %v, dropped %v", s.IsMember(RoleSysadmin, `CORP\svc`), s.Roles.Dropped)
	}
	d, _ := FixedRole("dbcreator")
	s.Roles.Set(d, "bob", true, false)
	s.Roles.Set(r, `CORP\svc`, true, true)
	if !s.IsMember(RoleSysadmin, `CORP\svc`) || !s.IsMember(RoleDbcreator, "bob") || len(s.Roles.Dropped) != 0 {
		t.Fatalf("added back: roles %+v", s.Roles)
	}
	want := []Member{{RoleSysadmin, "sa"}, {RoleSysadmin, `CORP\svc`}, {RoleDbcreator, "bob"}}
	got := s.Members()
	if len(got) != len(want) {
		t.Fatalf("members %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("members %v, want %v", got, want)
		}
	}
}

// sys.server_principals: sa first, then configured SQL, Windows, created
// logins, then the roles with SQL Server's ids.
func TestPrincipals(t *testing.T) {
	var names []string
	var ids []int
	for _, p := range server().Principals() {
		names = append(names, p.Type+":"+p.Name)
		ids = append(ids, p.ID)
	}
	want := []string{"S:sa", "S:Chat", `U:CORP\svc`, "S:bob", `U:CORP\ann`, "R:public", "R:sysadmin"}
	for i, w := range want {
		if names[i] != w {
			t.Fatalf("principals %v, want prefix %v", names, want)
		}
	}
	if ids[0] != 1 || ids[1] != 256 || ids[2] != 512 || ids[3] != 300 || ids[5] != 2 || len(names) != 14 {
		t.Fatalf("ids %v (%d principals)", ids, len(names))
	}
}
