package world

import (
	"context"
	"sync"
)

// tasks are the goroutines the world owns on behalf of what acts on it
// (sim/fault: an outage that ends after a while, users posting through a
// step). Their context ends when the world closes, and Close waits for
// them before it stops anything they might touch, so none outlives the
// world.
type tasks struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	closed bool
	wg     sync.WaitGroup
}

func newTasks() *tasks {
	ctx, cancel := context.WithCancel(context.Background())
	return &tasks{ctx: ctx, cancel: cancel}
}

// Go runs f on a goroutine the world owns; f's context ends when the
// world closes, and Close waits for f to return. Once the world is
// closing Go runs nothing and returns false.
func (w *World) Go(f func(ctx context.Context)) bool {
	t := w.tasks
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f(t.ctx)
	}()
	return true
}

// stop ends every task's context and waits for them.
func (t *tasks) stop() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	t.wg.Wait()
}
