// Package lsn is the simulator's model of SQL Server's log sequence
// numbers: the LSN's layout (this file), a database's place in the log
// chain and the rules that compare positions in it (state.go). A
// database's log records are numbered seq 0, 1, 2... (one per committed
// record, contiguous; state.go owns how seq relates to the durable log and
// to backups); the LSN shown to users is seq laid out the way SQL Server
// lays out a log: virtual log file, block, slot. Eight slots per block,
// blocks 8 sectors apart starting at 16, 4096 blocks per VLF, the first
// VLF is 34:
//
//	seq 0 = 34:16:1 = 34000000001600001 (numeric(25,0) = VLF*10^15 + block*10^5 + slot)
//
// The mapping is strictly increasing, so comparing LSNs as numbers and
// comparing seqs agree; HEADERONLY and msdb show the numeric(25,0) value.
package lsn

import (
	"fmt"
	"strconv"
	"strings"
)

// LSN is a SQL Server log sequence number as its numeric(25,0) value
// (VLF*10^15 + block*10^5 + slot). 0 means "none" (NULL in msdb).
type LSN uint64

const (
	firstVLF      = 34
	firstBlock    = 16
	slotsPerBlock = 8
	blockStep     = 8 // a block is 4 KiB: 8 sectors of 512 bytes
	blocksPerVLF  = 4096
	seqPerVLF     = slotsPerBlock * blocksPerVLF
	// maxVLF keeps VLF*10^15 inside a uint64.
	maxVLF = 18446
)

// Make builds an LSN from its parts.
func Make(vlf, block uint64, slot uint64) LSN {
	return LSN(vlf*1e15 + block*1e5 + slot)
}

// VLF, Block and Slot are the LSN's parts.
func (l LSN) VLF() uint64   { return uint64(l) / 1e15 }
func (l LSN) Block() uint64 { return uint64(l) / 1e5 % 1e10 }
func (l LSN) Slot() uint64  { return uint64(l) % 1e5 }

// String is the numeric(25,0) text HEADERONLY and msdb show.
func (l LSN) String() string { return strconv.FormatUint(uint64(l), 10) }

// Parts is the "34:16:1" form used in DBCC output and some messages.
func (l LSN) Parts() string { return fmt.Sprintf("%d:%d:%d", l.VLF(), l.Block(), l.Slot()) }

// OfSeq lays seq out as VLF/block/slot.
func OfSeq(seq uint64) LSN {
	vlf := firstVLF + seq/seqPerVLF
	if vlf > maxVLF {
		vlf = maxVLF // ~600 million records: beyond anything the simulator writes
	}
	r := seq % seqPerVLF
	return Make(vlf, firstBlock+(r/slotsPerBlock)*blockStep, 1+r%slotsPerBlock)
}

// Seq is the inverse of OfSeq; ok is false for a value OfSeq never
// produces (0, or parts out of the layout).
func (l LSN) Seq() (uint64, bool) {
	vlf, block, slot := l.VLF(), l.Block(), l.Slot()
	if vlf < firstVLF || block < firstBlock || (block-firstBlock)%blockStep != 0 ||
		slot < 1 || slot > slotsPerBlock || (block-firstBlock)/blockStep >= blocksPerVLF {
		return 0, false
	}
	return (vlf-firstVLF)*seqPerVLF + (block-firstBlock)/blockStep*slotsPerBlock + slot - 1, true
}

// Parse reads an LSN written as numeric ("34000000001600001") or as
// parts ("34:16:1").
func Parse(s string) (LSN, error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ":"); ok {
		b, c, ok := strings.Cut(b, ":")
		if !ok {
			return 0, fmt.Errorf("lsn %q: want VLF:block:slot", s)
		}
		var p [3]uint64
		for i, x := range []string{a, b, c} {
			v, err := strconv.ParseUint(x, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("lsn %q: %w", s, err)
			}
			p[i] = v
		}
		if p[0] > maxVLF || p[1] >= 1e10 || p[2] >= 1e5 {
			return 0, fmt.Errorf("lsn %q: part out of range", s)
		}
		return Make(p[0], p[1], p[2]), nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lsn %q: %w", s, err)
	}
	return LSN(v), nil
}
