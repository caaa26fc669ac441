package lync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pchatdr/harness/fakes/lync/pool"
)

// hookRecorder is an InstallMirror hook that records its requests and
// fails the databases named in fail.
type hookRecorder struct {
	mu   sync.Mutex
	reqs []MirrorRequest
	fail map[string]error // by database
}

func (h *hookRecorder) install(ctx context.Context, req MirrorRequest) error {
	if ctx == nil {
		return errors.New("no context")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reqs = append(h.reqs, req)
	return h.fail[req.Database]
}

func (h *hookRecorder) requests() []MirrorRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reqs)
}

// mirrored lists "site/type" of the pairs the pool records as mirrored.
func mirrored(st pool.State) []string {
	var out []string
	for _, mp := range st.Databases {
		if mp.Mirrored {
			out = append(out, mp.Site+"/"+mp.DatabaseType)
		}
	}
	slices.Sort(out)
	return out
}

func TestInstallMirrorHook(t *testing.T) {
	const share = `\\files.contoso.test\pchat-logship`
	bak, bakMir := "sqlbak.dc2.contoso.test", "sqlbakmir.dc2.contoso.test"
	mgc := MirrorRequest{DatabaseType: pool.DBPersistentChat, Database: "mgc", Principal: bak, Mirror: bakMir, FileShare: share}
	comp := MirrorRequest{DatabaseType: pool.DBPersistentChatCompliance, Database: "mgccomp", Principal: bak, Mirror: bakMir, FileShare: share}
	withOpts := func(r MirrorRequest, inst string, drop bool) MirrorRequest {
		r.SqlInstanceName, r.DropExisting = inst, drop
		return r
	}
	cases := []struct {
		name    string
		script  string
		fail    map[string]error
		want    []MirrorRequest
		wantErr string   // in the cmdlet's error text; "" = success
		after   []string // backup-site pairs the pool records as mirrored
	}{
		{name: "failover step 6, one database type",
			script: `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare '` + share + `' -Confirm:$false`,
			want:   []MirrorRequest{mgc}, after: []string{"backup/PersistentChat"}},
		{name: "configured databases with instance and drop",
			script: `Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn sqlbak.dc2.contoso.test -ForInstance PCHAT -FileShare '` + share + `' -DropExistingDatabasesOnMirror -Confirm:$false`,
			want:   []MirrorRequest{withOpts(mgc, "PCHAT", true), withOpts(comp, "PCHAT", true)}, after: []string{"backup/PersistentChat", "backup/PersistentChatCompliance"}},
		{name: "hook error is the cmdlet's error, nothing recorded",
			script: `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare '` + share + `' -Confirm:$false`,
			fail:   map[string]error{"mgc": errors.New("ALTER DATABASE [mgc] SET PARTNER: Msg 1418, the server network address cannot be reached")},
			want:   []MirrorRequest{mgc}, wantErr: `Mirroring of PersistentChat database "mgc" on "sqlbak.dc2.contoso.test" to "sqlbakmir.dc2.contoso.test" failed: ALTER DATABASE [mgc] SET PARTNER: Msg 1418`},
		{name: "the first failure stops the cmdlet",
			script: `Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare '` + share + `' -Confirm:$false`,
			fail:   map[string]error{"mgc": errors.New("restore on the mirror failed")},
			want:   []MirrorRequest{mgc}, wantErr: "restore on the mirror failed"},
		{name: "WhatIf changes nothing and sets nothing up",
			script: `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare '` + share + `' -WhatIf`},
		{name: "a refused cmdlet never reaches the SQL Servers",
			script:  `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn nobody.contoso.test -FileShare '` + share + `'`,
			wantErr: `SQL Server "nobody.contoso.test" does not host`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &hookRecorder{fail: tc.fail}
			s := startServer(t, func(o *Options) { o.InstallMirror = h.install })
			before := mirrored(s.State())
			_, errOut, code := runPS(t, client(t, s, testPass), "$ErrorActionPreference = 'Stop'; "+tc.script)
			text := decodeCLIXML(errOut)
			if tc.wantErr == "" && code != 0 {
				t.Fatalf("exit %d: %s", code, text)
			}
			if tc.wantErr != "" && (code != 1 || !strings.Contains(text, tc.wantErr)) {
				t.Fatalf("exit %d stderr:\n%s\nwant %q", code, text, tc.wantErr)
			}
			if got := h.requests(); !slices.Equal(got, tc.want) {
				t.Errorf("hook calls:\n got %+v\nwant %+v", got, tc.want)
			}
			want := slices.Clone(before)
			if tc.wantErr == "" {
				for _, a := range tc.after {
					if !slices.Contains(want, a) {
						want = append(want, a)
					}
				}
				slices.Sort(want)
			}
			if got := mirrored(s.State()); !slices.Equal(got, want) {
				t.Errorf("mirrored pairs %v, want %v", got, want)
			}
		})
	}
}

// TestInstallMirrorWithoutHook keeps the fake usable with no SQL Servers:
// the cmdlet records the pair and says so.
func TestInstallMirrorWithoutHook(t *testing.T) {
	s := startServer(t, nil)
	out, errOut, code := runPS(t, client(t, s, testPass), `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare \\f\s -Confirm:$false`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, decodeCLIXML(errOut))
	}
	if !strings.Contains(out, `Mirroring of PersistentChat databases on "sqlbak.dc2.contoso.test" to "sqlbakmir.dc2.contoso.test" is established.`) {
		t.Errorf("output %q", out)
	}
	if got := mirrored(s.State()); !slices.Contains(got, "backup/PersistentChat") {
		t.Errorf("mirrored pairs %v: the backup mgc pair is not recorded", got)
	}
}
