package lync

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePoolServers(t *testing.T) {
	cases := []struct {
		name           string
		in             string
		active, idle   string
		identity, pool string
		err            error
		errText        string
	}{
		{name: "object", in: `{"Identity":"PersistentChatServer:p.x","PoolFqdn":"p.x","ActiveServers":["a.x","b.x"],"InactiveServers":["c.x"]}`,
			active: "a.x,b.x", idle: "c.x", identity: "PersistentChatServer:p.x", pool: "p.x"},
		{name: "array of one", in: "\uFEFF[{\"PoolFqdn\":\"p.x\",\"ActiveServers\":[\"a.x\"]}]\r\n", active: "a.x", pool: "p.x"},
		{name: "scalar element", in: `{"PoolFqdn":"p.x","ActiveServers":"a.x","InactiveServers":null}`, active: "a.x", pool: "p.x"},
		{name: "cleared", in: `{"PoolFqdn":"p.x","ActiveServers":[],"InactiveServers":["a.x","b.x"]}`, idle: "a.x,b.x", pool: "p.x"},
		{name: "null list", in: `{"PoolFqdn":"p.x","ActiveServers":null}`, pool: "p.x"},
		{name: "wrapped array", in: `{"PoolFqdn":"p.x","ActiveServers":{"value":["a.x","b.x"],"Count":2}}`, active: "a.x,b.x", pool: "p.x"},
		{name: "objects", in: `{"PoolFqdn":"p.x","ActiveServers":[{"Fqdn":"a.x","Port":0},{"value":"b.x"}]}`, active: "a.x,b.x", pool: "p.x"},
		{name: "case", in: `{"poolfqdn":"p.x","activeservers":["a.x"]}`, active: "a.x", pool: "p.x"},
		{name: "nothing", in: "  \r\n", err: ErrNotFound},
		{name: "two", in: `[{"ActiveServers":[]},{"ActiveServers":[]}]`, errText: "2 Persistent Chat services"},
		{name: "no property", in: `{"PoolFqdn":"p.x"}`, errText: "no ActiveServers"},
		{name: "number element", in: `{"ActiveServers":[1]}`, errText: "ActiveServers[0]"},
		{name: "not json", in: `PoolFqdn : p.x`, errText: "json"},
		{name: "two values", in: `{} {}`, errText: "more than one"},
		{name: "array of strings", in: `["a"]`, errText: "element 0"},
	}
	for _, c := range cases {
		ps, err := ParsePoolServers(c.in)
		switch {
		case c.err != nil:
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
			continue
		case c.errText != "":
			if err == nil || !strings.Contains(err.Error(), c.errText) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.errText)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if strings.Join(ps.ActiveServers, ",") != c.active || strings.Join(ps.InactiveServers, ",") != c.idle ||
			ps.Identity != c.identity || ps.PoolFqdn != c.pool {
			t.Errorf("%s: got %+v", c.name, ps)
		}
	}
}

func TestParsePoolStateJSON(t *testing.T) {
	cases := []struct {
		in   string
		want PoolState
		bad  bool
	}{
		{`{"Identity":"PersistentChatServer:p.x","PoolState":0}`, PoolNormal, false},
		{`{"PoolState":1}`, PoolFailedOver, false},
		{`{"PoolState":"Normal"}`, PoolNormal, false},
		{`{"PoolState":"failedover"}`, PoolFailedOver, false},
		{`[{"PoolState":"FailedOver"}]`, PoolFailedOver, false},
		{`{"PoolState":{"value":1,"Value":"FailedOver"}}`, PoolFailedOver, false},
		{`{"PoolState":2}`, "", true},
		{`{"PoolState":"Degraded"}`, "", true},
		{`{"PoolState":1.5}`, "", true},
		{`{"State":0}`, "", true},
		{`[{"PoolState":0},{"PoolState":1}]`, "", true},
	}
	for _, c := range cases {
		got, err := ParsePoolStateJSON(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("%s: got %q, %v; want %q bad=%v", c.in, got, err, c.want, c.bad)
		}
	}
}

func FuzzParsePoolServers(f *testing.F) {
	f.Add(`{"PoolFqdn":"p.x","ActiveServers":["a.x"]}`)
	f.Add(`[{"ActiveServers":{"value":[{"Fqdn":"a"}]}}]`)
	f.Add(`{"PoolState":1}`)
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePoolServers(s)
		if err == nil && ps.ActiveServers == nil && ps.InactiveServers == nil && ps.PoolFqdn == "" && ps.Identity == "" {
			// an object with ActiveServers null and nothing else is fine
			return
		}
		_, _ = ParsePoolStateJSON(s)
	})
}
