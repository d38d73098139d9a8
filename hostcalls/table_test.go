package hostcalls

import (
	"strings"
	"testing"
)

// wantSignatures is the whole ABI v1 import surface: docs/ABI.md section 4 and every function
// of wasi_snapshot_preview1, as "params -> results".
var wantSignatures = map[string]string{
	"aios.abi_version":  "i32 i32 -> i32",
	"aios.input":        "i32 -> i32",
	"aios.output":       "i32 i32 -> i32",
	"aios.log":          "i32 i32 i32 -> i32",
	"aios.llm_generate": "i32 i32 i32 -> i32",
	"aios.llm_embed":    "i32 i32 i32 -> i32",
	"aios.submit":       "i32 i32 i32 i32 i32 -> i32",
	"aios.poll":         "i32 i32 -> i32",
	"aios.wait":         "i32 i32 i64 i32 -> i32",
	"aios.cancel":       "i32 -> i32",
	"aios.stream_next":  "i32 i32 -> i32",
	"aios.result_read":  "i32 i32 i32 -> i32",
	"aios.result_drop":  "i32 -> i32",
	"aios.last_error":   "i32 -> i32",
	// ABI 1.2
	"aios.memory_add":       "i32 i32 i32 -> i32",
	"aios.memory_get":       "i32 i32 i32 -> i32",
	"aios.memory_update":    "i32 i32 i32 -> i32",
	"aios.memory_delete":    "i32 i32 i32 -> i32",
	"aios.memory_search":    "i32 i32 i32 -> i32",
	"aios.storage_put":      "i32 i32 i32 -> i32",
	"aios.storage_get":      "i32 i32 i32 -> i32",
	"aios.storage_list":     "i32 i32 i32 -> i32",
	"aios.storage_delete":   "i32 i32 i32 -> i32",
	"aios.storage_history":  "i32 i32 i32 -> i32",
	"aios.storage_rollback": "i32 i32 i32 -> i32",
	"aios.tool_list":        "i32 i32 i32 -> i32",
	"aios.tool_call":        "i32 i32 i32 -> i32",
	"aios.agent_spawn":      "i32 i32 i32 -> i32",
	"aios.agent_wait":       "i32 i32 i32 -> i32",
	"aios.agent_kill":       "i32 i32 i32 -> i32",
	"aios.msg_send":         "i32 i32 i32 -> i32",
	"aios.msg_recv":         "i32 i32 i32 -> i32",
	"aios.msg_send_bytes":   "i64 i32 i32 -> i32",
	"aios.msg_recv_bytes":   "i64 i32 i32 i32 -> i32",

	"wasi_snapshot_preview1.args_get":                "i32 i32 -> i32",
	"wasi_snapshot_preview1.args_sizes_get":          "i32 i32 -> i32",
	"wasi_snapshot_preview1.environ_get":             "i32 i32 -> i32",
	"wasi_snapshot_preview1.environ_sizes_get":       "i32 i32 -> i32",
	"wasi_snapshot_preview1.clock_res_get":           "i32 i32 -> i32",
	"wasi_snapshot_preview1.clock_time_get":          "i32 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_advise":               "i32 i64 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_allocate":             "i32 i64 i64 -> i32",
	"wasi_snapshot_preview1.fd_close":                "i32 -> i32",
	"wasi_snapshot_preview1.fd_datasync":             "i32 -> i32",
	"wasi_snapshot_preview1.fd_fdstat_get":           "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_fdstat_set_flags":     "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_fdstat_set_rights":    "i32 i64 i64 -> i32",
	"wasi_snapshot_preview1.fd_filestat_get":         "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_filestat_set_size":    "i32 i64 -> i32",
	"wasi_snapshot_preview1.fd_filestat_set_times":   "i32 i64 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_pread":                "i32 i32 i32 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_prestat_get":          "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_prestat_dir_name":     "i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_pwrite":               "i32 i32 i32 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_read":                 "i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_readdir":              "i32 i32 i32 i64 i32 -> i32",
	"wasi_snapshot_preview1.fd_renumber":             "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_seek":                 "i32 i64 i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_sync":                 "i32 -> i32",
	"wasi_snapshot_preview1.fd_tell":                 "i32 i32 -> i32",
	"wasi_snapshot_preview1.fd_write":                "i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_create_directory":   "i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_filestat_get":       "i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_filestat_set_times": "i32 i32 i32 i32 i64 i64 i32 -> i32",
	"wasi_snapshot_preview1.path_link":               "i32 i32 i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_open":               "i32 i32 i32 i32 i32 i64 i64 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_readlink":           "i32 i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_remove_directory":   "i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_rename":             "i32 i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_symlink":            "i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.path_unlink_file":        "i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.poll_oneoff":             "i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.proc_exit":               "i32 -> ",
	"wasi_snapshot_preview1.proc_raise":              "i32 -> i32",
	"wasi_snapshot_preview1.sched_yield":             " -> i32",
	"wasi_snapshot_preview1.random_get":              "i32 i32 -> i32",
	"wasi_snapshot_preview1.sock_accept":             "i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.sock_recv":               "i32 i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.sock_send":               "i32 i32 i32 i32 i32 -> i32",
	"wasi_snapshot_preview1.sock_shutdown":           "i32 i32 -> i32",
}

