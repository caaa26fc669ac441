package containers

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

func TestDockerfile(t *testing.T) {
	tests := []struct {
		name string
		spec ImageSpec
		want []string
		not  []string
	}{
		{"simulator", SimulatorSpec, []string{
			"FROM scratch\n",
			"COPY --chown=10001:10001 dirs/var/opt/mssql /var/opt/mssql\n",
			"COPY --chown=10001:10001 dirs/tmp /tmp\n",
			"COPY bin/mssqlsim /mssqlsim\n",
			"COPY bin/probe /probe\n",
			"EXPOSE 1433/tcp\n",
			"USER 10001:10001\n",
			`ENTRYPOINT ["/mssqlsim"]` + "\n",
			`CMD ["--listen","0.0.0.0:1433","--data","/var/opt/mssql"]` + "\n",
		}, []string{"RUN ", "PASSWORD"}},
		{"lyncfake", LyncFakeSpec, []string{
			"COPY bin/lyncfake /lyncfake\n", "EXPOSE 5985/tcp\n", `ENTRYPOINT ["/lyncfake"]`,
			"COPY --chown=10001:10001 dirs/etc/lyncfake /etc/lyncfake\n",
		}, []string{"RUN "}},
		{"no cmd", ImageSpec{Repo: "x/y", Binaries: []Binary{{Package: "./cmd/a", Name: "b"}}, Entrypoint: []string{"/b"}},
			[]string{"COPY bin/b /b\n", `ENTRYPOINT ["/b"]`}, []string{"CMD", "EXPOSE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			df := Dockerfile(tc.spec)
			if !strings.HasPrefix(df, "FROM scratch\n") {
				t.Errorf("Dockerfile does not start FROM scratch:\n%s", df)
			}
			for _, w := range tc.want {
				if !strings.Contains(df, w) {
					t.Errorf("Dockerfile lacks %q:\n%s", w, df)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(df, n) {
					t.Errorf("Dockerfile has %q:\n%s", n, df)
				}
			}
		})
	}
}

func simBins(sim, probe string) map[string][]byte {
	return map[string][]byte{"mssqlsim": []byte(sim), "probe": []byte(probe)}
}

func TestBuildContextDeterministicAndComplete(t *testing.T) {
	a, err := BuildContext(SimulatorSpec, simBins("ELF-sim", "ELF-probe"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildContext(SimulatorSpec, simBins("ELF-sim", "ELF-probe"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("same inputs gave different build contexts: the content hash would never match")
	}
	c, err := BuildContext(SimulatorSpec, simBins("ELF-sim2", "ELF-probe"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a) == sha256.Sum256(c) {
		t.Fatal("a changed binary kept the content hash: a stale image would be reused")
	}

	type entry struct {
		typ  byte
		mode int64
		uid  int
		body string
	}
	got := map[string]entry{}
	tr := tar.NewReader(bytes.NewReader(a))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if !h.ModTime.Equal(contextTime) {
			t.Errorf("%s: mtime %v, want the fixed context time", h.Name, h.ModTime)
		}
		got[h.Name] = entry{h.Typeflag, h.Mode, h.Uid, string(body)}
	}
	want := map[string]entry{
		"bin/mssqlsim":        {tar.TypeReg, 0o755, 0, "ELF-sim"},
		"bin/probe":           {tar.TypeReg, 0o755, 0, "ELF-probe"},
		"dirs/var/opt/mssql/": {tar.TypeDir, 0o755, ImageUID, ""},
		"dirs/share/":         {tar.TypeDir, 0o755, ImageUID, ""},
		"dirs/tmp/":           {tar.TypeDir, 0o1777, ImageUID, ""},
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("%s: got %+v (present %v), want %+v", name, g, ok, w)
		}
	}
	if df := got["Dockerfile"]; df.body != Dockerfile(SimulatorSpec) {
		t.Errorf("Dockerfile entry differs from Dockerfile(spec)")
	}
}

func TestBuildContextErrors(t *testing.T) {
	tests := []struct {
		name string
		spec ImageSpec
		bins map[string][]byte
		want string
	}{
		{"missing binary", SimulatorSpec, map[string][]byte{"mssqlsim": nil}, "binary probe missing"},
		{"relative dir", ImageSpec{Repo: "x/y", Entrypoint: []string{"/a"}, Dirs: []string{"data"}}, nil, "must be absolute"},
		{"dotdot dir", ImageSpec{Repo: "x/y", Entrypoint: []string{"/a"}, Dirs: []string{"/a/../etc"}}, nil, "must be absolute and clean"},
		{"no entrypoint", ImageSpec{Repo: "x/y"}, nil, "entrypoint are required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildContext(tc.spec, tc.bins)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestImageBuildAndReuse builds a small image of the probe alone (its
// sources do not move while other packages are edited), checks a second
// build reuses it by content hash, and removes it again.
func TestImageBuildAndReuse(t *testing.T) {
	d := requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	spec := ImageSpec{
		Repo:       "pchat-harness/test-probe-" + randomSuffix(),
		Binaries:   []Binary{{Package: "./sim/containers/cmd/probe"}},
		Dirs:       []string{"/tmp"},
		Entrypoint: []string{"/probe"},
	}
	t.Cleanup(func() {
		for _, tag := range []string{"dev", "h-"} {
			res, _ := d.cli.ImageList(context.Background(), client.ImageListOptions{Filters: make(client.Filters).Add("reference", spec.Repo)})
			for _, s := range res.Items {
				for _, rt := range s.RepoTags {
					if strings.Contains(rt, ":"+tag) {
						d.cli.ImageRemove(context.Background(), rt, client.ImageRemoveOptions{Force: true, PruneChildren: true})
					}
				}
			}
		}
		if ok, _ := d.ImagePresent(context.Background(), spec.Repo+":dev"); ok {
			t.Errorf("test image %s left behind", spec.Repo)
		}
	})
	first, err := d.BuildImage(ctx, spec, BuildOptions{Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	again, err := d.BuildImage(ctx, spec, BuildOptions{Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second look took %s", time.Since(began).Round(time.Millisecond))
	if first.Reused || !again.Reused || again.ID != first.ID || again.ContentHash != first.ContentHash {
		t.Fatalf("build then rebuild: %+v then %+v; want a build, then a reuse of the same image", first, again)
	}
	res, err := d.cli.ImageInspect(ctx, spec.Repo+":dev")
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != first.ID || res.Config.User != "10001:10001" || res.Config.Labels[LabelContentHash] != first.ContentHash {
		t.Fatalf(":dev is %s user %q labels %v", res.ID, res.Config.User, res.Config.Labels)
	} // Outside the source tree, a binary takes the :dev image as built.
	var log strings.Builder
	pre, err := d.prebuilt(ctx, spec, BuildOptions{Log: &log}, errors.New("outside the source tree"))
	if err != nil {
		t.Fatal(err)
	}
	if pre.ID != first.ID || pre.ContentHash != first.ContentHash || !pre.Reused || !strings.Contains(log.String(), "make images") {
		t.Fatalf("prebuilt %+v (log %q), want the image built above", pre, log.String())
	}
	if root, err := ModuleRoot(ctx); err != nil || root == "" {
		t.Errorf("the tests run inside the harness's source tree, which ModuleRoot denies: %q %v", root, err)
	}
}

// A binary run outside the source tree, with no image built, is told how
// to get one.
func TestPrebuiltImageMissing(t *testing.T) {
	d := requireDocker(t)
	spec := ImageSpec{Repo: "pchat-harness/never-built-" + randomSuffix()}
	_, err := d.prebuilt(context.Background(), spec, BuildOptions{}, errors.New("no Go toolchain"))
	if err == nil || !strings.Contains(err.Error(), "make images") || !strings.Contains(err.Error(), spec.Repo) || !strings.Contains(err.Error(), "no Go toolchain") {
		t.Fatalf("err %v, want one naming the image and `make images`", err)
	}
}

// TestSimulatorImageConfig checks the simulator image's run configuration.
func TestSimulatorImageConfig(t *testing.T) {
	img := simImage(t)
	d := requireDocker(t)
	res, err := d.cli.ImageInspect(context.Background(), img.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := res.Config
	if cfg.User != "10001:10001" || cfg.Labels[LabelContentHash] != img.ContentHash ||
		strings.Join(cfg.Entrypoint, " ") != "/mssqlsim" || len(res.RootFS.Layers) == 0 {
		t.Fatalf("image %s: user %q labels %v entrypoint %v", img.ID, cfg.User, cfg.Labels, cfg.Entrypoint)
	}
	if _, ok := cfg.ExposedPorts["1433/tcp"]; !ok {
		t.Errorf("image does not expose 1433/tcp: %v", cfg.ExposedPorts)
	}
}
