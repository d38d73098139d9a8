package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// EnvLogFormat names the log format `aios run` and `aios kernel serve` use on standard error
// when --log-format is not given: "text" (the default) or "json".
const EnvLogFormat = "AIOS_LOG_FORMAT"

// The log formats of --log-format.
const (
	logText = "text" // lines for people, as aios has always printed them
	logJSON = "json" // log/slog JSON records, one a line
)

// defaultLogFormat is --log-format's default: $AIOS_LOG_FORMAT when set, else text.
func defaultLogFormat() string {
	if f := os.Getenv(EnvLogFormat); f != "" {
		return f
	}
	return logText
}

// checkLogFormat refuses a log format other than text and json, as a usage error.
func checkLogFormat(format string) error {
	if format == logText || format == logJSON {
		return nil
	}
	return exitWith(ExitUsage, fmt.Errorf("--log-format (or $%s) %q: use text or json", EnvLogFormat, safeText(format)))
}

// newLogHandler returns the slog handler of format writing to w, from the debug level up (an
// agent's debug lines are shown in text too). Both escape what an agent controls: JSON by its
// string escapes, text by quoting any value with a control character.
func newLogHandler(w io.Writer, format string) slog.Handler {
	o := &slog.HandlerOptions{Level: slog.LevelDebug}
	if format == logJSON {
		return slog.NewJSONHandler(w, o)
	}
	return slog.NewTextHandler(w, o)
}
