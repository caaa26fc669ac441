package testbin

import (
	"os"
	"path/filepath"
	"testing"
)

// The prebuilt folder is used only when it holds every command asked for;
// otherwise the commands are built (into dir, named for their folder).
func TestBuild(t *testing.T) {
	pre := t.TempDir()
	if err := os.WriteFile(filepath.Join(pre, "racepkgs"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(Env, pre)
	bins, err := Build(t.TempDir(), "scripts/racepkgs")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(pre, "racepkgs"); len(bins) != 1 || bins[0] != want {
		t.Fatalf("prebuilt: got %q, want [%s]", bins, want)
	}

	t.Setenv(Env, t.TempDir()) // holds nothing: built
	dir := t.TempDir()
	bins, err = Build(dir, "scripts/racepkgs")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "racepkgs"); len(bins) != 1 || bins[0] != want {
		t.Fatalf("built: got %q, want [%s]", bins, want)
	}
	if fi, err := os.Stat(bins[0]); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("built binary: %v %v", fi, err)
	}
}
