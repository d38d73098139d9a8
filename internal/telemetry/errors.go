package telemetry

import (
	"log/slog"

	"go.opentelemetry.io/otel"
)

// reportErrors sends the OpenTelemetry SDK's errors (an export the receiver refused, a
// receiver that is down) to slog's default logger as warnings, instead of the log package's
// plain lines: a command that logs JSON records (aios run --log-format json) makes that logger
// its own, so that every line it writes stays a record.
func reportErrors() {
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { slog.Warn(err.Error()) }))
}
