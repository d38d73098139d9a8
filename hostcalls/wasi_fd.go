package hostcalls

import (
	"context"
	"encoding/binary"
)

// Layout and values of the fd structs (wasi_snapshot_preview1).
const (
	iovecSize          = 8
	fdstatSize         = 24
	filestatSize       = 64
	filetypeCharDevice = 2
	rightFDRead        = 1 << 1
	rightFDWrite       = 1 << 6
	rightPollFD        = 1 << 27
)

func wasiFDCalls() []Func {
	return []Func{
		wasiFunc("fd_write", params(I32, I32, I32, I32), fdWrite),
		wasiFunc("fd_read", params(I32, I32, I32, I32), fdRead),
		wasiFunc("fd_fdstat_get", params(I32, I32), fdFdstatGet),
		wasiFunc("fd_filestat_get", params(I32, I32), fdFilestatGet),
		wasiFunc("fd_close", params(I32), stdioOnly(0)),
		wasiFunc("fd_fdstat_set_flags", params(I32, I32), stdioOnly(0)),
		wasiFunc("fd_prestat_get", params(I32, I32), returning(wasiEBADF)),
		wasiFunc("fd_prestat_dir_name", params(I32, I32, I32), returning(wasiEBADF)),
		wasiFunc("fd_advise", params(I32, I64, I64, I32), notAFile(0)),
		wasiFunc("fd_allocate", params(I32, I64, I64), notAFile(0)),
		wasiFunc("fd_datasync", params(I32), notAFile(0)),
		wasiFunc("fd_fdstat_set_rights", params(I32, I64, I64), notAFile(0)),
		wasiFunc("fd_filestat_set_size", params(I32, I64), notAFile(0)),
		wasiFunc("fd_filestat_set_times", params(I32, I64, I64, I32), notAFile(0)),
		wasiFunc("fd_pread", params(I32, I32, I32, I64, I32), notAFile(0)),
		wasiFunc("fd_pwrite", params(I32, I32, I32, I64, I32), notAFile(0)),
		wasiFunc("fd_readdir", params(I32, I32, I32, I64, I32), notAFile(0)),
		wasiFunc("fd_renumber", params(I32, I32), notAFile(0)),
		wasiFunc("fd_seek", params(I32, I64, I32, I32), notAFile(0)),
		wasiFunc("fd_sync", params(I32), notAFile(0)),
		wasiFunc("fd_tell", params(I32, I32), notAFile(0)),
	}
}

// stdioOnly succeeds for fds 0–2 (given in param i) and is EBADF for any other.
func stdioOnly(i int) wasiCall {
	return func(_ context.Context, _ *Guest, _ Memory, p []uint64) error {
		if uint32(p[i]) > 2 {
			return wasiEBADF
		}
		return nil
	}
}

// notAFile is a file or directory operation on the fd in param i: EPERM on the stdio
// character devices, EBADF on any other fd, since no other fd exists.
func notAFile(i int) wasiCall {
	return func(_ context.Context, _ *Guest, _ Memory, p []uint64) error {
		if uint32(p[i]) > 2 {
			return wasiEBADF
		}
		return wasiEPERM
	}
}

// fdFdstatGet implements fd_fdstat_get(fd, stat): fds 0–2 are character devices.
func fdFdstatGet(_ context.Context, _ *Guest, mem Memory, p []uint64) error {
	fd := uint32(p[0])
	if fd > 2 {
		return wasiEBADF
	}
	var st [fdstatSize]byte
	st[0] = filetypeCharDevice
	rights := uint64(rightFDWrite | rightPollFD)
	if fd == 0 {
		rights = rightFDRead | rightPollFD
	}
	binary.LittleEndian.PutUint64(st[8:], rights)
	return write(mem, p[1], st[:])
}

// fdFilestatGet implements fd_filestat_get(fd, buf): fds 0–2 are character devices with no
// size or times.
func fdFilestatGet(_ context.Context, _ *Guest, mem Memory, p []uint64) error {
	if uint32(p[0]) > 2 {
		return wasiEBADF
	}
	var st [filestatSize]byte
	st[16] = filetypeCharDevice
	return write(mem, p[1], st[:])
}
