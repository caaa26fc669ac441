package containers

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Image names this package builds. The :dev tag always points at the image
// built from the current sources; an h-<hash> tag names each content.
const (
	SimulatorRepo  = "pchat-harness/mssqlsim"
	LyncFakeRepo   = "pchat-harness/lyncfake"
	SimulatorImage = SimulatorRepo + ":dev"
	LyncFakeImage  = LyncFakeRepo + ":dev"
	devTag         = "dev"
	// ImageUID is the user the images run as: the same uid as the real SQL
	// Server image's mssql user, so one share folder serves both.
	ImageUID = 10001
)

// Binary is one Go main package compiled into an image.
type Binary struct {
	Package string // import path relative to the module root, e.g. ./cmd/mssqlsim
	Name    string // file name at the image root; default: the package's last element
}

// ImageSpec describes a FROM scratch image: static binaries at the root,
// empty directories owned by ImageUID, and how the container starts.
type ImageSpec struct {
	Repo       string
	Binaries   []Binary
	Dirs       []string // absolute paths created empty, owned by ImageUID
	Entrypoint []string
	Cmd        []string
	Expose     []string // e.g. "1433/tcp"
}

// SimulatorSpec is the simulator image. Its data folder is /var/opt/mssql,
// the real image's, so a compose file or StartSQL can swap one for the other;
// /share is where the backup share is mounted. /probe is the network and
// file probe used by checks (a scratch image has no shell).
var SimulatorSpec = ImageSpec{
	Repo:       SimulatorRepo,
	Binaries:   []Binary{{Package: "./cmd/mssqlsim"}, {Package: "./sim/containers/cmd/probe"}},
	Dirs:       []string{"/var/opt/mssql", "/share", "/tmp"},
	Entrypoint: []string{"/mssqlsim"},
	Cmd:        []string{"--listen", "0.0.0.0:1433", "--data", "/var/opt/mssql"},
	Expose:     []string{"1433/tcp"},
}

// LyncFakeSpec is the fake Lync endpoint image. The topology file is copied
// to /etc/lyncfake/topology.yaml when a container is created.
var LyncFakeSpec = ImageSpec{
	Repo:       LyncFakeRepo,
	Binaries:   []Binary{{Package: "./cmd/lyncfake"}, {Package: "./sim/containers/cmd/probe"}},
	Dirs:       []string{"/data", "/share", "/tmp", "/etc/lyncfake"},
	Entrypoint: []string{"/lyncfake"},
	Cmd:        []string{"--listen", "0.0.0.0:5985", "--topology", "/etc/lyncfake/topology.yaml", "--state", "/data/state.json"},
	Expose:     []string{"5985/tcp"},
}

func (b Binary) name() string {
	if b.Name != "" {
		return b.Name
	}
	return path.Base(b.Package)
}

// Image is a built (or reused) image.
type Image struct {
	Ref         string // repo:dev
	HashRef     string // repo:h-<hash>
	ID          string
	ContentHash string // sha256 of the build context
	Reused      bool   // an image with the same content existed; nothing was built
}

// RunRef is the reference containers are started from: the content tag
// when there is one, so that a :dev moved meanwhile by another build (a
// second checkout of the repository on the same daemon) never swaps the
// binaries under a running test; :dev for a prebuilt image.
func (i Image) RunRef() string {
	if i.HashRef != "" {
		return i.HashRef
	}
	return i.Ref
}

// BuildOptions tune BuildImage.
type BuildOptions struct {
	// ModuleDir is the module root holding the binaries' packages; default:
	// the module of the current directory (go env GOMOD).
	ModuleDir string
	// Log receives one line per step (go build, reuse, tags); nil discards.
	Log io.Writer
	// Verbose also sends the docker build stream to Log.
	Verbose bool
	// Force builds even when an image with the same content exists.
	Force bool
}

