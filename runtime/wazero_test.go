package runtime

import "testing"

// newWazeroEngine is the wazero engine for a test, closed at its end.
var newWazeroEngine = testEngine("wazero")

func TestConformanceWazero(t *testing.T) {
	runConformance(t, newWazeroEngine)
}
