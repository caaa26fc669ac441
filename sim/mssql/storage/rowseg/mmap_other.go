//go:build !linux

package rowseg

import "errors"

type mapping struct{ b []byte }

func (m *mapping) done() {}

func (m *mapping) writeAt(p []byte, off int) error { return errors.New("rowseg: no file") }

// mapChunk is Linux's only: elsewhere a segment keeps its chunks in memory.
func mapChunk(dir string, size int) (*mapping, error) {
	return nil, errors.New("rowseg: file-backed chunks need Linux")
}

// mapFile is Linux's only: elsewhere a segment keeps its own copies.
func mapFile(path string) (*mapping, int64, error) {
	return nil, 0, errors.New("rowseg: mapping a file needs Linux")
}
