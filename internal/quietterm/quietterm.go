// Package quietterm keeps the terminal UI libraries from questioning the terminal when aios
// starts. Bubble Tea's package initialisation asks Lip Gloss whether the terminal's background
// is dark, which sends the terminal an OSC 11 query and a cursor-position request: every aios
// command run at a terminal would print them and swallow answers typed early. aios's views use
// no colours that depend on the background, so the answer is set here instead.
//
// Import it (blank) wherever bubbletea is imported. Go initialises, among the packages whose
// dependencies are ready, the one with the smallest import path first, and
// github.com/aiosys/... sorts before github.com/charmbracelet/bubbletea, so this runs first.
package quietterm

import "github.com/charmbracelet/lipgloss"

func init() { lipgloss.SetHasDarkBackground(true) }
