package config

import (
	"strings"
	"testing"
)

func TestLoadTelemetryTable(t *testing.T) {
	dir := isolate(t)
	t.Setenv(EnvOTLPEndpoint, "http://ignored:4318")
	cfg, err := Load(writeFile(t, dir, `
[telemetry]
otlp_endpoint = "http://127.0.0.1:4318"
sample_ratio = 0.25
service_name = "aios-eu"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Telemetry{OTLPEndpoint: "http://127.0.0.1:4318", SampleRatio: 0.25, ServiceName: "aios-eu"}
	if cfg.Telemetry != want || !cfg.Telemetry.Enabled() {
		t.Errorf("Telemetry = %+v, want %+v (the file wins over $%s)", cfg.Telemetry, want, EnvOTLPEndpoint)
	}
}

func TestTelemetryDefaultsAndEnv(t *testing.T) {
	dir := isolate(t)
	t.Setenv(EnvOTLPEndpoint, "")
	cfg, err := Load(writeFile(t, dir, "[telemetry]\nsample_ratio = 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Telemetry{SampleRatio: 0, ServiceName: DefaultServiceName}); cfg.Telemetry != want || cfg.Telemetry.Enabled() {
		t.Errorf("Telemetry = %+v, want %+v, off", cfg.Telemetry, want)
	}
	cfg, err = Load("")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Telemetry{SampleRatio: 1, ServiceName: DefaultServiceName}); cfg.Telemetry != want {
		t.Errorf("without a file: Telemetry = %+v, want %+v", cfg.Telemetry, want)
	}
	t.Setenv(EnvOTLPEndpoint, "https://collector.example:4318/base")
	cfg, err = Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telemetry.OTLPEndpoint != "https://collector.example:4318/base" || cfg.Telemetry.SampleRatio != 1 {
		t.Errorf("from $%s: Telemetry = %+v", EnvOTLPEndpoint, cfg.Telemetry)
	}
}

func TestTelemetryErrors(t *testing.T) {
	cases := []struct{ file, env, want string }{
		{file: `otlp_endpoint = "collector:4318"`, want: "telemetry.otlp_endpoint"},
		{file: `otlp_endpoint = "ftp://collector:4318"`, want: "http:// or https://"},
		{file: `otlp_endpoint = "http://"`, want: "no host"},
		{file: `otlp_endpoint = "http://u:p@collector:4318"`, want: "credentials"},
		{file: `otlp_endpoint = "http://collector:4318/?a=b"`, want: "query"},
		{file: "otlp_endpoint = \"http://col\\nlector\"", want: "telemetry.otlp_endpoint"},
		{env: "grpc://collector:4317", want: EnvOTLPEndpoint},
		{file: "sample_ratio = 1.5", want: "telemetry.sample_ratio"},
		{file: "sample_ratio = -0.1", want: "telemetry.sample_ratio"},
		{file: "sample_ratio = nan", want: "telemetry.sample_ratio"},
		{file: `service_name = "` + strings.Repeat("s", 256) + `"`, want: "telemetry.service_name"},
		{file: `endpoint = "http://x"`, want: `unknown key "telemetry.endpoint"`},
		{file: `sample_ratio = "all"`, want: "sample_ratio"},
	}
	for _, c := range cases {
		dir := isolate(t)
		t.Setenv(EnvOTLPEndpoint, c.env)
		_, err := Load(writeFile(t, dir, "[telemetry]\n"+c.file+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (env %q): error %v, want it to mention %q", c.file, c.env, err, c.want)
		}
	}
}
