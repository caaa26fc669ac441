package backupset

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sqlerr"
)

func msg(t *testing.T, err error) (int32, string) {
	t.Helper()
	var e *sqlerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a SQL Server message", err)
	}
	return e.Number, e.Message
}

func TestDoneMessage(t *testing.T) {
	n, text := msg(t, DoneMessage("BACKUP DATABASE", 10, 1500*time.Millisecond))
	if want := "BACKUP DATABASE successfully processed 10 pages in 1.500 seconds (0.052 MB/sec)."; n != sqlerr.BackupRestoreProcessed || text != want {
		t.Errorf("got %d %q, want 3014 %q", n, text, want)
	}
	// An instant copy is reported as taking a millisecond, not as infinitely fast.
	if _, text := msg(t, DoneMessage("RESTORE LOG", 0, 0)); !strings.Contains(text, "in 0.001 seconds (0.000 MB/sec)") {
		t.Errorf("instant copy: %q", text)
	}
}

func TestStats(t *testing.T) {
	var got []string
	st := NewStats(25, func(e *sqlerr.Error) error { got = append(got, e.Message); return nil })
	st.Progress(50, 100)
	st.Progress(60, 100)
	st.Progress(100, 100)
	want := "25 percent processed.|50 percent processed.|75 percent processed.|100 percent processed."
	if strings.Join(got, "|") != want {
		t.Errorf("messages %q, want %q", strings.Join(got, "|"), want)
	}
	var none *Stats = NewStats(0, nil)
	none.Progress(1, 1) // no STATS: nothing sent, no panic
	boom := errors.New("client gone")
	calls := 0
	st = NewStats(10, func(*sqlerr.Error) error { calls++; return boom })
	st.Progress(100, 100)
	st.Progress(100, 100)
	if calls != 1 || !errors.Is(st.Err, boom) {
		t.Errorf("after a failed send: %d calls, Err %v; want 1 call and the send's error", calls, st.Err)
	}
}

func TestPickSetAndReadErrors(t *testing.T) {
	c := &media.Contents{Sets: []media.SetHeader{{Position: 1}, {Position: 2}}}
	if s, err := PickSet("d.bak", c, 2); err != nil || s.Position != 2 {
		t.Errorf("FILE = 2: %v, %v", s.Position, err)
	}
	if n, text := msg(t, pickErr(PickSet("d.bak", c, 3))); n != sqlerr.FileIDNotOnDevice || text != "Cannot find file ID 3 on device 'd.bak'." {
		t.Errorf("FILE = 3 of 2: %d %q", n, text)
	}
	c.Incomplete = &media.Incomplete{Position: 3}
	if n, _ := msg(t, pickErr(PickSet("d.bak", c, 3))); n != sqlerr.BackupDeviceRead {
		t.Errorf("the unfinished set: %d, want 3203", n)
	}
	if n, _ := msg(t, MediaReadError("d.bak", fmt.Errorf("read: %w", media.ErrNotMedia))); n != sqlerr.MediaFamilyMalformed {
		t.Errorf("not media: %d, want 3241", n)
	}
	if n, _ := msg(t, MediaReadError("d.bak", &media.PositionError{Position: 4, Incomplete: true})); n != sqlerr.BackupDeviceRead {
		t.Errorf("incomplete position: %d, want 3203", n)
	}
}

func pickErr(_ media.SetHeader, err error) error { return err }

// The history row names LSNs as numeric(25,0) and an absent one as NULL.
func TestSetSQL(t *testing.T) {
	h := media.SetHeader{Position: 1, FirstLSN: uint64(lsn.OfSeq(0)), LastLSN: uint64(lsn.OfSeq(9)), DatabaseName: "mgc", BackupType: media.TypeLog}
	q := SetSQL(`C:\b\mgc.trn`, h, GUID{1}, GUID{2})
	for _, want := range []string{"CONVERT(numeric(25,0), '34000000001600001')", "CONVERT(numeric(25,0), '34000000002400002')", "'L'", `N'C:\b\mgc.trn'`, "SET @bs = SCOPE_IDENTITY();"} {
		if !strings.Contains(q, want) {
			t.Errorf("SetSQL lacks %s:\n%s", want, q)
		}
	}
}

// A bare device name is in the instance's backup folder; a path stays as
// it is. An extended procedure's OS failure is 22048 with the OS code.
func TestDevicePathAndXPError(t *testing.T) {
	fs, err := hostfs.New(hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: t.TempDir()}}, DefaultBackup: `C:\bk`})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	for name, want := range map[string]string{"mgc.bak": `C:\bk\mgc.bak`, `\\share\x\mgc.bak`: `\\share\x\mgc.bak`, `D:mgc.bak`: `D:mgc.bak`, "a/b.bak": "a/b.bak"} {
		if got := DevicePath(fs, name); got != want {
			t.Errorf("DevicePath(%q) = %q, want %q", name, got, want)
		}
	}
	e := XPError("xp_create_subdir", &hostfs.OSError{Code: 5, Text: "Access is denied."})
	if e.Number != 22048 || e.Message != "xp_create_subdir() returned error 5, 'Access is denied.'" {
		t.Fatalf("XPError: %d %q", e.Number, e.Message)
	}
	if e := XPError("xp_delete_file", errors.New("boom")); e.Message != "xp_delete_file() returned error 0, 'boom'" {
		t.Fatalf("XPError of a non-OS error: %q", e.Message)
	}
}
