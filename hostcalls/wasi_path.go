package hostcalls

// wasiPathCalls are the path_* functions. There are no preopened directories, so the
// directory fd is never valid: EPERM on the stdio fds, EBADF on any other.
func wasiPathCalls() []Func {
	return []Func{
		wasiFunc("path_create_directory", params(I32, I32, I32), notAFile(0)),
		wasiFunc("path_filestat_get", params(I32, I32, I32, I32, I32), notAFile(0)),
		wasiFunc("path_filestat_set_times", params(I32, I32, I32, I32, I64, I64, I32), notAFile(0)),
		wasiFunc("path_link", params(I32, I32, I32, I32, I32, I32, I32), notAFile(0)),
		wasiFunc("path_open", params(I32, I32, I32, I32, I32, I64, I64, I32, I32), notAFile(0)),
		wasiFunc("path_readlink", params(I32, I32, I32, I32, I32, I32), notAFile(0)),
		wasiFunc("path_remove_directory", params(I32, I32, I32), notAFile(0)),
		wasiFunc("path_rename", params(I32, I32, I32, I32, I32, I32), notAFile(0)),
		wasiFunc("path_symlink", params(I32, I32, I32, I32, I32), notAFile(2)),
		wasiFunc("path_unlink_file", params(I32, I32, I32), notAFile(0)),
	}
}

// wasiSockCalls are the sock_* functions; agents have no sockets (ENOSYS).
func wasiSockCalls() []Func {
	return []Func{
		wasiFunc("sock_accept", params(I32, I32, I32), returning(wasiENOSYS)),
		wasiFunc("sock_recv", params(I32, I32, I32, I32, I32, I32), returning(wasiENOSYS)),
		wasiFunc("sock_send", params(I32, I32, I32, I32, I32), returning(wasiENOSYS)),
		wasiFunc("sock_shutdown", params(I32, I32), returning(wasiENOSYS)),
	}
}
