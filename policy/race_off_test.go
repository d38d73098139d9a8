//go:build !race

package policy

// raceDetector says the race detector is on; slow, exhaustive tests then sample.
const raceDetector = false
