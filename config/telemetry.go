package config

import (
	"fmt"
	"math"
	"net/url"
	"os"
)

// EnvOTLPEndpoint is OpenTelemetry's standard variable for the OTLP receiver's base URL; it
// turns tracing on when aios.toml's [telemetry] names no otlp_endpoint.
const EnvOTLPEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"

// DefaultServiceName is the service.name traces carry unless [telemetry] names another.
const DefaultServiceName = "aios"

// Telemetry configures tracing (the [telemetry] table): where OpenTelemetry spans of runs and
// their system calls are exported. With no endpoint nothing is traced, at no cost.
type Telemetry struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP receiver, e.g. "http://127.0.0.1:4318";
	// spans are POSTed to its /v1/traces. Empty: no tracing.
	OTLPEndpoint string
	// SampleRatio is the fraction of runs traced, from 0 to 1; a run's system calls are traced
	// with it. Load and Default set 1 (every run) when the file leaves it out; a Config built
	// by hand must set it, as 0 traces nothing.
	SampleRatio float64
	// ServiceName is the service.name resource attribute of the spans; default "aios".
	ServiceName string
}

// Enabled reports whether spans are exported.
func (t Telemetry) Enabled() bool { return t.OTLPEndpoint != "" }

type fileTelemetry struct {
	OTLPEndpoint string   `toml:"otlp_endpoint"`
	SampleRatio  *float64 `toml:"sample_ratio"`
	ServiceName  string   `toml:"service_name"`
}

func (f fileTelemetry) telemetry() Telemetry {
	t := Telemetry{OTLPEndpoint: f.OTLPEndpoint, SampleRatio: 1, ServiceName: f.ServiceName}
	if f.SampleRatio != nil {
		t.SampleRatio = *f.SampleRatio
	}
	return t
}

// withEnv fills what the file left out from OpenTelemetry's standard variables.
func (t Telemetry) withEnv() Telemetry {
	if t.OTLPEndpoint == "" {
		t.OTLPEndpoint = os.Getenv(EnvOTLPEndpoint)
	}
	if t.ServiceName == "" {
		t.ServiceName = DefaultServiceName
	}
	return t
}

func (t Telemetry) validate() []error {
	var errs []error
	if t.OTLPEndpoint != "" {
		if err := checkEndpoint(t.OTLPEndpoint); err != nil {
			errs = append(errs, fmt.Errorf("telemetry.otlp_endpoint (or $%s) %q: %w", EnvOTLPEndpoint, t.OTLPEndpoint, err))
		}
	}
	if math.IsNaN(t.SampleRatio) || t.SampleRatio < 0 || t.SampleRatio > 1 {
		errs = append(errs, fmt.Errorf("telemetry.sample_ratio %v: want a fraction from 0 to 1", t.SampleRatio))
	}
	if len(t.ServiceName) > 255 {
		errs = append(errs, fmt.Errorf("telemetry.service_name is %d bytes long; at most 255", len(t.ServiceName)))
	}
	return errs
}

// checkEndpoint accepts an http or https URL with a host and nothing after its path.
func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("want an http:// or https:// URL such as http://127.0.0.1:4318")
	case u.Host == "":
		return fmt.Errorf("the URL names no host")
	case u.User != nil:
		return fmt.Errorf("credentials in the URL are not supported; use $OTEL_EXPORTER_OTLP_HEADERS")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("the URL may not have a query or fragment")
	}
	return nil
}
