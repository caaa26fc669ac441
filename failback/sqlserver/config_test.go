package sqlserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"
)

func TestDSN(t *testing.T) {
	pw := `p@ss:w/o?rd#&;'"\ `
	cases := []struct {
		name     string
		cfg      Config
		host     string
		port     uint64
		instance string
		enc      msdsn.Encryption
		trust    bool
		database string
	}{
		{name: "defaults", cfg: Config{Address: "sql1.contoso.com:1433", User: "failback", Password: pw, Database: "master"},
			host: "sql1.contoso.com", port: 1433, enc: msdsn.EncryptionRequired, database: "master"},
		{name: "instance", cfg: Config{Address: `sql2.contoso.com\PCHAT`, User: "u", Password: pw},
			host: "sql2.contoso.com", instance: "PCHAT", enc: msdsn.EncryptionRequired},
		{name: "simulator", cfg: Config{Address: "127.0.0.1:14330", User: "sa", Password: pw, Encrypt: "disable"},
			host: "127.0.0.1", port: 14330, enc: msdsn.EncryptionDisabled},
		{name: "strict", cfg: Config{Address: "sql1", User: "u", Password: pw, Encrypt: "STRICT"},
			host: "sql1", enc: msdsn.EncryptionStrict},
		{name: "trust", cfg: Config{Address: "[::1]:1433", User: "u", Password: pw, Encrypt: "false", TrustServerCertificate: true},
			host: "::1", port: 1433, enc: msdsn.EncryptionOff, trust: true},
	}
	for _, c := range cases {
		dsn, err := c.cfg.DSN()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		p, err := msdsn.Parse(dsn)
		if err != nil {
			t.Errorf("%s: go-mssqldb rejects %q: %v", c.name, dsn, err)
			continue
		}
		if p.Host != c.host || p.Port != c.port || p.Instance != c.instance || p.Encryption != c.enc ||
			p.TrustServerCertificate != c.trust || p.Database != c.database || p.Password != pw || p.User != c.cfg.User {
			t.Errorf("%s: parsed host=%q port=%d inst=%q enc=%v trust=%v db=%q user=%q pwOK=%v",
				c.name, p.Host, p.Port, p.Instance, p.Encryption, p.TrustServerCertificate, p.Database, p.User, p.Password == pw)
		}
		if p.AppName != DefaultAppName {
			t.Errorf("%s: app name %q", c.name, p.AppName)
		}
		if p.DialTimeout != 15*time.Second {
			t.Errorf("%s: dial timeout %v", c.name, p.DialTimeout)
		}
	}
}

// TestDSNCAFile: the CA file becomes go-mssqldb's certificate setting,
// which it loads into the TLS root pool.
func TestDSNCAFile(t *testing.T) {
	dsn, err := Config{Address: "127.0.0.1:1433", User: "u", Encrypt: "true", CAFile: "/etc/pki/sim-ca.pem"}.DSN()
	if err != nil {
		t.Fatal(err)
	}
	// go-mssqldb reads the file while parsing: a missing one fails there,
	// naming it, which shows the setting reached the driver.
	if _, err := msdsn.Parse(dsn); err == nil || !strings.Contains(err.Error(), "/etc/pki/sim-ca.pem") {
		t.Errorf("go-mssqldb parsed %q with error %v, want one naming the CA file", dsn, err)
	}
}

func TestDSNOptionsAndErrors(t *testing.T) {
	dsn, err := Config{Address: "h:1", User: "u", DialTimeout: 1500 * time.Millisecond, AppName: "x",
		Options: map[string]string{"packet size": "8192", "failoverpartner": "h2"}}.DSN()
	if err != nil {
		t.Fatal(err)
	}
	p, err := msdsn.Parse(dsn)
	if err != nil || p.PacketSize != 8192 || p.FailOverPartner != "h2" || p.DialTimeout != 2*time.Second || p.AppName != "x" {
		t.Errorf("options: %+v %v", p.PacketSize, err)
	}
	bad := map[string]Config{
		"no address":     {User: "u"},
		"no user":        {Address: "h"},
		"encrypt":        {Address: "h", User: "u", Encrypt: "maybe"},
		"reserved":       {Address: "h", User: "u", Options: map[string]string{"Encrypt": "disable"}},
		"reserved pw":    {Address: "h", User: "u", Options: map[string]string{"password": "x"}},
		"bad port":       {Address: "h:0", User: "u"},
		"empty instance": {Address: `h\`, User: "u"},
		"url-ish":        {Address: "h/x", User: "u"},
		"ca, no tls":     {Address: "h", User: "u", Encrypt: "disable", CAFile: "/ca.pem"},
		"reserved ca":    {Address: "h", User: "u", Options: map[string]string{"certificate": "/x.pem"}},
	}
	for name, c := range bad {
		c.Password = "topsecret"
		_, err := c.DSN()
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%s: password in error", name)
		}
	}
}

func TestConfigStringMasksPassword(t *testing.T) {
	c := Config{Address: "h", User: "u", Password: "topsecret"}
	for _, s := range []string{c.String(), fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c)} {
		if strings.Contains(s, "topsecret") {
			t.Errorf("password printed: %s", s)
		}
	}
}
