// Package diskuse measures the disk a folder of the simulator's files
// takes: the files a listing shows, and the files this process maps under
// it, which may be unlinked already (row segments' chunks, a pruned
// snapshot restored rows are read from) and take disk no listing shows.
// The bench-scale table's peak-disk column and the storage tests that hold
// a restored database to one copy on disk read it the same way.
package diskuse

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileBytes is the apparent size of the regular files under dir. A file
// removed while the walk runs is skipped; any other error is returned.
func FileBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		n += info.Size()
		return nil
	})
	return n, err
}

// Mapping is one of this process's file mappings.
type Mapping struct {
	Path    string // as /proc/self/maps names it, without " (deleted)"
	Inode   string
	Bytes   int64 // the mapping's length
	Deleted bool  // the file was unlinked
}

// Mappings are this process's file mappings whose path begins with prefix
// (Linux's /proc/self/maps; an error where there is none).
func Mappings(prefix string) ([]Mapping, error) {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	return parseMaps(string(b), prefix), nil
}

// parseMaps reads the lines of a maps file: "lo-hi perms offset dev inode
// path", the path possibly followed by " (deleted)".
func parseMaps(maps, prefix string) []Mapping {
	var out []Mapping
	for _, line := range strings.Split(maps, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		m := Mapping{Inode: f[4]}
		rest := f[5:]
		if len(rest) > 1 && rest[len(rest)-1] == "(deleted)" {
			m.Deleted, rest = true, rest[:len(rest)-1]
		}
		m.Path = strings.Join(rest, " ")
		if !strings.HasPrefix(m.Path, prefix) {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		a, errA := strconv.ParseUint(lo, 16, 64)
		z, errZ := strconv.ParseUint(hi, 16, 64)
		if errA != nil || errZ != nil || z < a {
			continue
		}
		m.Bytes = int64(z - a)
		out = append(out, m)
	}
	return out
}
