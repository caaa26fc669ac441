//go:build !linux

package rowseg

import "errors"

type mapping struct{ b []byte }

// mapChunk is Linux's only: elsewhere a segment keeps its chunks in memory.
func mapChunk(dir string, size int) (*mapping, error) {
	return nil, errors.New("rowseg: file-backed chunks need Linux")
}
