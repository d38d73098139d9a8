//go:build !race

package runtime

// raceEnabled says the race detector is on; it slows wazero's compiler several times over.
const raceEnabled = false
