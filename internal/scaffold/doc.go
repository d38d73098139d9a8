// Package scaffold writes new agent projects for `aios new`: a buildable agent, its manifest,
// a Makefile, and the SDK this binary was built with, so the project builds without network.
package scaffold
