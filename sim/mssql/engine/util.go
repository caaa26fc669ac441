package engine

import (
	"encoding/binary"
	"encoding/json"
	"sort"
)

func sortSessions(ss []*Session) {
	sort.Slice(ss, func(i, j int) bool { return ss[i].id < ss[j].id })
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func binaryUvarint(n uint64) []byte { return binary.AppendUvarint(nil, n) }