// BuildImage compiles spec's binaries (CGO_ENABLED=0, -trimpath, stripped,
// no VCS stamp so the bytes depend on the sources only), packs them with a
// generated Dockerfile, and builds the image through testcontainers, unless
// an image with the same content hash exists: then it only moves :dev.
// Older h-<hash> tags of the repo are removed so a dev loop does not pile up
// images.
func (d *Docker) BuildImage(ctx context.Context, spec ImageSpec, opts BuildOptions) (Image, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	goarch, err := d.goArch(ctx)
	if err != nil {
		return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
	}
	tmp, err := os.MkdirTemp("", "pchat-image-")
	if err != nil {
		return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
	}
	defer os.RemoveAll(tmp)
	if err := compile(ctx, opts.ModuleDir, goarch, tmp, spec.Binaries, log); err != nil {
		return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
	}
	bins := map[string][]byte{}
	for _, b := range spec.Binaries {
		data, err := os.ReadFile(filepath.Join(tmp, b.name()))
		if err != nil {
			return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
		}
		bins[b.name()] = data
	}
	archive, err := BuildContext(spec, bins)
	if err != nil {
		return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
	}
	sum := sha256.Sum256(archive)
	img := Image{
		Ref:         spec.Repo + ":" + devTag,
		ContentHash: hex.EncodeToString(sum[:]),
	}
	img.HashRef = spec.Repo + ":h-" + img.ContentHash[:16]

	if !opts.Force {
		if id, ok, err := d.imageWithHash(ctx, img.HashRef, img.ContentHash); err != nil {
			return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
		} else if ok {
			if _, err := d.cli.ImageTag(ctx, client.ImageTagOptions{Source: id, Target: img.Ref}); err != nil {
				return Image{}, fmt.Errorf("build %s: tag %s: %w", spec.Repo, img.Ref, err)
			}
			img.ID, img.Reused = id, true
			fmt.Fprintf(log, "image %s reused (%s)\n", img.Ref, img.HashRef)
			return img, nil
		}
	}

	buildLog := io.Discard
	if opts.Verbose {
		buildLog = log
	}
	started := time.Now()
	req := testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		ContextArchive: bytes.NewReader(archive),
		Repo:           spec.Repo,
		Tag:            "h-" + img.ContentHash[:16],
		KeepImage:      true,
		BuildLogWriter: buildLog,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Tags = append(o.Tags, img.Ref)
			o.Labels = map[string]string{LabelContentHash: img.ContentHash}
			o.Remove, o.ForceRemove = true, true
		},
	}}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return Image{}, fmt.Errorf("build %s: %w: %v", spec.Repo, ErrNoDocker, err)
	}
	defer provider.Close()
	if _, err := provider.BuildImage(ctx, &req); err != nil {
		return Image{}, fmt.Errorf("build %s: %w", spec.Repo, err)
	}
	id, ok, err := d.imageWithHash(ctx, img.HashRef, img.ContentHash)
	if err != nil || !ok {
		return Image{}, fmt.Errorf("build %s: built image %s not found (%v)", spec.Repo, img.HashRef, err)
	}
	img.ID = id
	fmt.Fprintf(log, "image %s built as %s (%s)\n", img.Ref, img.HashRef, time.Since(started).Round(time.Millisecond))
	d.pruneOldHashes(ctx, spec.Repo, img.ContentHash, log)
	return img, nil
}

// imageWithHash finds ref and checks its content label, so a tag that was
// reused by hand for something else is not mistaken for our build.
func (d *Docker) imageWithHash(ctx context.Context, ref, hash string) (string, bool, error) {
	ok, err := d.ImagePresent(ctx, ref)
	if err != nil || !ok {
		return "", false, err
	}
	res, err := d.cli.ImageInspect(ctx, ref)
	if err != nil {
		return "", false, fmt.Errorf("inspect %s: %w", ref, err)
	}
	if res.Config == nil || res.Config.Labels[LabelContentHash] != hash {
		return "", false, nil
	}
	return res.ID, true, nil
}

// pruneOldHashes removes h-<hash> tags of repo for other contents. Images a
// container still uses stay (the daemon refuses, and that is fine).
func (d *Docker) pruneOldHashes(ctx context.Context, repo, keep string, log io.Writer) {
	res, err := d.cli.ImageList(ctx, client.ImageListOptions{
		Filters: make(client.Filters).Add("reference", repo).Add("label", LabelContentHash),
	})
	if err != nil {
		return
	}
	for _, s := range res.Items {
		if s.Labels[LabelContentHash] == keep {
			continue
		}
		for _, tag := range s.RepoTags {
			if strings.HasPrefix(tag, repo+":h-") {
				if _, err := d.cli.ImageRemove(ctx, tag, client.ImageRemoveOptions{PruneChildren: true}); err == nil {
					fmt.Fprintf(log, "removed old image %s\n", tag)
				}
			}
		}
	}
}

// compile builds static linux binaries of pkgs into dir.
func compile(ctx context.Context, moduleDir, goarch, dir string, bins []Binary, log io.Writer) error {
	if moduleDir == "" {
		var err error
		if moduleDir, err = ModuleRoot(ctx); err != nil {
			return err
		}
	}
	for _, b := range bins {
		args := []string{"build", "-buildvcs=false", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, b.name()), b.Package}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = moduleDir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s: %w\n%s", b.Package, err, strings.TrimSpace(out.String()))
		}
		fmt.Fprintf(log, "go build %s (%s)\n", b.Package, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// ModulePath is the harness's module: the images are built from its source.
const ModulePath = "github.com/pchatdr/harness"

// prebuilt is spec's :dev image as `make images` (or an earlier run in the
// source tree) left it, for a binary run where the images cannot be
// compiled (why: outside the source tree, or no Go toolchain).
func (d *Docker) prebuilt(ctx context.Context, spec ImageSpec, opts BuildOptions, why error) (Image, error) {
	ref := spec.Repo + ":" + devTag
	res, err := d.cli.ImageInspect(ctx, ref)
	if errdefs.IsNotFound(err) {
		return Image{}, fmt.Errorf("image %s: not built, and it cannot be built here (%v); run from the repository, or build the images there first with `make images`", ref, why)
	}
	if err != nil {
		return Image{}, fmt.Errorf("inspect %s: %w", ref, err)
	}
	img := Image{Ref: ref, ID: res.ID, Reused: true}
	if res.Config != nil {
		img.ContentHash = res.Config.Labels[LabelContentHash]
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "using the image %s as built (%s): %v; `make images` in the repository rebuilds it\n", ref, res.Created, why)
	}
	return img, nil
}

