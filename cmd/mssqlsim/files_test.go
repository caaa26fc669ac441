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
		paced   int // mounts behind a --mount-link
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
		{name: "share behind a link", args: []string{`--mount`, `C:\=/tmp`, `--mount`, `\\files\pchat=/tmp`, `--mount-link`, `\\FILES\pchat=172.18.0.1:40123`},
			mounts: 2, paced: 1},
		{name: "link of no mount", args: []string{`--mount`, `C:\=/tmp`, `--mount-link`, `\\files\pchat=172.18.0.1:40123`}, wantErr: true},
		{name: "link without a port", args: []string{`--mount`, `C:\=/tmp`, `--mount-link`, `C:\=172.18.0.1`}, wantErr: true},
		{name: "link twice", args: []string{`--mount`, `C:\=/tmp`, `--mount-link`, `C:\=127.0.0.1:1`, `--mount-link`, `C:\=127.0.0.1:2`}, wantErr: true},
		{name: "link without mount", args: []string{`--mount-link`, `C:\=127.0.0.1:1`}, wantErr: true},
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
			defer f.close()
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
			paced := 0
			for _, m := range cfg.Mounts {
				if m.Pacer != nil {
					paced++
				}
			}
			if len(cfg.Mounts) != tt.mounts || len(cfg.Rules) != len(tt.rules) || paced != tt.paced {
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
