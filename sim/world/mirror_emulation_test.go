package world

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/pchatdr/harness/failback/lync"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/topologies"
)

// TestInstallMirrorRequestsFromEvents: what the world rebuilds from an
// endpoint's events (the containers target) is what the in-process hook
// gets for the same Install-CsMirrorDatabase call, for each parameter
// set; a refused or -WhatIf call yields nothing.
func TestInstallMirrorRequestsFromEvents(t *testing.T) {
	const pre = `Import-Module SkypeForBusiness; ` // embedded.yaml's pool has no product: the default
	const args = ` -SqlServerFqdn 'sqlbak.dc2.contoso.test' -FileShare '\\files.contoso.test\pchat-logship'`
	cases := []struct {
		name, script string
		want         int // requests
	}{
		{"mgc", pre + `Install-CsMirrorDatabase -DatabaseType PersistentChat` + args, 1},
		{"mgccomp, named instance, drop existing", pre + `Install-CsMirrorDatabase -DatabaseType PersistentChatCompliance -SqlInstanceName 'PCHAT' -DropExistingDatabasesOnMirror` + args, 1},
		{"configured databases", pre + `Install-CsMirrorDatabase -ConfiguredDatabases` + args, 2},
		{"what if", pre + `Install-CsMirrorDatabase -DatabaseType PersistentChat -WhatIf` + args, 0},
		{"unknown server", pre + `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn 'nosuch.contoso.test' -FileShare '\\files.contoso.test\pchat-logship'`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var hooked []lyncfake.MirrorRequest
			withHook := startFake(t, func(_ context.Context, r lyncfake.MirrorRequest) error {
				mu.Lock()
				defer mu.Unlock()
				hooked = append(hooked, r)
				return nil
			})
			recordOnly := startFake(t, nil)
			run(t, withHook, tc.script)
			run(t, recordOnly, tc.script)

			var calls installMirrorCalls
			var rebuilt []lyncfake.MirrorRequest
			for _, e := range recordOnly.Events() {
				mirrors, ok := calls.next(e)
				if !ok {
					continue
				}
				for _, m := range mirrors {
					r, err := mirrorRequestFrom(e, m)
					if err != nil {
						t.Fatal(err)
					}
					rebuilt = append(rebuilt, r)
				}
			}
			if len(hooked) != tc.want || !reflect.DeepEqual(rebuilt, hooked) {
				t.Errorf("rebuilt from events:\n%+v\nthe hook got (want %d):\n%+v", rebuilt, tc.want, hooked)
			}
		})
	}
}

func startFake(t *testing.T, hook func(context.Context, lyncfake.MirrorRequest) error) *lyncfake.Server {
	t.Helper()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := lyncfake.Start(lyncfake.Options{Pool: pool.FromTopology(topo), Users: map[string]string{`CONTOSO\u`: "p"}, AllowUnencrypted: true, InstallMirror: hook})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// run sends a script over WinRM (NTLM over plain HTTP on loopback, which
// the fake allows with AllowUnencrypted: the test owns both ends), as the
// engine does; a refused cmdlet is
// part of the cases, so the exit code is not checked.
func run(t *testing.T, srv *lyncfake.Server, script string) {
	t.Helper()
	r, err := lync.NewWinRMRunner(lync.WinRMConfig{URL: srv.URL + "/wsman", User: `CONTOSO\u`, Password: "p", Auth: lync.AuthNTLM, AllowUnencrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), script); err != nil {
		t.Fatal(err)
	}
}
