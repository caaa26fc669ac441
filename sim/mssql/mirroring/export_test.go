package mirroring

// MayConnect is mayConnect for the external tests (a CONNECT grant is
// checked where the partner's hello arrives, not through T-SQL).
var MayConnect = mayConnect
