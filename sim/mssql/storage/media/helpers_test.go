package media

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0 }

// sampleHeader is a fully populated set header so round trips exercise
// every field kind.
func sampleHeader(i int) SetHeader {
	g := func(b byte) GUID {
		var x GUID
		for k := range x {
			x[k] = b + byte(k)
		}
		return x
	}
	return SetHeader{
		BackupName:           "mgc-Full Database Backup",
		BackupDescription:    "failback step 3 é",
		BackupType:           TypeDatabase,
		UserName:             `CONTOSO\sqlsvc`,
		ServerName:           "BACKUPSQL",
		DatabaseName:         "mgc",
		DatabaseVersion:      957,
		DatabaseCreationDate: t0.Add(-48 * time.Hour),
		FirstLSN:             uint64(i)*1000 + 1,
		LastLSN:              uint64(i)*1000 + 999,
		CheckpointLSN:        uint64(i)*1000 + 500,
		DatabaseBackupLSN:    1<<63 + 7,
		BackupStartDate:      t0.Add(time.Duration(i) * time.Minute),
		CompatibilityLevel:   110,
		SoftwareVendorID:     4608,
		SoftwareVersionMajor: 16,
		SoftwareVersionBuild: 1000,
		MachineName:          "BACKUPSQL",
		RecoveryForkID:       g(1),
		FirstRecoveryForkID:  g(1),
		FamilyGUID:           g(2),
		BackupSetGUID:        g(byte(3 + i)),
		Collation:            "SQL_Latin1_General_CP1_CI_AS",
		RecoveryModel:        "FULL",
		BeginsLogChain:       i == 0,
		IsCopyOnly:           i == 2,
		DifferentialBaseLSN:  42,
		DifferentialBaseGUID: g(9),
		DatabaseGUID:         g(10),
		Files: []FileEntry{
			{LogicalName: "mgc", PhysicalName: `D:\Data\mgc.mdf`, Type: "D", FileGroupName: "PRIMARY", Size: 8 << 20, FileID: 1, UniqueID: g(20), FileGroupID: 1, IsPresent: true},
			{LogicalName: "mgc_log", PhysicalName: `D:\Logs\mgc_log.ldf`, Type: "L", Size: 2 << 20, FileID: 2, UniqueID: g(40), IsPresent: true},
		},
	}
}

func payloadOf(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		// half-compressible: runs of a repeated byte with random bytes mixed in
		if i%64 < 40 {
			b[i] = byte(i / 4096)
		} else {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		// uneven pieces so frame cutting is exercised
		for len(data) > 0 {
			n := min(len(data), 300_001)
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
}

func mustWrite(t testing.TB, path string, hdr SetHeader, opts WriteOptions, data []byte) SetHeader {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	out, err := Write(path, hdr, opts, writeBytes(data))
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return out
}

func readSet(t testing.TB, path string, pos int) (SetHeader, []byte, error) {
	t.Helper()
	h, r, err := Open(path, pos)
	if err != nil {
		return h, nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, r)
	return h, buf.Bytes(), err
}

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), "mgc.bak") }

func fileBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
