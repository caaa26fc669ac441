package wan

import (
	"context"
	"io"
)

// Writer paces every write to w over the link (a file written on a share
// in the other data center): the bytes are booked on the link, then handed
// to w.
func (l *Link) Writer(ctx context.Context, w io.Writer) io.Writer {
	return &pacedWriter{ctx: ctx, l: l, w: w}
}

// Reader paces every read from r over the link.
func (l *Link) Reader(ctx context.Context, r io.Reader) io.Reader {
	return &pacedReader{ctx: ctx, l: l, r: r}
}

type pacedWriter struct {
	ctx context.Context
	l   *Link
	w   io.Writer
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	if err := p.l.Pace(p.ctx, len(b)); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

type pacedReader struct {
	ctx context.Context
	l   *Link
	r   io.Reader
}

func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		if perr := p.l.Pace(p.ctx, n); perr != nil {
			return 0, perr
		}
	}
	return n, err
}
