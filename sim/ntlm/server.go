package ntlm

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Config describes the server the way a domain-joined Windows host
// presents itself in its CHALLENGE_MESSAGE, and where its accounts live.
type Config struct {
	ComputerName    string // NetBIOS name of the host (LYNCSQL01): MsvAvNbComputerName
	DNSComputerName string // its FQDN (lyncsql01.contoso.com): MsvAvDnsComputerName; default lower(ComputerName).DNSDomain
	Domain          string // NetBIOS domain name (CONTOSO): TargetName and MsvAvNbDomainName
	DNSDomain       string // DNS domain name (contoso.com): MsvAvDnsDomainName
	DNSTree         string // forest name: MsvAvDnsTreeName; default DNSDomain (a one-domain forest)

	Accounts Accounts // the domain's accounts and the host's local ones

	// Rand draws server challenges; default crypto/rand. Inject a seeded
	// reader for reproducible runs (a challenge is a nonce, not a key).
	Rand io.Reader
	// Now is the clock behind MsvAvTimestamp and the lifetime checks;
	// default time.Now.
	Now func() time.Time
	// Version is the VERSION the server reports; default Windows Server
	// 2012 R2.
	Version Version
	// MaxLifetime bounds how old a challenge, or an NTLMv2 response's
	// timestamp, may be (MS-NLMP 3.1.1.1 MaxLifetime). The default is
	// MSV1_0_MAX_NTLM3_LIFE of the Windows SDK: 1800 s.
	MaxLifetime time.Duration
}

// DefaultMaxLifetime is MSV1_0_MAX_NTLM3_LIFE (1800 seconds).
const DefaultMaxLifetime = 30 * time.Minute

// Server accepts NTLM logons for one host. It holds only its validated
// configuration; each logon runs in its own Handshake.
type Server struct {
	cfg Config
}

