package sqlserver

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultAppName is sent as the client program name, so the DBA (and the
// engine's own session checks) can tell the failback tool's sessions apart.
const DefaultAppName = "pchat-failback"

// Config says how to reach one SQL Server instance. Password never appears
// in String, GoString, errors or the observer's events.
type Config struct {
	Address  string // host:port, host\instance, or host
	User     string // SQL login; empty is refused (integrated auth is not supported here)
	Password string
	Database string // initial database; "" means the login's default
	AppName  string // "" means DefaultAppName
	// Encrypt is go-mssqldb's encrypt setting: "true" (default), "strict"
	// (TDS 8), "false" (login packet only) or "disable" (no TLS at all; the
	// harness uses it for its simulator).
	Encrypt                string
	TrustServerCertificate bool   // default false: the certificate is verified
	HostNameInCertificate  string // when the certificate names another host
	// CAFile is a PEM file (.pem) or DER file (.der) with the CA, or the
	// self-signed certificate, the server's certificate must chain to:
	// go-mssqldb's "certificate" setting. Empty uses the system's roots.
	CAFile      string
	DialTimeout time.Duration // 0 means 15s
	// Options are extra DSN keys (e.g. "packet size", "failoverpartner").
	// Keys this struct already sets are refused.
	Options map[string]string
}

// String describes the config without the password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "***"
	}
	return fmt.Sprintf("sqlserver{address=%s user=%s password=%s database=%s encrypt=%s trust=%t}",
		c.Address, c.User, pw, c.Database, c.encrypt(), c.TrustServerCertificate)
}

// GoString keeps %#v from printing the password.
func (c Config) GoString() string { return c.String() }

func (c Config) encrypt() string {
	if c.Encrypt == "" {
		return "true"
	}
	return strings.ToLower(c.Encrypt)
}

// reservedOptions are DSN keys Config sets itself.
var reservedOptions = map[string]bool{
	"server": true, "user id": true, "password": true, "database": true, "app name": true,
	"encrypt": true, "trustservercertificate": true, "hostnameincertificate": true,
	"dial timeout": true, "port": true, "log": true, "certificate": true,
}

// DSN builds the go-mssqldb URL connection string. The password is
// URL-escaped by net/url, so any character is safe in it.
func (c Config) DSN() (string, error) {
	if c.Address == "" {
		return "", fmt.Errorf("sqlserver config: address is empty")
	}
	if c.User == "" {
		return "", fmt.Errorf("sqlserver config %s: user is empty", c.Address)
	}
	switch c.encrypt() {
	case "true", "false", "disable", "strict":
	default:
		return "", fmt.Errorf("sqlserver config %s: encrypt %q is not true, false, disable or strict", c.Address, c.Encrypt)
	}
	host, instance, port, err := splitAddress(c.Address)
	if err != nil {
		return "", fmt.Errorf("sqlserver config: %w", err)
	}
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(c.User, c.Password), Host: host}
	if port != 0 {
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	}
	if instance != "" {
		u.Path = "/" + instance
	}
	q := url.Values{}
	if c.Database != "" {
		q.Set("database", c.Database)
	}
	app := c.AppName
	if app == "" {
		app = DefaultAppName
	}
	q.Set("app name", app)
	q.Set("encrypt", c.encrypt())
	// Always explicit: go-mssqldb trusts any certificate when encrypt is
	// absent, which must never happen against a real server by accident.
	q.Set("TrustServerCertificate", strconv.FormatBool(c.TrustServerCertificate))
	if c.HostNameInCertificate != "" {
		q.Set("hostNameInCertificate", c.HostNameInCertificate)
	}
	if c.CAFile != "" {
		if c.encrypt() == "disable" {
			return "", fmt.Errorf("sqlserver config %s: a CA file needs encryption; encrypt is disable", c.Address)
		}
		q.Set("certificate", c.CAFile)
	}
	dt := c.DialTimeout
	if dt <= 0 {
		dt = 15 * time.Second
	}
	q.Set("dial timeout", strconv.Itoa(int((dt+time.Second-1)/time.Second)))
	keys := make([]string, 0, len(c.Options))
	for k := range c.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reservedOptions[strings.ToLower(k)] {
			return "", fmt.Errorf("sqlserver config %s: option %q is set by the config itself", c.Address, k)
		}
		q.Set(k, c.Options[k])
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// splitAddress accepts host, host:port, [v6]:port and host\instance.
func splitAddress(a string) (host, instance string, port int, err error) {
	if h, inst, ok := strings.Cut(a, `\`); ok {
		if h == "" || inst == "" || strings.ContainsAny(inst, `\/:`) {
			return "", "", 0, fmt.Errorf("address %q: want host\\instance", a)
		}
		return h, inst, 0, nil
	}
	if h, p, e := net.SplitHostPort(a); e == nil {
		n, e := strconv.Atoi(p)
		if e != nil || n <= 0 || n > 65535 || h == "" {
			return "", "", 0, fmt.Errorf("address %q: bad port", a)
		}
		return h, "", n, nil
	}
	if strings.ContainsAny(a, "/?#@ ") || strings.Count(a, ":") == 1 {
		return "", "", 0, fmt.Errorf("address %q: want host, host:port or host\\instance", a)
	}
	return a, "", 0, nil
}
