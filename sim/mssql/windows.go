package mssql

import (
	"context"

	"github.com/pchatdr/harness/sim/mssql/tds"
	"github.com/pchatdr/harness/sim/ntlm"
)

// ntlmLogon adapts a handshake of sim/ntlm to the TDS Authenticator: the
// tokens of LOGIN7's SSPI data and SSPI messages, raw NTLM (go-mssqldb,
// FreeTDS) or SPNEGO (Windows clients).
type ntlmLogon struct{ h *ntlm.Handshake }

func (a ntlmLogon) Step(token []byte) ([]byte, error) { return a.h.Step(token) }
func (a ntlmLogon) Done() bool                        { return a.h.Done() }
func (a ntlmLogon) Account() string                   { return a.h.Result().Account.String() }

// StartSSPI begins a Windows logon against the instance's domain. Without
// one (Config.Windows nil) the instance is not domain-joined and refuses
// it with 18452, as such a SQL Server does.
func (h *handler) StartSSPI(ctx context.Context, l *tds.Login7) (tds.Authenticator, error) {
	if h.windows == nil {
		return nil, tds.UntrustedDomain()
	}
	return ntlmLogon{h.windows.NewHandshake()}, nil
}
