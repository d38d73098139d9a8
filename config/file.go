package config

import (
	"time"

	"github.com/aiosys/aios/kernel/llm"
	"github.com/aiosys/aios/limits"
)

// fileConfig is aios.toml as written: the same keys as Config, with sizes and durations in the
// forms Size and Duration accept. A test keeps its keys in step with llm.CoreConfig and
// limits.Limits.
type fileConfig struct {
	DataDir   string            `toml:"data_dir"`
	Cores     []fileCore        `toml:"cores"`
	Scheduler fileScheduler     `toml:"scheduler"`
	Aliases   map[string]string `toml:"aliases"`
	Quotas    fileQuotas        `toml:"quotas"`
	Limits    fileLimits        `toml:"limits"`
	Policy    filePolicy        `toml:"policy"`
	Trust     fileTrust         `toml:"trust"`
	Hub       fileHub           `toml:"hub"`
	Server    fileServe         `toml:"server"`
	Remote    fileRemote        `toml:"remote"`
	Audit     fileAudit         `toml:"audit"`
	Tools     []fileTool        `toml:"tools"`
	Memory    fileMemory        `toml:"memory"`
	Storage   fileStorage       `toml:"storage"`
	Telemetry fileTelemetry     `toml:"telemetry"`
	Agents    fileAgents        `toml:"agents"`
	Journal   fileJournal       `toml:"journal"`
	Durable   fileDurable       `toml:"durable"`
	Preinit   filePreinit       `toml:"preinit"`
	Runtime   fileRuntime       `toml:"runtime"`
}

type fileCore struct {
	Name      string   `toml:"name"`
	Kind      string   `toml:"kind"`
	BaseURL   string   `toml:"base_url"`
	APIKeyEnv string   `toml:"api_key_env"`
	Models    []string `toml:"models"`
	Capacity  int      `toml:"capacity"`
	Latency   Duration `toml:"latency"`
	Timeout   Duration `toml:"timeout"`
	// ContextWindow follows llm.CoreConfig's order of keys.
	ContextWindow int     `toml:"context_window"`
	RPM           int     `toml:"rpm"`
	TPM           int     `toml:"tpm"`
	PriceIn       float64 `toml:"price_in"`
	PriceOut      float64 `toml:"price_out"`
	Class         string  `toml:"class"`
	Weight        float64 `toml:"weight"`
}

type fileLimits struct {
	Memory   Size     `toml:"memory"`
	CPUTime  Duration `toml:"cpu_time"`
	WallTime Duration `toml:"wall_time"`
	Stack    Size     `toml:"stack"`
	Log      Size     `toml:"log"`
	Output   Size     `toml:"output"`
	Request  Size     `toml:"request"`
	Response Size     `toml:"response"`
	InFlight int      `toml:"in_flight"`
}

func (c fileCore) core() Core {
	return Core{
		CoreConfig: llm.CoreConfig{
			Name:          c.Name,
			Kind:          c.Kind,
			BaseURL:       c.BaseURL,
			APIKeyEnv:     c.APIKeyEnv,
			Models:        c.Models,
			Capacity:      c.Capacity,
			Latency:       time.Duration(c.Latency),
			Timeout:       time.Duration(c.Timeout),
			ContextWindow: c.ContextWindow,
		},
		RPM:      c.RPM,
		TPM:      c.TPM,
		PriceIn:  c.PriceIn,
		PriceOut: c.PriceOut,
		Class:    c.Class,
		Weight:   c.Weight,
	}
}

func (l fileLimits) limits() limits.Limits {
	return limits.Limits{
		Memory:   uint64(l.Memory),
		CPUTime:  time.Duration(l.CPUTime),
		WallTime: time.Duration(l.WallTime),
		Stack:    uint64(l.Stack),
		Log:      uint64(l.Log),
		Output:   uint64(l.Output),
		Request:  uint64(l.Request),
		Response: uint64(l.Response),
		InFlight: l.InFlight,
	}
}
