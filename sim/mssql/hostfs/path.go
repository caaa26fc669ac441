package hostfs

import (
	"strings"
)

// winPath is a normalized absolute Windows path: a root (drive "C:" or share
// `\\server\share`) and the components under it, with `.`, `..` and empty
// components already resolved.
type winPath struct {
	root  string
	comps []string
}

func (p winPath) String() string {
	if len(p.comps) == 0 {
		if isDriveRoot(p.root) {
			return p.root + `\`
		}
		return p.root
	}
	return p.root + `\` + strings.Join(p.comps, `\`)
}

// hasPrefix reports whether q is p or lies under it, ignoring case.
func (p winPath) hasPrefix(q winPath) bool {
	if !strings.EqualFold(p.root, q.root) || len(q.comps) > len(p.comps) {
		return false
	}
	for i, c := range q.comps {
		if !strings.EqualFold(c, p.comps[i]) {
			return false
		}
	}
	return true
}

func (p winPath) parent() (winPath, bool) {
	if len(p.comps) == 0 {
		return p, false
	}
	return winPath{root: p.root, comps: p.comps[:len(p.comps)-1]}, true
}

func isSep(c byte) bool { return c == '\\' || c == '/' }

func isDriveRoot(r string) bool {
	return len(r) == 2 && r[1] == ':' && (r[0]|0x20 >= 'a' && r[0]|0x20 <= 'z')
}

// badNameChar reports characters Windows refuses in a file or folder name.
func badNameChar(c rune) bool {
	return c < 0x20 || strings.ContainsRune(`<>:"|?*`, c)
}

// parsePath normalizes a Windows path. Relative and drive-relative paths
// are refused: the engine resolves names against its default folders first.
func parsePath(s string) (winPath, int) {
	var p winPath
	rest := s
	switch {
	case len(s) >= 2 && isSep(s[0]) && isSep(s[1]):
		parts := splitSeps(s[2:])
		if len(parts) < 2 || parts[0] == "?" || parts[0] == "." {
			return p, ErrInvalidName // \\server alone, \\?\ and \\.\ device paths
		}
		for _, x := range parts[:2] {
			if x == "." || x == ".." || strings.ContainsFunc(x, badNameChar) {
				return p, ErrInvalidName
			}
		}
		p.root = `\\` + parts[0] + `\` + parts[1]
		return normalize(p, parts[2:])
	case len(s) >= 2 && s[1] == ':' && isDriveRoot(s[:2]):
		if len(s) > 2 && !isSep(s[2]) {
			return p, ErrInvalidName // C:foo is relative to the drive's current folder
		}
		p.root = strings.ToUpper(s[:2])
		rest = s[2:]
	case s == "":
		return p, ErrInvalidName
	default:
		return p, ErrPathNotFound
	}
	return normalize(p, splitSeps(rest))
}

func normalize(p winPath, parts []string) (winPath, int) {
	for _, c := range parts {
		switch c {
		case ".":
		case "..":
			if len(p.comps) > 0 { // Windows stops at the root
				p.comps = p.comps[:len(p.comps)-1]
			}
		default:
			if strings.ContainsFunc(c, badNameChar) {
				return p, ErrInvalidName
			}
			p.comps = append(p.comps, c)
		}
	}
	return p, 0
}

// splitSeps splits on both separators and drops empty components.
func splitSeps(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\\' || r == '/' })
}

// Clean returns the normalized form of a Windows path ("c:/x/./y\.." ->
// `C:\x`), or an *OSError for a path Windows would refuse.
func Clean(path string) (string, error) {
	p, code := parsePath(path)
	if code != 0 {
		return "", osErr("clean", path, code, nil)
	}
	return p.String(), nil
}

// Join appends name to dir when name is relative (no drive, no UNC), the
// way SQL Server places a bare backup file name in its default folder.
func Join(dir, name string) string {
	if len(name) >= 2 && (isSep(name[0]) && isSep(name[1]) || name[1] == ':') {
		return name
	}
	return strings.TrimRight(dir, `\/`) + `\` + name
}
