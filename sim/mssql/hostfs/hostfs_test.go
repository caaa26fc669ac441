package hostfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	svc    = `CONTOSO\sqlsvc`
	agent  = `CONTOSO\sqlagent`
	shareP = `\\files.contoso.test\pchat-logship`
	copyD  = `D:\PChatLogShipCopy`
	inst   = `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL`
)

type world struct {
	fs                *FS
	share, copy, data string
	outside           string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	base := t.TempDir()
	w := &world{share: filepath.Join(base, "share"), copy: filepath.Join(base, "copy"), data: filepath.Join(base, "data"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{w.share, w.copy, filepath.Join(w.data, "DATA"), filepath.Join(w.data, "Backup"), w.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(w.share, "mgc_full.bak"), []byte("full"), 0o644)
	os.WriteFile(filepath.Join(w.outside, "secret"), []byte("secret"), 0o644)
	os.Symlink(w.outside, filepath.Join(w.share, "link"))
	fsys, err := New(Config{
		Mounts: []Mount{{Prefix: shareP, Host: w.share}, {Prefix: copyD + `\`, Host: w.copy}, {Prefix: inst, Host: w.data}},
		Rules: []Rule{
			{Account: svc, Prefix: shareP, Access: ReadWrite},
			{Account: svc, Prefix: `C:\`, Access: ReadWrite},
			{Account: agent, Prefix: copyD, Access: ReadWrite},
			{Account: "*", Prefix: inst, Access: Read},
			{Account: agent, Prefix: shareP, Access: 0}, // the Agent account cannot read the share
			{Account: "*", Prefix: shareP, Access: Read},
		},
		DefaultData:   inst + `\DATA`,
		DefaultBackup: inst + `\Backup`,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	w.fs = fsys
	return w
}

func TestClean(t *testing.T) {
	cases := []struct {
		in, want string
		code     int
	}{
		{`c:/x/./y\..`, `C:\x`, 0},
		{`C:\`, `C:\`, 0},
		{`C:`, `C:\`, 0},
		{`C:\..\..\Windows`, `C:\Windows`, 0},
		{`\\srv\share\a\\b\`, `\\srv\share\a\b`, 0},
		{`//srv/share/../../x`, `\\srv\share\x`, 0},
		{`\\srv\share`, `\\srv\share`, 0},
		{`\\srv`, "", ErrInvalidName},
		{`\\?\C:\x`, "", ErrInvalidName},
		{`\\.\pipe\x`, "", ErrInvalidName},
		{`\\srv\..\x`, "", ErrInvalidName},
		{`C:x`, "", ErrInvalidName},
		{`C:\a<b`, "", ErrInvalidName},
		{`C:\a:b`, "", ErrInvalidName},
		{"C:\\a\x00b", "", ErrInvalidName},
		{`mgc.bak`, "", ErrPathNotFound},
		{``, "", ErrInvalidName},
	}
	for _, tc := range cases {
		got, err := Clean(tc.in)
		if got != tc.want || Code(err) != tc.code {
			t.Errorf("Clean(%q) = %q, %v; want %q, code %d", tc.in, got, err, tc.want, tc.code)
		}
	}
}

func TestJoin(t *testing.T) {
	cases := [][3]string{
		{`C:\Backup`, `mgc.bak`, `C:\Backup\mgc.bak`},
		{`C:\Backup\`, `mgc.bak`, `C:\Backup\mgc.bak`},
		{`C:\Backup`, `D:\x.bak`, `D:\x.bak`},
		{`C:\Backup`, `\\s\sh\x.bak`, `\\s\sh\x.bak`},
	}
	for _, c := range cases {
		if got := Join(c[0], c[1]); got != c[2] {
			t.Errorf("Join(%q,%q) = %q", c[0], c[1], got)
		}
	}
}

func TestResolve(t *testing.T) {
	w := newWorld(t)
	os.WriteFile(filepath.Join(w.copy, "mgc_1.trn"), nil, 0o644)
	cases := []struct {
		in   string
		host string // relative to the test's base folder
		code int
	}{
		{shareP + `\mgc_full.bak`, "share/mgc_full.bak", 0},
		{strings.ToUpper(shareP) + `\MGC_FULL.BAK`, "share/mgc_full.bak", 0},
		{`//files.contoso.test/pchat-logship/new.trn`, "share/new.trn", 0},
		{shareP + `\..\..\..\etc\passwd`, "share/etc/passwd", 0}, // clamps at the share root
		{`d:\pchatlogshipcopy\MGC_1.TRN`, "copy/mgc_1.trn", 0},
		{copyD + `\..\Windows\win.ini`, "", ErrPathNotFound}, // left the mount
		{copyD + `\..\..\..\..`, "", ErrPathNotFound},
		{`D:\PChatLogShipCopyX\a`, "", ErrPathNotFound}, // prefix must end at a component
		{`E:\x`, "", ErrPathNotFound},
		{`\\other.contoso.test\pchat-logship\x`, "", ErrBadNetPath},
		{inst + `\DATA\mgc.mdf`, "data/DATA/mgc.mdf", 0},
		{inst, "data", 0},
		{`relative.bak`, "", ErrPathNotFound},
		{`C:\bad|name`, "", ErrInvalidName},
	}
	base := filepath.Dir(w.share)
	for _, tc := range cases {
		got, err := w.fs.Resolve(tc.in)
		if Code(err) != tc.code {
			t.Errorf("Resolve(%q): %v, want code %d", tc.in, err, tc.code)
			continue
		}
		if tc.code == 0 && got != filepath.Join(base, filepath.FromSlash(tc.host)) {
			t.Errorf("Resolve(%q) = %q, want %s", tc.in, got, tc.host)
		}
	}
}

func TestAccessAndErrors(t *testing.T) {
	w := newWorld(t)
	type op func(account, path string) error
	open := func(a, p string) error {
		f, err := w.fs.Open(a, p)
		if err == nil {
			f.Close()
		}
		return err
	}
	create := func(a, p string) error {
		f, err := w.fs.Create(a, p)
		if err == nil {
			_, err = f.Write([]byte("x"))
			f.Close()
		}
		return err
	}
	stat := func(a, p string) error { _, err := w.fs.Stat(a, p); return err }
	cases := []struct {
		name    string
		op      op
		account string
		path    string
		code    int
	}{
		{"svc reads share", open, svc, shareP + `\mgc_full.bak`, 0},
		{"svc writes share", create, svc, shareP + `\mgc_1.trn`, 0},
		{"agent cannot read share", open, agent, shareP + `\mgc_full.bak`, ErrAccessDenied},
		{"agent cannot stat share", stat, agent, shareP + `\mgc_full.bak`, ErrAccessDenied},
		{"other account reads share", open, `CONTOSO\bob`, shareP + `\mgc_full.bak`, 0},
		{"other account cannot write share", create, `contoso\BOB`, shareP + `\x.trn`, ErrAccessDenied},
		{"agent writes copy", create, agent, copyD + `\mgc_1.trn`, 0},
		{"account names ignore case", create, strings.ToUpper(agent), copyD + `\mgc_2.trn`, 0},
		{"svc cannot write copy", create, svc, copyD + `\x.trn`, ErrAccessDenied},
		{"missing file", open, svc, shareP + `\nope.bak`, ErrFileNotFound},
		{"missing folder", open, svc, shareP + `\nofolder\nope.bak`, ErrPathNotFound},
		{"create in missing folder", create, svc, shareP + `\nofolder\x.bak`, ErrPathNotFound},
		{"file used as folder", open, svc, shareP + `\mgc_full.bak\x`, ErrPathNotFound},
		{"open a folder", open, svc, inst + `\DATA`, ErrAccessDenied},
		{"open a mount root", open, svc, shareP, ErrAccessDenied},
		{"symlink out of the mount", open, svc, shareP + `\link\secret`, ErrAccessDenied},
		{"outside every mount", open, svc, `C:\Windows\win.ini`, ErrPathNotFound},
		{"unknown server", open, svc, `\\nosuch\share\x`, ErrBadNetPath},
		{"syntax", open, svc, `C:\a?b`, ErrInvalidName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.op(tc.account, tc.path)
			if Code(err) != tc.code {
				t.Fatalf("got %v, want code %d", err, tc.code)
			}
			if err != nil {
				var oe *OSError
				if !errors.As(err, &oe) || oe.Path != tc.path || oe.Text == "" {
					t.Fatalf("error %#v does not carry the Windows path and text", err)
				}
			}
		})
	}
}

func TestOSErrorText(t *testing.T) {
	cases := []struct {
		code   int
		want   string
		target error
	}{
		{ErrAccessDenied, "Operating system error 5(Access is denied.).", fs.ErrPermission},
		{ErrFileNotFound, "Operating system error 2(The system cannot find the file specified.).", fs.ErrNotExist},
		{ErrPathNotFound, "Operating system error 3(The system cannot find the path specified.).", fs.ErrNotExist},
		{ErrBadNetPath, "Operating system error 53(The network path was not found.).", fs.ErrNotExist},
		{ErrDiskFull, "Operating system error 112(There is not enough space on the disk.).", nil},
		{ErrSharingViolation, "Operating system error 32(The process cannot access the file because it is being used by another process.).", nil},
		{ErrAlreadyExists, "Operating system error 183(Cannot create a file when that file already exists.).", fs.ErrExist},
	}
	for _, tc := range cases {
		e := osErr("open", `C:\x`, tc.code, nil)
		if e.Error() != tc.want {
			t.Errorf("code %d: %q", tc.code, e.Error())
		}
		if tc.target != nil && !errors.Is(e, tc.target) {
			t.Errorf("code %d is not %v", tc.code, tc.target)
		}
	}
}

func TestFileExists(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		account, path     string
		file, dir, parent bool
	}{
		{svc, shareP + `\mgc_full.bak`, true, false, true},
		{svc, shareP + `\MGC_FULL.BAK`, true, false, true},
		{svc, shareP + `\none.bak`, false, false, true},
		{svc, shareP + `\nodir\none.bak`, false, false, false},
		{svc, shareP, false, true, true},
		{svc, inst + `\DATA`, false, true, true},
		{agent, shareP + `\mgc_full.bak`, false, false, false}, // cannot see the share
		{agent, copyD, false, true, true},
		{svc, `\\nosuch\x\y`, false, false, false},
		{svc, `C:\Windows`, false, false, false},
		{svc, `not a path`, false, false, false},
	}
	for _, tc := range cases {
		f, d, p := w.fs.FileExists(tc.account, tc.path)
		if f != tc.file || d != tc.dir || p != tc.parent {
			t.Errorf("FileExists(%s, %q) = %v %v %v, want %v %v %v", tc.account, tc.path, f, d, p, tc.file, tc.dir, tc.parent)
		}
	}
}

func TestSharing(t *testing.T) {
	w := newWorld(t)
	p := shareP + `\mgc_2.trn`
	wr, err := w.fs.Create(svc, p)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		err  error
	}{
		{"second writer", func() error { _, err := w.fs.Create(svc, strings.ToUpper(p)); return err }()},
		{"reader while writing", func() error { _, err := w.fs.Open(svc, p); return err }()},
		{"remove while open", w.fs.Remove(svc, p)},
		{"rename while open", w.fs.Rename(svc, p, shareP+`\moved.trn`)},
	}
	for _, s := range steps {
		if Code(s.err) != ErrSharingViolation {
			t.Errorf("%s: %v, want 32", s.name, s.err)
		}
	}
	wr.Write([]byte("log"))
	wr.Close()
	r1, err := w.fs.Open(svc, p)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := w.fs.Open(`CONTOSO\bob`, p)
	if err != nil {
		t.Fatalf("readers must share: %v", err)
	}
	if _, err := w.fs.Create(svc, p); Code(err) != ErrSharingViolation {
		t.Fatalf("writer while reading: %v", err)
	}
	b, _ := io.ReadAll(r2)
	r1.Close()
	r2.Close()
	if string(b) != "log" {
		t.Fatalf("read %q", b)
	}
	if err := w.fs.Remove(svc, p); err != nil {
		t.Fatal(err)
	}
}

func TestFaults(t *testing.T) {
	w := newWorld(t)
	if err := w.fs.SetUnreachable(strings.ToUpper(shareP), true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.fs.Open(svc, shareP+`\mgc_full.bak`); Code(err) != ErrBadNetPath {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := w.fs.Resolve(shareP + `\x`); Code(err) != ErrBadNetPath {
		t.Fatalf("resolve unreachable: %v", err)
	}
	if f, d, p := w.fs.FileExists(svc, shareP+`\mgc_full.bak`); f || d || p {
		t.Fatal("unreachable share still visible")
	}
	w.fs.SetUnreachable(shareP, false)
	if _, err := w.fs.Stat(svc, shareP+`\mgc_full.bak`); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}

	f, err := w.fs.OpenFile(svc, shareP+`\big.bak`, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	w.fs.SetFull(shareP, true)
	if _, err := f.Write([]byte("x")); Code(err) != ErrDiskFull {
		t.Fatalf("write on full: %v", err)
	}
	f.Close()
	if _, err := w.fs.Create(svc, shareP+`\other.bak`); Code(err) != ErrDiskFull {
		t.Fatalf("create on full: %v", err)
	}
	if _, err := w.fs.Check(svc, shareP+`\other.bak`, Write); Code(err) != ErrDiskFull {
		t.Fatalf("check on full: %v", err)
	}
	if _, err := w.fs.Check(svc, shareP+`\mgc_full.bak`, Read); err != nil {
		t.Fatalf("reading a full share: %v", err)
	}
	if n, err := w.fs.FreeBytes(shareP); n != 0 || err != nil {
		t.Fatalf("free on full: %d %v", n, err)
	}
	w.fs.SetFull(shareP, false)
	if n, err := w.fs.FreeBytes(shareP + `\x`); n <= 0 || err != nil {
		t.Fatalf("free: %d %v", n, err)
	}
	w.fs.SetFreeBytes(shareP, 12345)
	if n, _ := w.fs.FreeBytes(shareP); n != 12345 {
		t.Fatalf("fixed free: %d", n)
	}
	if err := w.fs.SetFull(`\\nosuch\share`, true); err == nil {
		t.Fatal("fault on an unknown mount accepted")
	}
}

func TestSetAccess(t *testing.T) {
	w := newWorld(t)
	if _, err := w.fs.Check(agent, shareP+`\mgc_full.bak`, Read); Code(err) != ErrAccessDenied {
		t.Fatalf("before grant: %v", err)
	}
	if err := w.fs.SetAccess(agent, shareP, Read); err != nil {
		t.Fatal(err)
	}
	h, err := w.fs.Check(agent, shareP+`\mgc_full.bak`, Read)
	if err != nil || filepath.Base(h) != "mgc_full.bak" {
		t.Fatalf("after grant: %q %v", h, err)
	}
	if _, err := w.fs.Check(agent, shareP+`\mgc_full.bak`, Write); Code(err) != ErrAccessDenied {
		t.Fatalf("write after read grant: %v", err)
	}
}

func TestDirsAndRename(t *testing.T) {
	w := newWorld(t)
	if err := w.fs.MkdirAll(agent, copyD+`\mgc\sub`); err != nil {
		t.Fatal(err)
	}
	if err := w.fs.MkdirAll(agent, copyD+`\MGC\sub`); err != nil {
		t.Fatalf("existing (other case): %v", err)
	}
	for _, n := range []string{"b.trn", "a.trn"} {
		f, err := w.fs.Create(agent, copyD+`\mgc\`+n)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if err := w.fs.MkdirAll(agent, copyD+`\mgc\a.trn`); Code(err) != ErrAlreadyExists {
		t.Fatalf("mkdir over a file: %v", err)
	}
	ents, err := w.fs.ReadDir(agent, copyD+`\MGC`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a.trn,b.trn,sub" {
		t.Fatalf("ReadDir = %v", names)
	}
	if _, err := w.fs.ReadDir(svc, copyD); Code(err) != ErrAccessDenied {
		t.Fatalf("ReadDir without access: %v", err)
	}
	cases := []struct {
		from, to string
		code     int
	}{
		{copyD + `\mgc\a.trn`, copyD + `\mgc\b.trn`, ErrAlreadyExists},
		{copyD + `\mgc\a.trn`, copyD + `\mgc\c.trn`, 0},
		{copyD + `\mgc\a.trn`, copyD + `\mgc\d.trn`, ErrFileNotFound},
		{copyD + `\mgc\c.trn`, shareP + `\c.trn`, ErrAccessDenied}, // agent cannot write the share
	}
	for _, tc := range cases {
		if err := w.fs.Rename(agent, tc.from, tc.to); Code(err) != tc.code {
			t.Errorf("Rename(%q, %q): %v, want %d", tc.from, tc.to, err, tc.code)
		}
	}
	w.fs.SetAccess(agent, shareP, ReadWrite)
	if err := w.fs.Rename(agent, copyD+`\mgc\c.trn`, shareP+`\c.trn`); Code(err) != ErrNotSameDevice {
		t.Fatalf("cross-mount rename: %v", err)
	}
	if err := w.fs.Remove(agent, copyD+`\mgc`); Code(err) != ErrDirNotEmpty {
		t.Fatalf("remove non-empty: %v", err)
	}
	if err := w.fs.Remove(agent, copyD+`\mgc\c.trn`); err != nil {
		t.Fatal(err)
	}
	if err := w.fs.Remove(agent, copyD+`\mgc\c.trn`); Code(err) != ErrFileNotFound {
		t.Fatalf("remove twice: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		cfg  Config
	}{
		{"bad prefix", Config{Mounts: []Mount{{Prefix: `relative`, Host: dir}}}},
		{"missing host", Config{Mounts: []Mount{{Prefix: `C:\`, Host: filepath.Join(dir, "nope")}}}},
		{"twice", Config{Mounts: []Mount{{Prefix: `C:\x`, Host: dir}, {Prefix: `c:/X/`, Host: dir}}}},
		{"rule without account", Config{Rules: []Rule{{Prefix: `C:\`}}}},
		{"default outside mounts", Config{Mounts: []Mount{{Prefix: `C:\x`, Host: dir}}, DefaultBackup: `D:\b`}},
	}
	for _, tc := range cases {
		if _, err := New(tc.cfg); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// FuzzResolve: any string either fails with a Windows code or resolves to a
// host path inside one of the mounts' folders, and Clean is idempotent.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{shareP + `\a.bak`, copyD + `\..\..\x`, `C:\`, `\\a\b\..\..\..`, `c:/x/./y`, "C:\\\x00", `\\?\C:\`, `C:x`, `..\..\etc\passwd`, `D:\PChatLogShipCopy\link\..\..\secret`} {
		f.Add(s)
	}
	base := f.TempDir()
	dirs := map[string]string{shareP: "share", copyD: "copy", `C:\`: "c"}
	var mounts []Mount
	for pfx, d := range dirs {
		os.MkdirAll(filepath.Join(base, d), 0o755)
		mounts = append(mounts, Mount{Prefix: pfx, Host: filepath.Join(base, d)})
	}
	fsys, err := New(Config{Mounts: mounts})
	if err != nil {
		f.Fatal(err)
	}
	defer fsys.Close()
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := Clean(s); err == nil {
			if c2, err := Clean(c); err != nil || c2 != c {
				t.Fatalf("Clean not idempotent: %q -> %q -> %q %v", s, c, c2, err)
			}
		} else if Code(err) == 0 {
			t.Fatalf("Clean error without a code: %v", err)
		}
		h, err := fsys.Resolve(s)
		if err != nil {
			if Code(err) == 0 {
				t.Fatalf("Resolve error without a code: %v", err)
			}
			return
		}
		rel, rerr := filepath.Rel(base, h)
		if rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			t.Fatalf("Resolve(%q) = %q escapes %q", s, h, base)
		}
	})
}

// reads back to the same grant; anything else is refused by name.
func TestAccessFlagRoundTrip(t *testing.T) {
	for _, a := range []Access{0, Read, Write, ReadWrite} {
		got, err := ParseAccessFlag(a.Flag())
		if err != nil || got != a {
			t.Errorf("%v: flag %q read back as %v, %v", a, a.Flag(), got, err)
		}
	}
	if got, err := ParseAccessFlag("RW"); err != nil || got != ReadWrite {
		t.Errorf("RW: %v, %v", got, err)
	}
	if _, err := ParseAccessFlag("full"); err == nil || !strings.Contains(err.Error(), `"full"`) {
		t.Errorf("full: %v, want an error naming it", err)
	}
}
