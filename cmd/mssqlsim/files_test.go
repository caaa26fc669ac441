package main

import (
	"flag"
	"io"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

func TestFileFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		mounts  int
		rules   []hostfs.Rule
	}{
		{name: "none", args: nil},
		{name: "mount and access", args: []string{`--mount`, `\\files\pchat=/tmp`, `--access`, `CONTOSO\sqlagent:r:\\files\pchat`, `--access`, `*:none:\\files\pchat\private`},
			mounts: 1, rules: []hostfs.Rule{{Account: `CONTOSO\sqlagent`, Prefix: `\\files\pchat`, Access: hostfs.Read}, {Account: "*", Prefix: `\\files\pchat\private`}}},
		{name: "drive prefix keeps its colon", args: []string{`--mount`, `C:\=/tmp`, `--access`, `svc:rw:C:\Backup`},
			mounts: 1, rules: []hostfs.Rule{{Account: "svc", Prefix: `C:\Backup`, Access: hostfs.ReadWrite}}},
		{name: "bad mount", args: []string{`--mount`, `C:\`}, wantErr: true},
		{name: "bad access", args: []string{`--mount`, `C:\=/tmp`, `--access`, `svc:x:C:\`}, wantErr: true},
		{name: "access without mount", args: []string{`--access`, `svc:r:C:\`}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := addFileFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if cfg == nil {
				if tt.mounts != 0 {
					t.Fatal("nil config")
				}
				return
			}
			if len(cfg.Mounts) != tt.mounts || len(cfg.Rules) != len(tt.rules) {
				t.Fatalf("config %+v", cfg)
			}
			for i, r := range tt.rules {
				if cfg.Rules[i] != r {
					t.Fatalf("rule %d = %+v, want %+v", i, cfg.Rules[i], r)
				}
			}
		})
	}
}