// ModuleRoot is the root of the harness's source tree holding the current
// directory. Outside it (or without a Go toolchain) it says why: the
// images' binaries can only be compiled there.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("the harness's source tree (%s) not found: go list -m: %w", ModulePath, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, dir, ok := strings.Cut(line, "\t"); ok && path == ModulePath && dir != "" {
			return dir, nil
		}
	}
	return "", fmt.Errorf("the current directory is not in the harness's source tree (%s)", ModulePath)
}

// Dockerfile is the generated Dockerfile for spec. Each empty directory is
// copied from the context with its owner set, since a scratch image has no
// mkdir or chown to RUN.
func Dockerfile(spec ImageSpec) string {
	var b strings.Builder
	b.WriteString("FROM scratch\n")
	fmt.Fprintf(&b, "LABEL %s=%q\n", LabelProject, "true")
	for _, d := range sortedDirs(spec.Dirs) {
		fmt.Fprintf(&b, "COPY --chown=%d:%d dirs%s %s\n", ImageUID, ImageUID, d, d)
	}
	for _, bin := range spec.Binaries {
		fmt.Fprintf(&b, "COPY bin/%s /%s\n", bin.name(), bin.name())
	}
	for _, p := range spec.Expose {
		fmt.Fprintf(&b, "EXPOSE %s\n", p)
	}
	fmt.Fprintf(&b, "USER %d:%d\n", ImageUID, ImageUID)
	fmt.Fprintf(&b, "ENTRYPOINT %s\n", jsonArray(spec.Entrypoint))
	if len(spec.Cmd) > 0 {
		fmt.Fprintf(&b, "CMD %s\n", jsonArray(spec.Cmd))
	}
	return b.String()
}

func jsonArray(s []string) string {
	if s == nil {
		s = []string{}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func sortedDirs(dirs []string) []string {
	out := append([]string(nil), dirs...)
	sort.Strings(out)
	return out
}

// contextTime is the modification time of every entry, so the same inputs
// give the same archive bytes and the same content hash.
var contextTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// BuildContext is the tar build context for spec with the compiled binaries
// (by file name). It is deterministic: same inputs, same bytes.
func BuildContext(spec ImageSpec, bins map[string][]byte) ([]byte, error) {
	if spec.Repo == "" || len(spec.Entrypoint) == 0 {
		return nil, fmt.Errorf("image spec: repo and entrypoint are required")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, data []byte) error {
		h.ModTime, h.Format = contextTime, tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	df := []byte(Dockerfile(spec))
	if err := add(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), Typeflag: tar.TypeReg}, df); err != nil {
		return nil, err
	}
	for _, d := range sortedDirs(spec.Dirs) {
		if !strings.HasPrefix(d, "/") || strings.Contains(d, "..") {
			return nil, fmt.Errorf("image spec %s: directory %q must be absolute and clean", spec.Repo, d)
		}
		mode := int64(0o755)
		if d == "/tmp" {
			mode = 0o1777
		}
		h := &tar.Header{Name: "dirs" + d + "/", Mode: mode, Typeflag: tar.TypeDir, Uid: ImageUID, Gid: ImageUID}
		if err := add(h, nil); err != nil {
			return nil, err
		}
	}
	for _, b := range spec.Binaries {
		data, ok := bins[b.name()]
		if !ok {
			return nil, fmt.Errorf("image spec %s: binary %s missing", spec.Repo, b.name())
		}
		h := &tar.Header{Name: "bin/" + b.name(), Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}
		if err := add(h, data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// images memoises EnsureImage per repo for the life of the process.
var images struct {
	mu   sync.Mutex
	done map[string]Image
}

// EnsureImage builds (or reuses) spec's image once per process; later calls
// return the first result. Use BuildImage to force a fresh look.
func (d *Docker) EnsureImage(ctx context.Context, spec ImageSpec, opts BuildOptions) (Image, error) {
	images.mu.Lock()
	defer images.mu.Unlock()
	if img, ok := images.done[spec.Repo]; ok {
		return img, nil
	}
	var img Image
	var err error
	if opts.ModuleDir == "" {
		opts.ModuleDir, err = ModuleRoot(ctx)
	}
	if err != nil {
		img, err = d.prebuilt(ctx, spec, opts, err)
	} else {
		img, err = d.BuildImage(ctx, spec, opts)
	}
	if err != nil {
		return Image{}, err
	}
	if images.done == nil {
		images.done = map[string]Image{}
	}
	images.done[spec.Repo] = img
	return img, nil
}
