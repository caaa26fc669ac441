package lync

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// PoolState is the Persistent Chat pool state (Set-CsPersistentChatState
// -PoolState). The enum's numeric values are Normal=0, FailedOver=1.
type PoolState string

// The two pool states.
const (
	PoolNormal     PoolState = "Normal"
	PoolFailedOver PoolState = "FailedOver"
)

// ParsePoolState accepts the names (any case) and the enum numbers 0 and 1,
// because ConvertTo-Json writes an enum as its number in Windows PowerShell
// 5.1 and as a string when the value went through a string conversion.
func ParsePoolState(v any) (PoolState, error) {
	switch t := v.(type) {
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "normal", "0":
			return PoolNormal, nil
		case "failedover", "1":
			return PoolFailedOver, nil
		}
	case float64:
		switch t {
		case 0:
			return PoolNormal, nil
		case 1:
			return PoolFailedOver, nil
		}
	case json.Number:
		return ParsePoolState(t.String())
	}
	return "", fmt.Errorf("pool state %v is not Normal/0 or FailedOver/1", v)
}

// ErrNotFound is returned when a read-back found no object for the
// identity or pool asked about.
var ErrNotFound = errors.New("not found")

// PoolServers is the read-back of a Persistent Chat service
// (Get-CsService -PersistentChatServer).
type PoolServers struct {
	Identity        string
	PoolFqdn        string
	ActiveServers   []string
	InactiveServers []string
}

// decodeJSONObjects accepts what ConvertTo-Json writes for a pipeline: no
// text for no objects, one object for one, an array for several.
func decodeJSONObjects(stdout string) ([]map[string]any, error) {
	s := strings.TrimSpace(strings.TrimPrefix(stdout, "\uFEFF"))
	if s == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("json: more than one value in output")
	}
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}, nil
	case []any:
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("json: element %d is %T, not an object", i, e)
			}
			out = append(out, m)
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("json: output is %T, not an object or array", v)
}

// prop finds a property case-insensitively (PowerShell property names are).
func prop(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func propString(m map[string]any, name string) string {
	v, _ := prop(m, name)
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case map[string]any:
		if s, err := fqdnOf(t); err == nil {
			return s
		}
	}
	return ""
}

// serverList reads a list property. ConvertTo-Json may write a list as an
// array, a single element as a scalar, a wrapped array as {"value":[..],
// "Count":n} (Windows PowerShell 5.1 with extended arrays), and each
// element as a string or as an object whose FQDN sits in a property.
func serverList(v any, name string) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(t) == "" {
			return nil, nil
		}
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			switch et := e.(type) {
			case string:
				out = append(out, et)
			case map[string]any:
				s, err := fqdnOf(et)
				if err != nil {
					return nil, fmt.Errorf("%s[%d]: %w", name, i, err)
				}
				out = append(out, s)
			default:
				return nil, fmt.Errorf("%s[%d] is %T, not a server name", name, i, e)
			}
		}
		return out, nil
	case map[string]any:
		if inner, ok := prop(t, "value"); ok {
			if _, isArr := inner.([]any); isArr {
				return serverList(inner, name)
			}
		}
		s, err := fqdnOf(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return []string{s}, nil
	}
	return nil, fmt.Errorf("%s is %T, not a server list", name, v)
}

func fqdnOf(m map[string]any) (string, error) {
	for _, k := range []string{"Fqdn", "ComputerFqdn", "Value", "Name"} {
		if v, ok := prop(m, k); ok {
			if s, ok := v.(string); ok && s != "" {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("object has no Fqdn/ComputerFqdn/Value/Name string")
}

// ParsePoolServers reads the JSON of the ReadPoolServers pipeline. It
// returns ErrNotFound when the pipeline produced nothing and an error when
// more than one service matched (the filter is by pool FQDN, so that means
// the topology is not what the engine believes).
func ParsePoolServers(stdout string) (PoolServers, error) {
	objs, err := decodeJSONObjects(stdout)
	if err != nil {
		return PoolServers{}, err
	}
	if len(objs) == 0 {
		return PoolServers{}, ErrNotFound
	}
	if len(objs) > 1 {
		return PoolServers{}, fmt.Errorf("%d Persistent Chat services matched, want 1", len(objs))
	}
	o := objs[0]
	ps := PoolServers{Identity: propString(o, "Identity"), PoolFqdn: propString(o, "PoolFqdn")}
	if v, ok := prop(o, "ActiveServers"); ok {
		if ps.ActiveServers, err = serverList(v, "ActiveServers"); err != nil {
			return PoolServers{}, err
		}
	} else {
		return PoolServers{}, fmt.Errorf("output has no ActiveServers property")
	}
	if v, ok := prop(o, "InactiveServers"); ok {
		if ps.InactiveServers, err = serverList(v, "InactiveServers"); err != nil {
			return PoolServers{}, err
		}
	}
	return ps, nil
}

// ParsePoolStateJSON reads the JSON of Get-CsPersistentChatState.
func ParsePoolStateJSON(stdout string) (PoolState, error) {
	objs, err := decodeJSONObjects(stdout)
	if err != nil {
		return "", err
	}
	if len(objs) == 0 {
		return "", ErrNotFound
	}
	if len(objs) > 1 {
		return "", fmt.Errorf("%d pool states returned, want 1", len(objs))
	}
	v, ok := prop(objs[0], "PoolState")
	if !ok {
		return "", fmt.Errorf("output has no PoolState property")
	}
	if m, isObj := v.(map[string]any); isObj {
		// An enum serialised with -Depth beyond its value: {"value":1,...}.
		if inner, ok := prop(m, "value"); ok {
			v = inner
		}
	}
	return ParsePoolState(v)
}