func signature(f Func) string {
	types := func(ts []ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = map[ValueType]string{I32: "i32", I64: "i64"}[t]
		}
		return strings.Join(s, " ")
	}
	return types(f.Params) + " -> " + types(f.Results)
}

func TestTableIsExactlyTheABI(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Table() {
		key := f.Module + "." + f.Name
		if seen[key] {
			t.Errorf("%s appears twice", key)
		}
		seen[key] = true
		want, ok := wantSignatures[key]
		if !ok {
			t.Errorf("%s is not part of ABI v1.4", key)
			continue
		}
		if got := signature(f); got != want {
			t.Errorf("%s: signature %q, want %q", key, got, want)
		}
		if f.Handler == nil {
			t.Errorf("%s has no handler", key)
		}
	}
	for key := range wantSignatures {
		if !seen[key] {
			t.Errorf("%s is missing from Table()", key)
		}
	}
}

func TestLookup(t *testing.T) {
	f, ok := Lookup(ModuleAIOS, "wait")
	if !ok || signature(f) != wantSignatures["aios.wait"] {
		t.Fatalf("Lookup(aios, wait) = %v, %v", signature(f), ok)
	}
	for _, c := range [][2]string{{"aios", "fd_write"}, {"wasi_snapshot_preview1", "llm_generate"}, {"env", "abort"}, {"aios", "spawn"}} {
		if _, ok := Lookup(c[0], c[1]); ok {
			t.Errorf("Lookup(%q, %q) found a call that is not in the ABI", c[0], c[1])
		}
	}
}

func TestTableReturnsCopies(t *testing.T) {
	Table()[0].Params[0] = I64
	f, _ := Lookup(ModuleAIOS, "abi_version")
	f.Params[0] = I64
	if got, _ := Lookup(ModuleAIOS, "abi_version"); signature(got) != wantSignatures["aios.abi_version"] {
		t.Fatalf("a caller's edit changed the table: %s", signature(got))
	}
}

func TestHandlerRejectsShortStack(t *testing.T) {
	e := newEnv(t)
	f, _ := Lookup(ModuleAIOS, "submit")
	if err := f.Handler(t.Context(), e.g, e.mem, make([]uint64, 2)); err == nil {
		t.Fatal("a stack shorter than the params did not trap")
	}
	if err := f.Handler(t.Context(), e.g, nil, make([]uint64, 5)); err == nil {
		t.Fatal("a call without memory did not trap")
	}
}
