package containers

import (
	"fmt"
	"os"
	"syscall"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func fileUID(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