// NewServer validates cfg and fills its defaults.
func NewServer(cfg Config) (*Server, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, n := range []struct{ name, v string }{{"ComputerName", cfg.ComputerName}, {"Domain", cfg.Domain}} {
		// NetBIOS names: at most 15 characters, no dots or backslashes.
		if n.v == "" || len(n.v) > 15 || strings.ContainsAny(n.v, `.\/@ `) || !isASCII(n.v) {
			bad("ntlm: config %s %q: want a NetBIOS name (1-15 ASCII characters, no dots, slashes, @ or spaces)", n.name, n.v)
		}
	}
	if cfg.DNSDomain == "" || len(cfg.DNSDomain) > 255 || strings.ContainsAny(cfg.DNSDomain, `\/@ `) {
		bad("ntlm: config DNSDomain %q: want a DNS domain name such as contoso.com", cfg.DNSDomain)
	}
	if cfg.Accounts == nil {
		bad("ntlm: config Accounts is nil: the server needs an account store")
	}
	if cfg.MaxLifetime < 0 {
		bad("ntlm: config MaxLifetime %s is negative", cfg.MaxLifetime)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.DNSComputerName == "" {
		cfg.DNSComputerName = strings.ToLower(cfg.ComputerName) + "." + cfg.DNSDomain
	}
	if cfg.DNSTree == "" {
		cfg.DNSTree = cfg.DNSDomain
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == (Version{}) {
		cfg.Version = WindowsServer2012R2()
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = DefaultMaxLifetime
	}
	return &Server{cfg: cfg}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Config returns the server's configuration with its defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// targetInfo is the AV_PAIR list of the server's CHALLENGE_MESSAGE, in the
// order Windows writes it.
func (s *Server) targetInfo(now time.Time) avList {
	var ts [8]byte
	le.PutUint64(ts[:], FileTime(now))
	return avList{
		{avNbDomainName, encodeUTF16(s.cfg.Domain)},
		{avNbComputerName, encodeUTF16(s.cfg.ComputerName)},
		{avDNSDomainName, encodeUTF16(s.cfg.DNSDomain)},
		{avDNSComputerName, encodeUTF16(s.cfg.DNSComputerName)},
		{avDNSTreeName, encodeUTF16(s.cfg.DNSTree)},
		{avTimestamp, ts[:]},
	}
}

// resolve maps the domain and user an AUTHENTICATE_MESSAGE names to the
// account domains to look up, in order, and the user name to look up.
//
// Windows accepts the domain as its NetBIOS or DNS name, the user as a UPN
// (user@dns-domain) with an empty domain, and an empty domain, which a
// domain member resolves in its own domain and then among its local
// accounts. The host's own NetBIOS or DNS name names a local account. Any
// other domain is untrusted: the simulated host trusts no other domain.
// Only implicit UPNs (sAMAccountName@DNS domain) are known.
func (s *Server) resolve(domain, user string) (domains []string, name string, err error) {
	ours := func(d string) bool { return equalFold(d, s.cfg.Domain) || equalFold(d, s.cfg.DNSDomain) }
	local := func(d string) bool {
		return equalFold(d, s.cfg.ComputerName) || equalFold(d, s.cfg.DNSComputerName)
	}
	if at := strings.LastIndexByte(user, '@'); at >= 0 {
		name, suffix := user[:at], user[at+1:]
		if domain != "" && !ours(domain) {
			return nil, "", fmt.Errorf("%w: domain %q (user principal name %q)", ErrUntrustedDomain, domain, user)
		}
		if !equalFold(suffix, s.cfg.DNSDomain) {
			return nil, "", fmt.Errorf("%w: user principal name suffix %q is not the domain %s", ErrUntrustedDomain, suffix, s.cfg.DNSDomain)
		}
		return []string{s.cfg.Domain}, name, nil
	}
	switch {
	case domain == "":
		return []string{s.cfg.Domain, s.cfg.ComputerName}, user, nil
	case ours(domain):
		return []string{s.cfg.Domain}, user, nil
	case local(domain):
		return []string{s.cfg.ComputerName}, user, nil
	}
	return nil, "", fmt.Errorf("%w: %q is neither the domain %s (%s) nor this host %s", ErrUntrustedDomain, domain, s.cfg.Domain, s.cfg.DNSDomain, s.cfg.ComputerName)
}

// ChannelBindingPolicy says how a handshake treats the channel binding
// token of Extended Protection for Authentication: WinRM's
// CbtHardeningLevel, SQL Server's "Extended Protection" setting.
type ChannelBindingPolicy int

// The policies, named as WinRM and SQL Server name them.
const (
	// ChannelBindingOff ignores channel bindings (WinRM "None", SQL Server
	// "Off"): the default.
	ChannelBindingOff ChannelBindingPolicy = iota
	// ChannelBindingRelaxed checks the binding when the client sends one
	// (WinRM "Relaxed", its default over HTTPS; SQL Server "Allowed").
	ChannelBindingRelaxed
	// ChannelBindingStrict requires a matching binding (WinRM "Strict",
	// SQL Server "Required").
	ChannelBindingStrict
)

// HandshakeOption configures one handshake.
type HandshakeOption func(*Handshake)

// WithChannelBindings binds the handshake to the TLS channel it runs on:
// applicationData is the gss_channel_bindings_struct application data,
// "tls-server-end-point:" followed by the certificate hash for HTTPS and
// TDS over TLS (see TLSServerEndPoint).
func WithChannelBindings(applicationData []byte, policy ChannelBindingPolicy) HandshakeOption {
	hash := ChannelBindingHash(applicationData)
	return func(h *Handshake) {
		h.cbHash, h.cbPolicy = hash, policy
	}
}

// ChannelBindingHash is the value of MsvAvChannelBindings for a channel
// whose binding has the given application data and no addresses: the MD5
// of the flattened gss_channel_bindings_struct (five little-endian 32-bit
// fields, initiator and acceptor address types and lengths and the
// application data's length, then the data), as SSPI computes it.
func ChannelBindingHash(applicationData []byte) [16]byte {
	b := make([]byte, 20, 20+len(applicationData))
	le.PutUint32(b[16:], uint32(len(applicationData)))
	return md5.Sum(append(b, applicationData...))
}

// TLSServerEndPoint is the "tls-server-end-point" channel binding of RFC
// 5929 for the server's certificate: the prefix and the certificate's hash
// with its signature's hash function, SHA-256 for MD5 and SHA-1.
func TLSServerEndPoint(cert *x509.Certificate) []byte {
	var sum []byte
	switch cert.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h := sha512.Sum384(cert.Raw)
		sum = h[:]
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h := sha512.Sum512(cert.Raw)
		sum = h[:]
	default:
		h := sha256.Sum256(cert.Raw)
		sum = h[:]
	}
	return append([]byte("tls-server-end-point:"), sum...)
}
