package sqllogship

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func FuzzParseSQLLogShip(f *testing.F) {
	f.Add(Command("Backup", sqltypes.GUID{1, 2, 3}, "SQLP01"))
	f.Add(`"C:\x\sqllogship.exe" -restore {0A0B0C0D-0000-4000-8000-000000000001} -server B`)
	f.Add("sqllogship -Copy nope")
	f.Add("")
	f.Fuzz(func(t *testing.T, cmd string) {
		kind, id, ok := Parse(cmd)
		if !ok {
			return
		}
		if kind != "backup" && kind != "copy" && kind != "restore" {
			t.Fatalf("kind %q", kind)
		}
		// What parses round-trips through the command SQL Server writes.
		k2, id2, ok2 := Parse(Command(kind, id, "S"))
		if !ok2 || k2 != kind || id2 != id {
			t.Fatalf("round trip of %q: %q %v %v", cmd, k2, id2, ok2)
		}
	})
}

func FuzzParseLSFile(f *testing.F) {
	f.Add("mgc_20260302090000.trn", "mgc")
	f.Add(`D:\LSCopy\MGC_20261231235959.TRN`, "mgc")
	f.Add("mgc_2026030209000.trn", "mgc")
	f.Add("x_y_20260302090000.trn", "x_y")
	// Names whose lowered form is longer or shorter than the name (CI's fuzz
	// found a slice past the end of a 16-byte name this way).
	f.Add("\xff_\xff\xff12345678.trn", "\xff")
	f.Add("\u0130_2026030209000.trn", "\u0130")
	f.Add("\u0130\u0130_20260302090000.trn", "\u0130")
	f.Fuzz(func(t *testing.T, name, db string) {
		lf, ok := parseLSFile(name, db)
		if !ok {
			return
		}
		again, ok := parseLSFile(db+"_"+lf.at.Format(lsStamp)+".trn", db)
		if !ok || !again.at.Equal(lf.at) {
			t.Fatalf("%q: %v, round trip %v %v", name, lf.at, again.at, ok)
		}
	})
}
