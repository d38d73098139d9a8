package hostcalls

// Class says how a system call behaves in a durable run (docs/DURABLE.md).
type Class int

const (
	// Local calls are executed again on replay: their effect is a function of the guest's own
	// state, the run record (input, arguments, environment, seed, limits) and the host state
	// the journaled calls rebuilt (results, last error).
	Local Class = iota + 1
	// Journaled calls take their effect from outside the guest: clocks, the LLM, tools,
	// memory, storage, other agents, and the timing of asynchronous calls. Each is recorded
	// after it runs live and, on replay, answered from its record without being executed.
	Journaled
)

func (c Class) String() string {
	switch c {
	case Local:
		return "local"
	case Journaled:
		return "journaled"
	}
	return "unclassified"
}

// classes classifies every system call of the table by "module.name". A call missing here
// fails TestEveryCallIsClassified: a new call must be classified when it is added.
var classes = map[string]Class{
	"aios.abi_version":      Local, // negotiation is a function of the module
	"aios.input":            Local, // the run record keeps the input
	"aios.output":           Local,
	"aios.log":              Local,
	"aios.result_read":      Local, // the result table is rebuilt from the journaled calls
	"aios.result_drop":      Local,
	"aios.last_error":       Local, // so is the last error
	"aios.llm_generate":     Journaled,
	"aios.llm_embed":        Journaled,
	"aios.submit":           Journaled, // handles, in-flight limits and completion timing
	"aios.poll":             Journaled, // are the host's, so every call on a handle is journaled
	"aios.wait":             Journaled,
	"aios.cancel":           Journaled,
	"aios.stream_next":      Journaled,
	"aios.memory_add":       Journaled,
	"aios.memory_get":       Journaled,
	"aios.memory_update":    Journaled,
	"aios.memory_delete":    Journaled,
	"aios.memory_search":    Journaled,
	"aios.storage_put":      Journaled,
	"aios.storage_get":      Journaled,
	"aios.storage_list":     Journaled,
	"aios.storage_delete":   Journaled,
	"aios.storage_history":  Journaled,
	"aios.storage_rollback": Journaled,
	"aios.tool_list":        Journaled,
	"aios.tool_call":        Journaled,
	"aios.agent_spawn":      Journaled,
	"aios.agent_wait":       Journaled,
	"aios.agent_kill":       Journaled,
	"aios.msg_send":         Journaled,
	"aios.msg_recv":         Journaled,
	"aios.msg_send_bytes":   Journaled,
	"aios.msg_recv_bytes":   Journaled,

	"wasi_snapshot_preview1.clock_time_get": Journaled,
	"wasi_snapshot_preview1.poll_oneoff":    Journaled, // reads the clocks and sleeps; replay skips the sleep
	"wasi_snapshot_preview1.clock_res_get":  Local,     // a constant (1 ns)
	"wasi_snapshot_preview1.random_get":     Local,     // ChaCha8 from the run record's seed

	"wasi_snapshot_preview1.args_get":              Local, // the run record keeps the arguments
	"wasi_snapshot_preview1.args_sizes_get":        Local,
	"wasi_snapshot_preview1.environ_get":           Local, // and the environment
	"wasi_snapshot_preview1.environ_sizes_get":     Local,
	"wasi_snapshot_preview1.proc_exit":             Local,
	"wasi_snapshot_preview1.proc_raise":            Local,
	"wasi_snapshot_preview1.sched_yield":           Local,
	"wasi_snapshot_preview1.fd_write":              Local, // stdout and stderr go to the output and log
	"wasi_snapshot_preview1.fd_read":               Local, // stdin is the input
	"wasi_snapshot_preview1.fd_fdstat_get":         Local, // constants for fds 0–2
	"wasi_snapshot_preview1.fd_filestat_get":       Local, // no sizes or times
	"wasi_snapshot_preview1.fd_close":              Local,
	"wasi_snapshot_preview1.fd_fdstat_set_flags":   Local,
	"wasi_snapshot_preview1.fd_prestat_get":        Local,
	"wasi_snapshot_preview1.fd_prestat_dir_name":   Local,
	"wasi_snapshot_preview1.fd_advise":             Local,
	"wasi_snapshot_preview1.fd_allocate":           Local,
	"wasi_snapshot_preview1.fd_datasync":           Local,
	"wasi_snapshot_preview1.fd_fdstat_set_rights":  Local,
	"wasi_snapshot_preview1.fd_filestat_set_size":  Local,
	"wasi_snapshot_preview1.fd_filestat_set_times": Local,
	"wasi_snapshot_preview1.fd_pread":              Local,
	"wasi_snapshot_preview1.fd_pwrite":             Local,
	"wasi_snapshot_preview1.fd_readdir":            Local,
	"wasi_snapshot_preview1.fd_renumber":           Local,
	"wasi_snapshot_preview1.fd_seek":               Local,
	"wasi_snapshot_preview1.fd_sync":               Local,
	"wasi_snapshot_preview1.fd_tell":               Local,

	"wasi_snapshot_preview1.path_create_directory":   Local, // every path call fails the same way:
	"wasi_snapshot_preview1.path_filestat_get":       Local, // there is no file system
	"wasi_snapshot_preview1.path_filestat_set_times": Local,
	"wasi_snapshot_preview1.path_link":               Local,
	"wasi_snapshot_preview1.path_open":               Local,
	"wasi_snapshot_preview1.path_readlink":           Local,
	"wasi_snapshot_preview1.path_remove_directory":   Local,
	"wasi_snapshot_preview1.path_rename":             Local,
	"wasi_snapshot_preview1.path_symlink":            Local,
	"wasi_snapshot_preview1.path_unlink_file":        Local,
	"wasi_snapshot_preview1.sock_accept":             Local,
	"wasi_snapshot_preview1.sock_recv":               Local,
	"wasi_snapshot_preview1.sock_send":               Local,
	"wasi_snapshot_preview1.sock_shutdown":           Local,
}

// ClassOf returns how the system call module.name behaves in a durable run; zero for a name
// the ABI does not have.
func ClassOf(module, name string) Class { return classes[module+"."+name] }
