package lync

import (
	"strings"

	"github.com/pchatdr/harness/fakes/lync/ps"
)

// Identity rules (reference §6.8 and the design brief). The real cmdlets
// take XdsIdentity / XdsGlobalRelativeIdentity; these are the forms the
// documentation shows, and everything else is refused with a message that
// says which forms work.

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// activeServerTarget checks -Identity of Set-CsPersistentChatActiveServer:
// "global", "PChatServerCollection", "service:PersistentChatServer:<pool>",
// "PersistentChatServer:<pool>", or absent.
func (s *Server) activeServerTarget(id string, given bool) (string, error) {
	pool := s.pool.Config().PoolFQDN
	target := "service:PersistentChatServer:" + pool
	if !given {
		return target, nil
	}
	t := strings.TrimSpace(id)
	switch strings.ToLower(t) {
	case "global", "pchatservercollection":
		return target, nil
	}
	rest, _ := cutPrefixFold(t, "service:")
	if pool, ok := cutPrefixFold(strings.TrimSpace(rest), "PersistentChatServer:"); ok {
		return target, s.checkPool(strings.TrimSpace(pool), id)
	}
	return "", ps.NewError("InvalidArgument", "ArgumentException", "InvalidIdentity",
		"\"%s\" is not a valid identity for the Persistent Chat active server collection. Use \"global\", \"PChatServerCollection\" or \"service:PersistentChatServer:%s\".", id, pool)
}

// stateTarget checks -Identity of Set-/Get-CsPersistentChatState:
// "service:<pool>", "service: <pool>", "PersistentChatServer:<pool>",
// "service:PersistentChatServer:<pool>".
func (s *Server) stateTarget(id string) (string, error) {
	pool := s.pool.Config().PoolFQDN
	t := strings.TrimSpace(id)
	rest, svc := cutPrefixFold(t, "service:")
	rest = strings.TrimSpace(rest)
	rest2, pcs := cutPrefixFold(rest, "PersistentChatServer:")
	if pcs {
		rest = strings.TrimSpace(rest2)
	}
	if (!svc && !pcs) || rest == "" || strings.ContainsAny(rest, ": ") {
		return "", ps.NewError("InvalidArgument", "ArgumentException", "InvalidIdentity",
			"\"%s\" is not a valid Persistent Chat service identity. Use \"service:%s\" or \"PersistentChatServer:%s\".", id, pool, pool)
	}
	return stateIdentity(pool), s.checkPool(rest, id)
}

func stateIdentity(pool string) string { return "service:PersistentChatServer:" + pool }

func (s *Server) checkPool(fqdn, id string) error {
	pool := s.pool.Config().PoolFQDN
	if strings.EqualFold(fqdn, pool) {
		return nil
	}
	rec := ps.NewError("ObjectNotFound", "ItemNotFoundException", "PoolNotFound",
		"Cannot find Persistent Chat pool \"%s\" (identity \"%s\") in the topology. The topology's Persistent Chat pool is \"%s\".", fqdn, id, pool)
	rec.TargetName, rec.TargetType = id, "String"
	return rec
}
