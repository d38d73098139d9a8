package runtime

// Entry names of docs/ABI.md section 1.
const (
	// CommandEntry is a WASI command's entry: the host calls it once.
	CommandEntry = "_start"
	// InitializeExport, if exported, is called before the entry.
	InitializeExport = "_initialize"
	// ReactorEntry is a reactor's entry (ABI 1.3): a module that exports it and no _start is
	// run as _initialize, if exported, then ReactorEntry. A reactor's initialisation can be
	// done once ahead of time (aios pack --preinit).
	ReactorEntry = "aios_main"
)

// entryOf names the export a run calls after _initialize: _start for a command, aios_main for
// a reactor. Check has made sure that exactly one of them is exported.
func entryOf(r *Report) string {
	if findExport(r, CommandEntry) == nil && findExport(r, ReactorEntry) != nil {
		return ReactorEntry
	}
	return CommandEntry
}

// IsReactor reports whether an inspected module is a reactor: it exports aios_main and no
// _start.
func IsReactor(r *Report) bool {
	return entryOf(r) == ReactorEntry
}
