package media

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchBytes is 64 MiB unless MEDIA_BENCH_BYTES says otherwise (1073741824
// for the 1 GiB figure of the speed goal).
func benchBytes(b *testing.B) int64 {
	if s := os.Getenv("MEDIA_BENCH_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("MEDIA_BENCH_BYTES=%q", s)
		}
		return n
	}
	return 64 << 20
}

// benchSource writes the "database file" both benchmarks start from.
func benchSource(b *testing.B, dir string, n int64) string {
	src := filepath.Join(dir, "mgc.mdf")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	chunk := payloadOf(1<<20, 7)
	for left := n; left > 0; left -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return src
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkCopyTwice is the baseline: the bytes copied file to file twice
// (database -> backup -> restored database), each copy fsynced.
func BenchmarkCopyTwice(b *testing.B) {
	dir := b.TempDir()
	n := benchBytes(b)
	src := benchSource(b, dir, n)
	b.SetBytes(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := copyFile(filepath.Join(dir, "copy1"), src); err != nil {
			b.Fatal(err)
		}
		if err := copyFile(filepath.Join(dir, "copy2"), filepath.Join(dir, "copy1")); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}

// BenchmarkWriteThenRead is BACKUP then RESTORE through this package: the
// database file streamed into a media set (INIT, checksummed, fsynced), then
// the set read back, verified, and written to a restored file (fsynced).
func BenchmarkWriteThenRead(b *testing.B) {
	for _, compress := range []bool{false, true} {
		name := "plain"
		if compress {
			name = "compressed"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			n := benchBytes(b)
			src := benchSource(b, dir, n)
			bak := filepath.Join(dir, "mgc.bak")
			b.SetBytes(n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, err := Write(bak, SetHeader{DatabaseName: "mgc", BackupType: TypeDatabase, BackupSize: n},
					WriteOptions{Init: true, Checksum: true, Compress: compress},
					func(w io.Writer) error {
						in, err := os.Open(src)
						if err != nil {
							return err
						}
						defer in.Close()
						_, err = io.CopyBuffer(w, in, make([]byte, frameChunk))
						return err
					})
				if err != nil {
					b.Fatal(err)
				}
				_, r, err := Open(bak, 1)
				if err != nil {
					b.Fatal(err)
				}
				out, err := os.Create(filepath.Join(dir, "restored.mdf"))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(out, r); err != nil {
					b.Fatal(err)
				}
				r.Close()
				if err := out.Sync(); err != nil {
					b.Fatal(err)
				}
				out.Close()
			}
			b.StopTimer()
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
		})
	}
}
