package containers

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestKindFromEnv(t *testing.T) {
	tests := []struct {
		val   string
		kind  SQLKind
		image string
	}{
		{"", SQLSimulator, ""},
		{"sim", SQLSimulator, ""},
		{"real", SQLReal, RealSQLImage},
		{"mcr.microsoft.com/mssql/server:2019-latest", SQLReal, "mcr.microsoft.com/mssql/server:2019-latest"},
		{"pchat-harness/mssqlsim:dev", SQLSimulator, "pchat-harness/mssqlsim:dev"},
	}
	for _, tc := range tests {
		t.Setenv(SQLImageEnv, tc.val)
		kind, image := KindFromEnv()
		if kind != tc.kind || image != tc.image {
			t.Errorf("%s=%q: got %v %q, want %v %q", SQLImageEnv, tc.val, kind, image, tc.kind, tc.image)
		}
	}
}

func TestSQLOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts SQLOptions
		want string // "" means valid
	}{
		{"ok", SQLOptions{Name: "SQLDC1", SAPassword: "x"}, ""},
		{"no name", SQLOptions{SAPassword: "x"}, "Name is required"},
		{"no password", SQLOptions{Name: "A"}, "SAPassword is required"},
		{"real name too long", SQLOptions{Kind: SQLReal, Name: "SQLPRIMARYDC1XYZ", SAPassword: "x"}, "at most 15"},
		{"sim name may be long", SQLOptions{Name: "SQLPRIMARYDC1XYZ", SAPassword: "x"}, ""},
		{"both mounts", SQLOptions{Name: "A", SAPassword: "x", Data: Mount{HostDir: "/a", Volume: "v"}}, "not both"},
		{"relative share", SQLOptions{Name: "A", SAPassword: "x", Share: Mount{HostDir: "share"}}, "must be absolute"},
		{"publish the endpoint", SQLOptions{Name: "A", SAPassword: "x", Publish: map[string]int{"5022/tcp": 41022}}, ""},
		{"publish a bad port", SQLOptions{Name: "A", SAPassword: "x", Publish: map[string]int{"endpoint": 41022}}, "publish"},
		{"publish the SQL port again", SQLOptions{Name: "A", SAPassword: "x", Publish: map[string]int{"1433/tcp": 41022}}, "publish"},
		{"publish on a bad host port", SQLOptions{Name: "A", SAPassword: "x", Publish: map[string]int{"5022/tcp": 70000}}, "publish"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			err := o.validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.Alias != strings.ToLower(o.Name) || o.SharePath != "/share" {
					t.Errorf("defaults: alias %q share path %q", o.Alias, o.SharePath)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), o.SAPassword) && o.SAPassword != "" && len(o.SAPassword) > 3 {
				t.Errorf("error carries the password: %v", err)
			}
		})
	}
}

func TestSQLDSN(t *testing.T) {
	dsn := sqlDSN("127.0.0.1:1433", "p@ss:w/rd?&", "mgc")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.Scheme != "sqlserver" || u.User.Username() != "sa" || pw != "p@ss:w/rd?&" || u.Host != "127.0.0.1:1433" ||
		u.Query().Get("database") != "mgc" || u.Query().Get("encrypt") != "disable" {
		t.Fatalf("dsn %s parsed as %+v", dsn, u)
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{"SQLDC1": "sqldc1", "a b/c": "a-b-c", "": "x", "ok-1": "ok-1"} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRyukMustBeDisabled(t *testing.T) {
	for _, v := range []string{"1", "TRUE", "false"} {
		t.Setenv(RyukEnv, v)
		if _, err := Connect(context.Background()); !errors.Is(err, ErrRyukEnabled) {
			t.Errorf("%s=%q: Connect err %v, want ErrRyukEnabled", RyukEnv, v, err)
		}
	}
}
