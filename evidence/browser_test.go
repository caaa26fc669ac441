package evidence

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium; "" when none is installed.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runBrowser runs Chromium headless with a profile of its own; the
// deadline only bounds a hung browser, it asserts nothing about speed.
func runBrowser(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + t.TempDir(), "--no-first-run", "--disable-extensions"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return out
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func rgb(hex string) color.RGBA {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// pixels counts the pixels of each colour and the first row each is on.
func pixels(img image.Image, colours ...string) (count map[string]int, top map[string]int) {
	want := map[color.RGBA]string{}
	for _, c := range colours {
		want[rgb(c)] = c
	}
	count, top = map[string]int{}, map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
			if name, ok := want[c]; ok {
				if count[name] == 0 {
					top[name] = y
				}
				count[name]++
			}
		}
	}
	return count, top
}

// TestBrowserRendersVerdictAndStepBars opens report.html in headless
// Chromium: its DOM has the verdict first and a bar per step, and the
// screenshot shows the verdict's met and not-met colours above the step
// bars' colour; printed to PDF (and rasterised where pdftoppm is
// installed), the step bars keep their colour on paper.
func TestBrowserRendersVerdictAndStepBars(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium on this machine (Debian: apt-get install chromium): the browser check of report.html is skipped")
	}
	// EVIDENCE_BROWSER_OUT keeps the page, screenshot and PDF for a person
	// to look at.
	dir := os.Getenv("EVIDENCE_BROWSER_OUT")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rep := fixtureReport()
	if err := WriteFolder(dir, rep); err != nil {
		t.Fatal(err)
	}
	page := "file://" + filepath.Join(dir, HTMLFile)
	bars := 0
	for _, s := range rep.Sections {
		for _, r := range s.Runs {
			bars += len(r.Steps)
		}
	}

	dom := string(runBrowser(t, bin, "--dump-dom", page))
	verdict, header := strings.Index(dom, `<section id="verdict">`), strings.Index(dom, `<section id="header">`)
	if verdict < 0 || header < verdict {
		t.Errorf("in the browser's DOM the verdict is not the first section (verdict at %d, header at %d)", verdict, header)
	}
	for _, want := range []string{`<td class="v-met">met</td>`, `<td class="v-notmet">not met</td>`, `<div class="refusal"><b>Refused by precondition pool-failed-over</b>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %s", want)
		}
	}
	if n := strings.Count(dom, `class="step-bar"`); n != bars {
		t.Errorf("the DOM has %d step bars, want %d", n, bars)
	}

	shot := filepath.Join(dir, "report.png")
	runBrowser(t, bin, "--screenshot="+shot, "--window-size=1200,5000", page)
	img := readPNG(t, shot)
	count, top := pixels(img, ColourMet, ColourNotMet, ColourVerified)
	t.Logf("screenshot %v: met %d px from row %d, not met %d px from row %d, verified step bars %d px from row %d",
		img.Bounds().Size(), count[ColourMet], top[ColourMet], count[ColourNotMet], top[ColourNotMet], count[ColourVerified], top[ColourVerified])
	for _, c := range []struct{ colour, what string }{{ColourMet, "a met verdict"}, {ColourNotMet, "a not-met verdict"}, {ColourVerified, "step bars"}} {
		if count[c.colour] < 200 {
			t.Errorf("the screenshot shows %s (%s) on %d pixels only", c.what, c.colour, count[c.colour])
		}
	}
	if count[ColourNotMet] > 0 && count[ColourVerified] > 0 && top[ColourNotMet] > top[ColourVerified] {
		t.Errorf("the verdict (row %d) is drawn below the first step bar (row %d)", top[ColourNotMet], top[ColourVerified])
	}

	pdf := filepath.Join(dir, "report.pdf")
	runBrowser(t, bin, "--print-to-pdf="+pdf, "--no-pdf-header-footer", page)
	if fi, err := os.Stat(pdf); err != nil || fi.Size() < 1000 {
		t.Fatalf("printing to PDF: %v", err)
	}
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Logf("no pdftoppm (Debian: poppler-utils): the printed page's colours are not checked")
		return
	}
	prefix := filepath.Join(dir, "printed")
	if out, err := exec.Command(pdftoppm, "-r", "60", "-png", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(prefix + "*.png")
	printed := 0
	for _, p := range pages {
		c, _ := pixels(readPNG(t, p), ColourVerified)
		printed += c[ColourVerified]
	}
	if printed < 50 {
		t.Errorf("printed (%d pages), the step bars' colour is on %d pixels: print drops the bars", len(pages), printed)
	}
	t.Logf("printed: %d pages, step-bar colour on %d pixels", len(pages), printed)
}
